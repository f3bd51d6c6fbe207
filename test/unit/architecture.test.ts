/** What the layout promises, checked on the sources themselves. */
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../helpers/imports.js';

const files = sourceFiles();

describe('one process seam', () => {
  const SEAM = 'src/process/run.ts';
  const spawning = (specifier: string) => /^(node:)?child_process$/.test(specifier) || specifier === 'execa';

  it('reads the sources (and sees the seam spawn)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...new Set(files.find((f) => f.path === SEAM)?.specifiers.filter(spawning))]).toEqual(['node:child_process', 'execa']);
  });

  it('no file in src/ but the seam imports node:child_process or execa', () => {
    const offenders = files.filter((f) => f.path !== SEAM && f.specifiers.some(spawning)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});

describe('error codes', () => {
  it('every code a UserError is built with is in the one list (the type holds it; this catches casts and strings passed around)', async () => {
    const { ERROR_CODES } = await import('../../src/errors.js');
    const used = new Set(files.flatMap((f) => [...f.text.matchAll(/(?:new UserError|super)\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1]!)));
    expect([...used].filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(used.size).toBeGreaterThan(40);
  });
});
