/** The copy of the tool that Codex's auth command runs: what it holds, taken from the built package (dist/). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appCopyBin, appCopyFiles } from '../../src/fs/app-copy.js';
import { ROOT } from '../helpers/cli.js';

describe('the app copy', () => {
  it('holds the published files of the running package (bin executable, dist, templates, package.json), nothing else', async () => {
    const files = await appCopyFiles(ROOT);
    const paths = files.map((f) => f.relativePath);
    expect(paths).toContain('bin/glm-codex-setup.js');
    expect(paths).toContain('dist/cli.js');
    expect(paths).toContain('package.json');
    expect(paths).toContain('templates/glm-bridge.yaml');
    expect(paths.every((p) => /^(bin|dist|templates)\/|^package\.json$/.test(p))).toBe(true);
    expect(files.find((f) => f.relativePath === 'bin/glm-codex-setup.js')!.mode & 0o111).not.toBe(0);
    expect(appCopyBin('/s')).toBe(join('/s', 'app', 'bin', 'glm-codex-setup.js'));
  });

  it('refuses an unbuilt checkout with the fix', async () => {
    await expect(appCopyFiles(join(ROOT, 'src'))).rejects.toThrow(/npm run build/);
  });
});
