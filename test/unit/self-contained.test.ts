/**
 * The suite must pass on a plain clone: nothing in the sources or tests may reach for a path outside
 * the repository, except the corpus helper, which adds the shared corpus only when it is present.
 * (test/integration/plain-clone.test.ts proves the same by running the fast tests in a lone clone.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SCANNED = ['src', 'test', 'scripts', 'bench'];
const ALLOWED = new Set([join('test', 'helpers', 'corpus.ts')]);
const TEXT = /\.(ts|mts|mjs|js|cjs|sh|py)$/;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && TEXT.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/**
 * Relative paths in string literals that resolve outside the repository, from the file's own folder.
 * Literals made only of parent steps on one line are joined, as `join` and `resolve` would join them.
 */
export function pathsLeavingRepo(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const literals = [...line.matchAll(/(['"`])(\.\.(?:[/\\][^'"`\s]*)?)\1/g)].map((m) => m[2]!);
    if (literals.length === 0) continue;
    const target = resolve(ROOT, dirname(file), ...literals);
    if (target !== ROOT && !target.startsWith(ROOT + sep)) found.push(`${file}:${index + 1}: ${literals.join(', ')}`);
  }
  return found;
}

describe('the repository stands on its own', () => {
  const files = SCANNED.flatMap(filesUnder);

  it('scans the sources and tests', () => {
    expect(files).toContain(join('src', 'cli.ts'));
    expect(files).toContain(join('test', 'helpers', 'corpus.ts'));
  });

  it('no file but the corpus helper names a path that climbs out of the repository', () => {
    const offending = files.filter((file) => !ALLOWED.has(file)).flatMap((file) => pathsLeavingRepo(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('no file but the corpus helper names the shared corpus', () => {
    const shared = ['shared', 'corpus'].join('/');
    const offending = files.filter((file) => !ALLOWED.has(file) && readFileSync(join(ROOT, file), 'utf8').includes(shared));
    expect(offending).toEqual([]);
  });

  it('the check sees the ways a path can climb out', () => {
    const file = join('test', 'unit', 'x.test.ts');
    const up = (n: number) => Array(n).fill('..').join('/');
    expect(pathsLeavingRepo(file, `const a = join(import.meta.dirname, '${up(3)}/elsewhere');`)).toHaveLength(1);
    const steps = [`'${up(1)}'`, `'${up(1)}'`, `"${up(1)}"`].join(', ');
    expect(pathsLeavingRepo(file, `const a = join(import.meta.dirname, ${steps}, 'elsewhere');`)).toHaveLength(1);
    expect(pathsLeavingRepo(file, `import { x } from '${up(2)}/src/x.js';`)).toEqual([]);
    expect(pathsLeavingRepo(file, `const root = resolve(import.meta.dirname, '..', '..');`)).toEqual([]);
  });
});
