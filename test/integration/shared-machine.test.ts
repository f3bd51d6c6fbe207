/**
 * Issue 22 on a shared machine, run as root (where it bites) with `nobody` as the other user:
 * a state dir another user owns or can write is refused before any key goes in; the tool creates
 * its folders private; the auth command refuses an app copy another user can change.
 * Ports 19600-19699.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, isPortFree } from '../../src/runtime/ports.js';
import { startFakeZai } from '../fake-zai/server.js';
import { runCli, sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const isRoot = process.getuid?.() === 0;
const ZAI_KEY = 'zai-shared-machine-key.0123456789abcdef';
const NOBODY = 65534;
const directSetup = (stateDir: string) => ['--non-interactive', '--mode', 'direct', '--no-start', '--codex-auth', 'command', '--state-dir', stateDir];

describe('a state dir another user can change is refused before any key goes in', () => {
  it.each([
    ['mode 0777', async (dir: string) => chmod(dir, 0o777), 'writable by every user'],
    ['mode 0770', async (dir: string) => chmod(dir, 0o770), 'writable by its group'],
    ['owned by nobody', async (dir: string) => chown(dir, NOBODY, NOBODY), 'belongs to another user (uid 65534)'],
  ])('%s: exit 4 with the fix, nothing written there', async (_name, spoil, words) => {
    if (!isRoot && _name === 'owned by nobody') return;
    const box = await sandbox();
    const stateDir = join(box.home, 'shared-state');
    await mkdir(stateDir, { mode: 0o700 });
    await spoil(stateDir);
    const result = await runCli(box, directSetup(stateDir), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode).toBe(4);
    expect(result.all).toContain(words);
    expect(result.all).toMatch(/chmod go-w|chown|--state-dir/);
    expect(result.all).not.toContain('This is a bug');
    expect(await readdir(stateDir)).toEqual([]);
  }, 120_000);

  it('a folder above it that others can write (no sticky bit) is refused too', async () => {
    const box = await sandbox();
    const open = join(box.home, 'open');
    await mkdir(open, { mode: 0o700 });
    await chmod(open, 0o777);
    const result = await runCli(box, directSetup(join(open, 'state')), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode).toBe(4);
    expect(result.all).toContain(`${open} is writable by every user`);
  }, 120_000);

  it('folders the tool creates are 0700, parents included', async () => {
    const box = await sandbox();
    const stateDir = join(box.home, 'a', 'b', 'state');
    const result = await runCli(box, directSetup(stateDir), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode, result.all).toBe(0);
    for (const dir of [join(box.home, 'a'), join(box.home, 'a', 'b'), stateDir]) expect((await stat(dir)).mode & 0o777).toBe(0o700);
  }, 120_000);
});

describe('the auth command checks the state dir before it runs anything from it', () => {
  it.each([
    ['app/bin writable by every user', async (stateDir: string) => chmod(join(stateDir, 'app', 'bin'), 0o777), 'writable by every user'],
    ['the app copy script owned by nobody', async (stateDir: string) => chown(join(stateDir, 'app', 'bin', 'glm-codex-setup.js'), NOBODY, NOBODY), 'belongs to another user'],
  ])('%s: one line, exit 4, no key', async (name, spoil, words) => {
    if (!isRoot && name.includes('nobody')) return;
    const box = await sandbox();
    const setup = await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const good = await runCli(box, ['auth-token', '--state-dir', box.stateDir]);
    expect(good.stdout.trim()).toBe(ZAI_KEY);
    await spoil(box.stateDir);
    const auth = await runCli(box, ['auth-token', '--state-dir', box.stateDir]);
    expect(auth.exitCode).toBe(4);
    expect(auth.stdout).toBe('');
    expect(auth.stderr.trim().split('\n')).toHaveLength(1);
    expect(auth.stderr).toContain(words);
    const doctor = await runCli(box, ['doctor', '--state-dir', box.stateDir]);
    expect(doctor.all).toContain(words);
  }, 120_000);
});

describe('the tool knows its own provider table without state.json (lost, or a crash before it was written)', () => {
  it.each([['command'], ['env']])('--codex-auth %s: a re-run repairs, uninstall removes the table', async (auth) => {
    const box = await sandbox();
    const args = ['--non-interactive', '--mode', 'direct', '--no-start', '--codex-auth', auth, '--model', 'glm-5.1'];
    const first = await runCli(box, args, { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(first.exitCode, first.all).toBe(0);
    const manifest = join(box.stateDir, 'state.json');
    await rm(manifest);
    // A bare re-run (no --mode): the table says which mode and endpoint it was.
    const again = await runCli(box, ['--non-interactive', '--no-start']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.all).not.toContain('is your own table');
    expect(JSON.parse(await readFile(manifest, 'utf8'))).toMatchObject({ mode: 'direct', ownsProvider: true });
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toContain('[model_providers.glm-zai]');

    await rm(manifest);
    const uninstall = await runCli(box, ['uninstall', '--non-interactive']);
    expect(uninstall.exitCode, uninstall.all).toBe(0);
    const config = await readFile(join(box.codexHome, 'config.toml'), 'utf8').catch(() => '');
    expect(config).not.toContain('glm-zai');
  }, 180_000);

  it("a user's own table under the id (no auth command into this state dir) is still refused", async () => {
    const box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), '[model_providers.glm-zai]\nname = "mine"\nbase_url = "https://example.invalid/v1"\nenv_key = "MY_KEY"\n');
    const result = await runCli(box, ['--non-interactive', '--mode', 'direct', '--no-start', '--codex-auth', 'command'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode).toBe(4);
    expect(result.all).toContain('is your own table');
  }, 120_000);
});

describe('uninstall --purge in a real state dir keeps what the tool did not make there', () => {
  it('a file the user added to backups/<run>/ and to app/ stays and is named; the rest goes', async () => {
    const box = await sandbox();
    const args = ['--non-interactive', '--mode', 'direct', '--no-start', '--codex-auth', 'command', '--model', 'glm-5.1'];
    await writeFile(join(box.codexHome, 'config.toml'), 'model = "o3"\n');
    expect((await runCli(box, args, { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    expect((await runCli(box, [...args, '--model', 'glm-4.6'], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    const [run] = await readdir(join(box.stateDir, 'backups'));
    await writeFile(join(box.stateDir, 'backups', run!, 'my-notes.txt'), 'keep me\n');
    await writeFile(join(box.stateDir, 'app', 'bin', 'my-tool.sh'), 'echo mine\n');
    const purge = await runCli(box, ['uninstall', '--non-interactive', '--purge']);
    expect(purge.exitCode, purge.all).toBe(0);
    expect(purge.all).toContain(`backups/${run}/my-notes.txt`);
    expect(purge.all).toContain('app/bin/my-tool.sh');
    expect(await readFile(join(box.stateDir, 'backups', run!, 'my-notes.txt'), 'utf8')).toBe('keep me\n');
    expect(await readFile(join(box.stateDir, 'app', 'bin', 'my-tool.sh'), 'utf8')).toBe('echo mine\n');
    expect(await readdir(join(box.stateDir, 'app'))).toEqual(['bin']);
    expect(await readdir(join(box.stateDir, 'app', 'bin'))).toEqual(['my-tool.sh']);
    expect((await readdir(box.stateDir)).sort()).toEqual(['app', 'backups']);
  }, 180_000);
});

describe('only regular files are read as configs and keys', () => {
  const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

  it('a FIFO, a device and a socket as config.toml: setup exit 4 at once, doctor FAIL, no lock left held', async () => {
    const box = await sandbox();
    const config = join(box.codexHome, 'config.toml');
    const server = createServer();
    for (const [what, make] of [
      ['FIFO', async () => mkfifo(config)],
      ['device', async () => symlink('/dev/zero', config)],
      ['socket', async () => new Promise<void>((resolve) => server.listen(config, resolve))],
    ] as const) {
      await make();
      const started = Date.now();
      const setup = await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY }, timeout: 60_000 });
      expect(setup.exitCode, `${what}: ${setup.all}`).toBe(4);
      expect(setup.all).toContain('not a regular file');
      expect(setup.all).not.toContain('This is a bug');
      const doctor = await runCli(box, ['doctor'], { timeout: 60_000 });
      expect(doctor.exitCode, doctor.all).toBe(7);
      expect(doctor.all).toMatch(/FAIL.*not a regular file/);
      expect(Date.now() - started).toBeLessThan(30_000);
      if (what === 'socket') await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(config, { force: true });
    }
    // No lock left behind: a setup that may not wait at all goes through.
    const after = await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY, GLM_CODEX_LOCK_WAIT_MS: '0' } });
    expect(after.exitCode, after.all).toBe(0);
  }, 180_000);

  it('a FIFO as --zai-key-file and as secrets.env: refused at once', async () => {
    const box = await sandbox();
    const fifo = join(box.home, 'key.fifo');
    mkfifo(fifo);
    const setup = await runCli(box, [...directSetup(box.stateDir), '--zai-key-file', fifo], { timeout: 60_000 });
    expect(setup.exitCode, setup.all).toBe(2);
    expect(setup.all).toContain('not a regular file');

    expect((await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    await rm(join(box.stateDir, 'secrets.env'));
    mkfifo(join(box.stateDir, 'secrets.env'));
    const auth = await runCli(box, ['auth-token', '--state-dir', box.stateDir], { timeout: 60_000 });
    expect(auth.exitCode).toBe(4);
    expect(auth.stdout).toBe('');
    expect(auth.stderr).toContain('not a regular file');
  }, 180_000);
});

describe("setup and the tool's own failure stand-in", () => {
  it('a failing auth command leaves its stand-in on the port; setup right after ends it and starts the proxy', async () => {
    const fake = await startFakeZai({ apiKey: ZAI_KEY });
    try {
      const box = await proxySandbox(latestVenv());
      const port = await findFreePort(19600);
      await mkdir(box.stateDir, { recursive: true, mode: 0o700 });
      await writeFile(join(box.stateDir, 'state.json'), JSON.stringify({ version: 1, mode: 'local', port }), { mode: 0o600 });
      const auth = await runCli(box, ['auth-token', '--state-dir', box.stateDir]);
      expect(auth.exitCode).toBe(4);
      expect(await isPortFree(port)).toBe(false);
      const setup = await runCli(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port), '--model', 'glm-5.1'], { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(setup.exitCode, setup.all).toBe(0);
      expect(setup.all).not.toContain('require(');
      expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toContain(`http://127.0.0.1:${port}/v1`);
    } finally {
      await fake.close();
    }
  }, 300_000);
});

describe('bad paths and values: a clear message, not "This is a bug"', () => {
  it('--codex-home and --state-dir naming a file; GLM_CODEX_GATEWAY_TIMEOUT out of range', async () => {
    const box = await sandbox();
    const file = join(box.home, 'a-file');
    await writeFile(file, 'x\n');
    const codexHome = await runCli(box, ['--non-interactive', '--mode', 'direct', '--no-start', '--codex-home', file], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(codexHome.exitCode, codexHome.all).toBe(4);
    expect(codexHome.all).toContain('is a file, not a folder');
    expect(codexHome.all).not.toContain('This is a bug');
    const stateDir = await runCli(box, ['--non-interactive', '--mode', 'direct', '--no-start', '--state-dir', join(file, 'sub')], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(stateDir.exitCode, stateDir.all).toBe(4);
    expect(stateDir.all).toContain('is not a folder');
    expect(stateDir.all).not.toContain('This is a bug');
    const timeout = await runCli(box, ['gateway', 'key', 'create', '--user', 'alice', '--budget', '5', '--gateway-url', 'http://127.0.0.1:9'], {
      env: { LITELLM_MASTER_KEY: 'sk-master-0123456789abcdef', GLM_CODEX_GATEWAY_TIMEOUT: '99999999999' },
    });
    expect(timeout.exitCode, timeout.all).toBe(2);
    expect(timeout.all).toContain('too long');
  }, 120_000);
});

describe.skipIf(!isRoot)('out of space (a small tmpfs)', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const dir of mounts) execFileSync('umount', ['-l', dir]);
  });
  async function tmpfs(dir: string, size: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
    mounts.push(dir);
  }

  it('a state dir that fills up: "no space left on", exit 4, nothing half-applied, no partial app copy', async () => {
    const box = await sandbox();
    const mount = join(box.home, 'small');
    await tmpfs(mount, '300k');
    const stateDir = join(mount, 'state');
    await writeFile(join(box.codexHome, 'config.toml'), 'model = "o3"\n');
    const result = await runCli(box, directSetup(stateDir), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode, result.all).toBe(4);
    expect(result.all).toContain(`no space left on ${stateDir}`);
    expect(result.all).not.toContain('This is a bug');
    expect(await readdir(stateDir)).toEqual(['.glm-codex-setup']);
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe('model = "o3"\n');
    expect((await readdir(box.codexHome)).filter((name) => !name.startsWith('.config.toml.glm-codex-setup.lock'))).toEqual(['config.toml']);
  }, 120_000);

  it('a full ~/.codex: exit 4, no lock temp file left; stale temp files and partial copies of gone runs are cleaned by the next run', async () => {
    const box = await sandbox();
    await tmpfs(box.codexHome, '64k');
    await writeFile(join(box.codexHome, 'filler'), Buffer.alloc(64 * 1024)).catch(() => undefined);
    const full = await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(full.exitCode, full.all).toBe(4);
    expect(full.all).toContain('no space left on');
    expect((await readdir(box.codexHome)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await rm(join(box.codexHome, 'filler'));

    // What a run killed on a full disk leaves: a lock temp file and a partial app copy (dead pids).
    await mkdir(join(box.stateDir, 'app.new-999999', 'bin'), { recursive: true });
    await writeFile(join(box.stateDir, 'app.new-999999', 'bin', 'glm-codex-setup.js'), '');
    await writeFile(join(box.stateDir, 'setup.lock.999999.0badc0de.tmp'), '');
    const again = await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(again.exitCode, again.all).toBe(0);
    const names = await readdir(box.stateDir);
    expect(names.filter((name) => name.startsWith('app.') || name.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe('restore and a forged backup INDEX', () => {
  it('an INDEX naming a file the tool never writes: nothing restored, exit 4', async () => {
    const box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), 'model = "o3"\n');
    expect((await runCli(box, directSetup(box.stateDir), { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    const [run] = await readdir(join(box.stateDir, 'backups'));
    const victim = join(box.home, 'victim.txt');
    await writeFile(victim, 'mine\n');
    await writeFile(join(box.stateDir, 'backups', run!, 'payload'), 'overwritten\n');
    await writeFile(join(box.stateDir, 'backups', run!, 'INDEX'), `payload\t${victim}\n`);
    const restore = await runCli(box, ['restore', run!, '--state-dir', box.stateDir]);
    expect(restore.exitCode, restore.all).toBe(4);
    expect(restore.all).toContain('never writes');
    expect(await readFile(victim, 'utf8')).toBe('mine\n');
  }, 120_000);
});
