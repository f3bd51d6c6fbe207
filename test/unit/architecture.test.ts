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
