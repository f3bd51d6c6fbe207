/**
 * Issue 22 on a shared machine, run as root (where it bites) with `nobody` as the other user:
 * a state dir another user owns or can write is refused before any key goes in; the tool creates
 * its folders private; the auth command refuses an app copy another user can change.
 * Ports 19600-19699.
 */
import { chmod, chown, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandbox } from '../helpers/cli.js';

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
