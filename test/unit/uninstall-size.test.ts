/** Uninstall names the venv's size the way `du -h` does ("759M"), not in decimal megabytes of file lengths. */
import { execFileSync } from 'node:child_process';
import { link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskSize, venvSize } from '../../src/commands/uninstall-leftovers.js';
import { resolvePaths } from '../../src/paths.js';
import { tempDir } from '../helpers/tmp.js';

describe('the venv size uninstall shows', () => {
  it('is what `du -sh` says for the same folder', async () => {
    const stateDir = await tempDir('glm-venv-size-');
    const paths = resolvePaths({ stateDir }, { HOME: stateDir });
    await mkdir(join(paths.venv, 'lib', 'site-packages'), { recursive: true });
    await writeFile(join(paths.venv, 'lib', 'big.so'), Buffer.alloc(12_345_678, 1));
    await writeFile(join(paths.venv, 'lib', 'site-packages', 'small.py'), 'x = 1\n');
    for (let i = 0; i < 40; i++) await writeFile(join(paths.venv, 'lib', 'site-packages', `m${i}.py`), 'y'.repeat(5000));
    await link(join(paths.venv, 'lib', 'big.so'), join(paths.venv, 'lib', 'big-again.so'));
    const du = execFileSync('du', ['-sh', paths.venv], { encoding: 'utf8' }).split('\t')[0];
    expect(diskSize((await venvSize(paths))!)).toBe(du);
  });

  it('rounds up in 1024-based units as du -h does', () => {
    expect(diskSize(759 * 1024 * 1024)).toBe('759M');
    expect(diskSize(758.2 * 1024 * 1024)).toBe('759M');
    expect(diskSize(1.21 * 1024 ** 3)).toBe('1.3G');
    expect(diskSize(4096)).toBe('4.0K');
  });
});
