/**
 * Purge deletes what the tool made, file by file: the app copy (its record, else the running build's
 * bytes, for the halves an interrupted swap leaves), the venv (its record), a backup run (its INDEX).
 * A marker file proves nothing about what is inside: files the tool did not record stay and are named.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordTree } from '../../src/fs/made-record.js';
import { executePurge, planPurge } from '../../src/fs/purge.js';
import { STATE_DIR_MARKER } from '../../src/fs/state-dir.js';
import { appCopyFiles, installAppCopy } from '../../src/fs/app-copy.js';
import { pathExists } from '../../src/system.js';
import { tempDir } from '../helpers/tmp.js';

describe('purge and the folders the tool fills', () => {
  it('deletes the app copy and a partial app.new-<pid>/ of the build; names an app/ that is not the tool\'s', async () => {
    const dir = await tempDir('glm-purge-app-');
    await writeFile(join(dir, STATE_DIR_MARKER), 'x\n');
    const files = await appCopyFiles();
    await installAppCopy(dir, files);
    // An interrupted copy: some of the build's files, no record yet.
    const partial = files.find((f) => f.relativePath === 'bin/glm-codex-setup.js')!;
    await mkdir(join(dir, 'app.new-4242', 'bin'), { recursive: true });
    await writeFile(join(dir, 'app.new-4242', 'bin', 'glm-codex-setup.js'), partial.content);
    const plan = await planPurge(dir);
    expect(plan.foreign).toEqual([]);
    expect(plan.kept).toEqual([]);
    expect(await executePurge(plan)).toBe(true);

    const other = await tempDir('glm-purge-app-');
    await writeFile(join(other, STATE_DIR_MARKER), 'x\n');
    await mkdir(join(other, 'app', 'bin'), { recursive: true });
    await writeFile(join(other, 'app', 'bin', 'glm-codex-setup.js'), '// not the build\n');
    expect((await planPurge(other)).kept).toEqual(['app/bin/glm-codex-setup.js']);
  });

  it('a forged marker: app/, venv/ and backups/<time>/ full of the user\'s files lose nothing; each is named', async () => {
    const dir = await tempDir('glm-purge-forged-');
    await writeFile(join(dir, STATE_DIR_MARKER), 'forged\n');
    await mkdir(join(dir, 'app', 'bin'), { recursive: true });
    await writeFile(join(dir, 'app', 'bin', 'glm-codex-setup.js'), 'my script\n');
    await writeFile(join(dir, 'app', 'thesis.md'), '# mine\n');
    await mkdir(join(dir, 'venv', 'lib'), { recursive: true });
    await writeFile(join(dir, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    await writeFile(join(dir, 'venv', 'lib', 'data.csv'), '1,2\n');
    await mkdir(join(dir, 'backups', '20260101T000000Z'), { recursive: true });
    await writeFile(join(dir, 'backups', '20260101T000000Z', 'photo.jpg'), 'jpeg\n');
    const plan = await planPurge(dir);
    expect(plan.kept.sort()).toEqual(['app/bin/glm-codex-setup.js', 'app/thesis.md', 'backups/20260101T000000Z/photo.jpg', 'venv/lib/data.csv', 'venv/pyvenv.cfg']);
    expect(await executePurge(plan)).toBe(false);
    expect(await readFile(join(dir, 'app', 'thesis.md'), 'utf8')).toBe('# mine\n');
    expect(await readFile(join(dir, 'venv', 'lib', 'data.csv'), 'utf8')).toBe('1,2\n');
    expect(await readFile(join(dir, 'backups', '20260101T000000Z', 'photo.jpg'), 'utf8')).toBe('jpeg\n');
  });

  it('a recorded venv goes (with Python\'s caches of its sources); a file added later stays', async () => {
    const dir = await tempDir('glm-purge-venv-');
    await writeFile(join(dir, STATE_DIR_MARKER), 'x\n');
    await mkdir(join(dir, 'venv', 'lib', 'pkg'), { recursive: true });
    await writeFile(join(dir, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    await writeFile(join(dir, 'venv', 'lib', 'pkg', 'mod.py'), 'x = 1\n');
    await recordTree(join(dir, 'venv'));
    await mkdir(join(dir, 'venv', 'lib', 'pkg', '__pycache__'));
    await writeFile(join(dir, 'venv', 'lib', 'pkg', '__pycache__', 'mod.cpython-312.pyc'), 'pyc');
    await writeFile(join(dir, 'venv', 'lib', 'pkg', 'notes.txt'), 'mine\n');
    await mkdir(join(dir, 'backups', '20260101T000000Z'), { recursive: true });
    await writeFile(join(dir, 'backups', '20260101T000000Z', 'config.toml'), 'old\n');
    await writeFile(join(dir, 'backups', '20260101T000000Z', 'INDEX'), 'config.toml\t/x/config.toml\n');
    await writeFile(join(dir, 'backups', '20260101T000000Z', 'added.txt'), 'mine\n');
    const plan = await planPurge(dir);
    expect(plan.kept.sort()).toEqual(['backups/20260101T000000Z/added.txt', 'venv/lib/pkg/notes.txt']);
    expect(await executePurge(plan)).toBe(false);
    expect(await pathExists(join(dir, 'venv', 'lib', 'pkg', 'mod.py'))).toBe(false);
    expect(await pathExists(join(dir, 'venv', 'lib', 'pkg', '__pycache__'))).toBe(false);
    expect(await pathExists(join(dir, 'backups', '20260101T000000Z', 'config.toml'))).toBe(false);
    expect(await readFile(join(dir, 'venv', 'lib', 'pkg', 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(join(dir, 'backups', '20260101T000000Z', 'added.txt'), 'utf8')).toBe('mine\n');
  });
});
