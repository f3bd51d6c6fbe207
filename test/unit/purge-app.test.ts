/** Purge knows the tool's own copy for Codex's auth command (and the halves an interrupted swap leaves). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPurge } from '../../src/fs/purge.js';
import { STATE_DIR_MARKER } from '../../src/fs/state-dir.js';
import { tempDir } from '../helpers/tmp.js';

async function withApp(dir: string, name: string): Promise<void> {
  await mkdir(join(dir, name, 'bin'), { recursive: true });
  await writeFile(join(dir, name, 'bin', 'glm-codex-setup.js'), '// copy\n');
}

describe('purge and the app copy', () => {
  it('deletes app/ and app.new-<pid>/ that hold the tool, and names an app/ that does not', async () => {
    const dir = await tempDir('glm-purge-app-');
    await writeFile(join(dir, STATE_DIR_MARKER), 'x\n');
    await withApp(dir, 'app');
    await withApp(dir, 'app.new-4242');
    const plan = await planPurge(dir);
    expect(plan.foreign).toEqual([]);
    expect(plan.delete).toEqual(expect.arrayContaining([join(dir, 'app'), join(dir, 'app.new-4242')]));

    const other = await tempDir('glm-purge-app-');
    await writeFile(join(other, STATE_DIR_MARKER), 'x\n');
    await mkdir(join(other, 'app'));
    expect((await planPurge(other)).foreign).toEqual(['app/']);
  });
});
