/**
 * Files the tool must not lose or rewrite: non-UTF-8 files, paths that are not files, a state dir
 * that is not the tool's, a provider table that is the user's, files it may not write, modes.
 * The built CLI with --no-start in a sandbox HOME; every refusal leaves every byte where it was.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson, sandbox, type Sandbox } from '../helpers/cli.js';
import { canRunAsOtherUser, isRoot, NOBODY, runCliAs } from '../helpers/other-user.js';
import { snapshotTree } from '../helpers/tree.js';
import { recordTree } from '../../src/fs/made-record.js';

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
    // The installer records what it put there (purge deletes exactly that).
    await recordTree(join(box.stateDir, 'venv'));
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

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CLI under a given umask; otherwise like runCli (another user: runCliAs, from a copy that user can read). */
async function runCliWith(box: Sandbox, args: string[], how: { umask: string; env?: Record<string, string> }) {
  const node = [process.execPath, BIN, ...args];
  const full = ['sh', '-c', `umask ${how.umask} && exec "$@"`, 'sh', ...node];
  const result = await execa(full[0]!, full.slice(1), { cwd: box.home, env: { ...box.env, ...how.env }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000 });
  return { exitCode: result.exitCode ?? -1, all: `${String(result.stdout)}\n${String(result.stderr)}` };
}

/** chattr +i (root cannot write either); undone after the file's tests so the sandbox can be removed. */
const immutable: string[] = [];
async function makeImmutable(path: string) {
  execFileSync('chattr', ['+i', path]);
  immutable.push(path);
}
afterAll(() => {
  for (const path of immutable) execFileSync('chattr', ['-i', path]);
});
const canChattr = isRoot && (() => {
  const probe = join(tmpdir(), `glm-chattr-probe-${process.pid}`);
  try {
    execFileSync('touch', [probe]);
    const ok = works('chattr', ['+i', probe]);
    if (ok) execFileSync('chattr', ['-i', probe]);
    return ok;
  } finally {
    execFileSync('rm', ['-f', probe]);
  }
})();

describe('owner, group and writability', () => {
  it.skipIf(!isRoot)('as root, a 0644 config.toml owned by another user keeps its owner and group after a write', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, 'model = "o3"\n', { mode: 0o644 });
    await chown(path, 12345, 23456);
    const result = await runCli(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(0);
    const info = await stat(path);
    expect([info.uid, info.gid, info.mode & 0o777]).toEqual([12345, 23456, 0o644]);
    expect(await readFile(path, 'utf8')).toContain('[model_providers.glm-litellm]');
  });

  it.skipIf(!canRunAsOtherUser)('an unprivileged user is refused a root-owned 0644 config.toml in a folder they can write; nothing anywhere is written', async () => {
    const box = await sandbox();
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, box.home]);
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, 'model = "o3"\n', { mode: 0o644 }); // root's
    const before = await snapshotTree(box.home);
    const result = await runCliAs(NOBODY, box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toMatch(/config\.toml is read-only \(this user may not write it\)/);
    expect(await snapshotTree(box.home)).toEqual(before);
    expect((await stat(path)).uid).toBe(0);
  });

  it.skipIf(!canRunAsOtherUser)('an unprivileged user is refused a file they own in a group they are not in', async () => {
    const box = await sandbox();
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, box.home]);
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, 'model = "o3"\n', { mode: 0o664 });
    await chown(path, NOBODY, 0);
    const before = await snapshotTree(box.home);
    const result = await runCliAs(NOBODY, box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toMatch(/group id 0 is not one of yours/);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it.skipIf(!canChattr)('a config.toml nobody may write (chattr +i): exit 4 before the first write, no file anywhere written', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, 'model = "o3"\n');
    await makeImmutable(path);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toMatch(/read-only/);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it.skipIf(!canChattr)('a CODEX_HOME nobody may write in (chattr +i): exit 4 before the first write, no file anywhere written', async () => {
    const box = await sandbox();
    await makeImmutable(box.codexHome);
    const before = await snapshotTree(box.home);
    const result = await runCli(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`the folder ${box.codexHome} is not writable`);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it.skipIf(!canRunAsOtherUser)('an unprivileged user with a root-owned CODEX_HOME: exit 4 before the first write', async () => {
    const box = await sandbox();
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, box.home]);
    await chown(box.codexHome, 0, 0);
    const before = await snapshotTree(box.home);
    const result = await runCliAs(NOBODY, box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`the folder ${box.codexHome} is not writable`);
    expect(await snapshotTree(box.home)).toEqual(before);
  });
});

describe('modes', () => {
  it('backups of a secret file are 0600 in 0700 folders, whatever the file\'s mode was', async () => {
    const box = await sandbox();
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    await chmod(join(box.stateDir, 'secrets.env'), 0o644);
    const result = await runCliJson(box, SETUP, { env: withKey });
    expect(result.exitCode, result.all).toBe(0);
    const backup = (result.json.backups as { original: string; backup: string }[]).find((b) => b.original.endsWith('secrets.env'))!;
    expect((await stat(backup.backup)).mode & 0o777).toBe(0o600);
    expect((await stat(join(backup.backup, '..'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(box.stateDir, 'backups'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(box.stateDir, 'secrets.env'))).mode & 0o777).toBe(0o600);
  });

  it('under umask 000 every folder and file gets an explicit mode', async () => {
    const box = await sandbox();
    await rm(box.codexHome, { recursive: true });
    const result = await runCliWith(box, SETUP, { umask: '000', env: withKey });
    expect(result.exitCode, result.all).toBe(0);
    const mode = async (...parts: string[]) => ((await stat(join(box.home, ...parts))).mode & 0o777).toString(8);
    expect(await mode('.codex')).toBe('700');
    expect(await mode('.glm-codex')).toBe('700');
    expect(await mode('.codex', 'config.toml')).toBe('644');
    expect(await mode('.codex', 'glm.config.toml')).toBe('644');
    expect(await mode('.glm-codex', 'glm-bridge.yaml')).toBe('644');
    expect(await mode('.glm-codex', 'secrets.env')).toBe('600');
    expect(await mode('.glm-codex', 'codex-env.sh')).toBe('600');
    expect(await mode('.glm-codex', 'state.json')).toBe('600');
    expect(await mode('.bashrc')).toBe('644');
    // A second run with changes makes backups.
    expect((await runCliWith(box, [...SETUP, '--model', 'glm-4.6'], { umask: '000', env: withKey })).exitCode).toBe(0);
    expect(await mode('.glm-codex', 'backups')).toBe('700');
    const doctor = await runCliJson(box, ['doctor']);
    expect(doctor.json.checks.filter((c: { id: string }) => c.id === 'file-modes')).toEqual([expect.objectContaining({ status: 'PASS' })]);
  });

  it('doctor reports codex-env.sh not 0600, an open state dir and backups dir, world-writable configs', async () => {
    const box = await sandbox();
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    expect((await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey })).exitCode).toBe(0);
    await chmod(join(box.stateDir, 'codex-env.sh'), 0o644);
    await chmod(box.stateDir, 0o755);
    await chmod(join(box.stateDir, 'backups'), 0o777);
    await chmod(join(box.stateDir, 'glm-bridge.yaml'), 0o666);
    await chmod(join(box.codexHome, 'config.toml'), 0o646);
    const doctor = await runCliJson(box, ['doctor']);
    expect(doctor.exitCode).toBe(7);
    const messages = doctor.json.checks.filter((c: { id: string; status: string }) => c.id === 'file-modes' && c.status === 'FAIL').map((c: { message: string }) => c.message);
    expect(messages).toEqual([
      expect.stringMatching(/codex-env\.sh \(the proxy key\) has mode 644, expected 600/),
      expect.stringMatching(/\.glm-codex has mode 755: other users can list/),
      expect.stringMatching(/backups has mode 777: other users can change/),
      expect.stringMatching(/config\.toml is writable by every user \(mode 646\)/),
      expect.stringMatching(/glm-bridge\.yaml is writable by every user \(mode 666\)/),
    ]);
  });
});

describe('temporary files a crash left behind', () => {
  const LEFT = ['.secrets.env.0123456789ab.tmp', '.state.json.abcdef012345.tmp'];
  const KEPT = ['.secrets.env.xyz.tmp', '.secrets.env.0123456789ab.tmp.mine', 'secrets.env.0123456789ab.tmp'];

  it('the next run that writes removes the tool\'s own leftovers and nothing else; so does uninstall', async () => {
    const box = await sandbox();
    expect((await runCli(box, SETUP, { env: withKey })).exitCode).toBe(0);
    const plant = async () => {
      for (const name of [...LEFT, ...KEPT]) await writeFile(join(box.stateDir, name), 'ZAI_API_KEY=leaked\n', { mode: 0o600 });
      await writeFile(join(box.codexHome, '.config.toml.0a1b2c3d4e5f.tmp'), 'x = 1\n');
    };
    await plant();
    expect((await runCli(box, [...SETUP, '--model', 'glm-4.6'], { env: withKey })).exitCode).toBe(0);
    const names = await readdir(box.stateDir);
    for (const name of LEFT) expect(names).not.toContain(name);
    for (const name of KEPT) expect(names).toContain(name);
    expect(await readdir(box.codexHome)).not.toContain('.config.toml.0a1b2c3d4e5f.tmp');

    await plant();
    expect((await runCli(box, ['uninstall', '--non-interactive'])).exitCode).toBe(0);
    const after = await readdir(box.stateDir);
    for (const name of LEFT) expect(after).not.toContain(name);
    for (const name of KEPT) expect(after).toContain(name);
    expect(await readdir(box.codexHome)).not.toContain('.config.toml.0a1b2c3d4e5f.tmp');
  });
});
