/**
 * Files the tool must not lose or rewrite: non-UTF-8 files, paths that are not files, a state dir
 * that is not the tool's, a provider table that is the user's, files it may not write, modes.
 * The built CLI with --no-start in a sandbox HOME; every refusal leaves every byte where it was.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliJson, sandbox } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/tree.js';

const ZAI_KEY = 'f3a9c1d2e4b5.AbCdEfGhIjKlMnOp';
const withKey = { ZAI_API_KEY: ZAI_KEY };
const SETUP = ['--non-interactive', '--no-start'];
/** The tree without mtimes: which files exist, their bytes and modes. */
async function contentTree(root: string) {
  return Object.fromEntries(Object.entries(await snapshotTree(root)).map(([key, value]) => [key, value.startsWith('dir:') ? value : value.replace(/:[\d.]+$/, '')]));
}

const LATIN1_CONFIG = Buffer.from('# caf\xe9\nmodel = "o3"\n', 'latin1');

describe('a file that is not UTF-8 is refused, never rewritten', () => {
  it('config.toml in Latin-1: setup exits 4 naming the file and the byte offset; nothing is written', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, LATIN1_CONFIG);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`${path} is not valid UTF-8 (byte 0xe9 at offset 5)`);
    expect(await readFile(path)).toEqual(LATIN1_CONFIG);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it('config.toml in Latin-1: doctor prints a FAIL line naming it and exits 7', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, LATIN1_CONFIG);
    const result = await runCliJson(box, ['doctor']);
    expect(result.exitCode, result.all).toBe(7);
    expect(result.json.checks).toEqual([expect.objectContaining({ status: 'FAIL', message: expect.stringContaining(`${path} is not valid UTF-8`) })]);
    expect((await runCli(box, ['doctor'])).all).toMatch(/FAIL .*config\.toml is not valid UTF-8 \(byte 0xe9 at offset 5\)/);
    expect(await readFile(path)).toEqual(LATIN1_CONFIG);
  });

  it('a Latin-1 .bashrc and glm-bridge.yaml are refused with exit 4 and left byte for byte', async () => {
    const box = await sandbox();
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    const bashrc = join(box.home, '.bashrc');
    const rc = Buffer.concat([Buffer.from('# r\xe9glages\nalias ll="ls -l"\n', 'latin1'), await readFile(bashrc)]);
    await writeFile(bashrc, rc);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`${bashrc} is not valid UTF-8 (byte 0xe9 at offset 3)`);
    expect(await snapshotTree(box.home)).toEqual(before);
    expect(await readFile(bashrc)).toEqual(rc);

    await writeFile(bashrc, '');
    const bridge = join(box.stateDir, 'glm-bridge.yaml');
    const yaml = Buffer.concat([await readFile(bridge), Buffer.from('# \xff\n', 'latin1')]);
    await writeFile(bridge, yaml);
    const again = await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey });
    expect(again.exitCode, again.all).toBe(4);
    expect(again.all).toContain(`${bridge} is not valid UTF-8 (byte 0xff`);
    expect(await readFile(bridge)).toEqual(yaml);
  });
});

describe('a config.toml that is not a file', () => {
  for (const kind of ['directory', 'symlink loop'] as const) {
    it(`${kind}: setup exits 4 and doctor prints FAIL naming the path (exit 7), never "This is a bug"`, async () => {
      const box = await sandbox();
      const path = join(box.codexHome, 'config.toml');
      if (kind === 'directory') await mkdir(path);
      else {
        await symlink(join(box.codexHome, 'b.toml'), path);
        await symlink(path, join(box.codexHome, 'b.toml'));
      }
      const before = await snapshotTree(box.home);
      const setup = await runCli(box, SETUP, { env: withKey });
      expect(setup.exitCode, setup.all).toBe(4);
      expect(setup.all).toContain(path);
      expect(setup.all).not.toMatch(/This is a bug/);
      const doctor = await runCli(box, ['doctor']);
      expect(doctor.exitCode, doctor.all).toBe(7);
      expect(doctor.all).toMatch(new RegExp(`FAIL .*${path.replace(/[.]/g, '\\.')}`));
      expect(doctor.all).not.toMatch(/This is a bug/);
      expect(await snapshotTree(box.home)).toEqual(before);
    });
  }
});

describe('uninstall --purge deletes only what the tool created', () => {
  async function homeLike(root: string) {
    await mkdir(join(root, 'Documents'), { recursive: true });
    await writeFile(join(root, 'Documents', 'thesis.md'), '# my thesis\n');
    await writeFile(join(root, '.bashrc'), 'alias ll="ls -l"\n');
  }
  async function projectLike(root: string) {
    await mkdir(join(root, 'src'), { recursive: true });
    await writeFile(join(root, 'src', 'index.ts'), 'export {};\n');
    await writeFile(join(root, 'package.json'), '{"name":"mine"}\n');
  }
  const PURGE = ['uninstall', '--non-interactive', '--purge'];

  it('--state-dir ~ (a home folder): refused with exit 4, naming what it found; every byte kept', async () => {
    const box = await sandbox();
    await homeLike(box.home);
    const fresh = await snapshotTree(box.home);
    const refused = await runCli(box, [...PURGE, '--state-dir', box.home]);
    expect(refused.exitCode, refused.all).toBe(4);
    expect(refused.all).toMatch(/Refusing to purge/);
    expect(refused.all).toContain('Documents/');
    expect(await snapshotTree(box.home)).toEqual(fresh);

    // Even after a setup wrote the tool's files into the home folder (and its state.json).
    expect((await runCli(box, [...SETUP, '--state-dir', box.home], { env: withKey })).exitCode).toBe(0);
    const before = await snapshotTree(box.home);
    const again = await runCli(box, [...PURGE, '--state-dir', box.home]);
    expect(again.exitCode, again.all).toBe(4);
    expect(again.all).toContain('Documents/');
    expect(again.all).toContain('.bashrc');
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it('a project folder as state dir (GLM_CODEX_HOME): refused with exit 4 after a setup into it; every byte kept', async () => {
    const box = await sandbox();
    const project = join(box.home, 'work', 'project');
    await projectLike(project);
    const env = { ...withKey, GLM_CODEX_HOME: project };
    expect((await runCli(box, SETUP, { env })).exitCode).toBe(0);
    const before = await snapshotTree(box.home);
    const refused = await runCliJson(box, PURGE, { env });
    expect(refused.exitCode, refused.all).toBe(4);
    expect(refused.json.error.message).toMatch(/package\.json/);
    expect(refused.json.error.message).toMatch(/src\//);
    expect(refused.json.error.message).toMatch(/Nothing was deleted/);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it('a real purge after a setup removes everything the tool made (leftover temp files too); a second purge has nothing to remove', async () => {
    const box = await sandbox();
    await writeFile(join(box.home, '.bashrc'), 'alias ll="ls -l"\n');
    const fresh = await contentTree(box.home);
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    expect((await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey })).exitCode).toBe(0);
    // What a started proxy and a crash leave behind.
    await mkdir(join(box.stateDir, 'venv', 'bin'), { recursive: true });
    await writeFile(join(box.stateDir, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    await writeFile(join(box.stateDir, 'proxy.log'), 'log\n');
    await writeFile(join(box.stateDir, '.secrets.env.0123456789ab.tmp'), 'ZAI_API_KEY=x\n');
    const purge = await runCli(box, PURGE);
    expect(purge.exitCode, purge.all).toBe(0);
    expect(purge.all).toMatch(/Removed ~\/\.glm-codex/);
    // Left: the empty folders the fish startup file was created in (the manifest records files, not folders).
    const left = await contentTree(box.home);
    for (const key of ['.config', '.config/fish', '.config/fish/conf.d']) if (left[key]?.startsWith('dir:')) delete left[key];
    expect(left).toEqual(fresh);

    const second = await runCliJson(box, PURGE);
    expect(second.exitCode, second.all).toBe(0);
    expect(second.all).toMatch(/Nothing to purge/);
    expect(second.all).not.toMatch(/Removed/);
    expect(second.json.purged).toBe(false);
  });

  it('a state dir of the previous version (no marker) is recognised by its state.json; a foreign file in it is named and kept', async () => {
    const box = await sandbox();
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    await import('node:fs/promises').then((fs) => fs.unlink(join(box.stateDir, '.glm-codex-setup')));
    await writeFile(join(box.stateDir, 'notes.txt'), 'mine\n');
    const before = await snapshotTree(box.home);
    const refused = await runCli(box, PURGE);
    expect(refused.exitCode, refused.all).toBe(4);
    expect(refused.all).toContain('notes.txt');
    expect(await snapshotTree(box.home)).toEqual(before);

    await import('node:fs/promises').then((fs) => fs.unlink(join(box.stateDir, 'notes.txt')));
    const purge = await runCli(box, PURGE);
    expect(purge.exitCode, purge.all).toBe(0);
    await expect(import('node:fs/promises').then((fs) => fs.stat(box.stateDir))).rejects.toThrow(/ENOENT/);
  });
});

describe("a [model_providers.glm-litellm] of the user's own", () => {
  const USER_TABLE = '# my own proxy\nmodel = "o3"\n\n[model_providers.glm-litellm]\nname = "my LiteLLM"   # keep\nbase_url = "http://10.1.2.3:8000/v1"\nenv_key = "MY_KEY"\nwire_api = "responses"\n';

  it('is refused by setup (exit 4, file:line, the fix) with config.toml byte-identical; uninstall never deletes it', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, USER_TABLE);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`${path}:4: [model_providers.glm-litellm] is your own table`);
    expect(result.all).toContain('--provider-id ID');
    expect(await snapshotTree(box.home)).toEqual(before);

    const uninstall = await runCli(box, ['uninstall', '--non-interactive']);
    expect(uninstall.exitCode, uninstall.all).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(USER_TABLE);
  });

  it('after the tool uninstalled its own table, a table the user adds later is not the tool\'s', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, 'model = "o3"\n');
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    expect(await readFile(path, 'utf8')).toContain('[model_providers.glm-litellm]');
    expect((await runCli(box, ['uninstall', '--non-interactive'])).exitCode).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('model = "o3"\n');

    await writeFile(path, USER_TABLE);
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(4);
    expect((await runCli(box, ['uninstall', '--non-interactive'])).exitCode).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(USER_TABLE);
  });
});
