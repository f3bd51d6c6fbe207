/**
 * Issue 21, a newcomer's second ten minutes: the wizard in a real terminal and the commands it
 * prints, run as printed.
 */
import { chmod, copyFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { findFreePort } from '../../src/runtime/ports.js';
import { waitForReady } from '../../src/verify/validate.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, CODEX_BIN, CODEX_NEWEST_BIN, runCli, sandbox } from '../helpers/cli.js';
import { fixture } from '../helpers/corpus.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { drivePty, KEYS } from '../helpers/pty.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-second-ten.0123456789abcdef';

/** An `npm` whose `install -g @openai/codex` puts the real Codex into a folder on PATH (no network). */
async function npmThatInstallsCodex(): Promise<{ npmDir: string; globalBin: string }> {
  const npmDir = await tempDir('glm-fake-npm-');
  const globalBin = await tempDir('glm-npm-global-');
  await writeFile(
    join(npmDir, 'npm'),
    `#!/bin/sh\n[ "$1 $2 $3" = "install -g @openai/codex" ] || exit 9\nln -s '${CODEX_BIN}' '${globalBin}/codex'\necho "added 1 package"\n`,
  );
  await chmod(join(npmDir, 'npm'), 0o755);
  return { npmDir, globalBin };
}

describe('the wizard installs Codex itself', () => {
  it('writes the model catalog and the profile naming it in the same run', async () => {
    const { npmDir, globalBin } = await npmThatInstallsCodex();
    const box = await sandbox({ codexOnPath: false, extraPath: [npmDir, globalBin] });
    await mkdir(box.codexHome, { recursive: true });
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color', ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Install it now', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).toMatch(/Installed Codex 0\.\d+\.\d+/);
    expect(result.transcript).not.toContain('No model catalog');
    const catalog = JSON.parse(await readFile(join(box.stateDir, 'glm-models.json'), 'utf8'));
    expect(catalog.models.map((m: { slug: string }) => m.slug)).toContain('glm-5.2');
    expect(await readFile(join(box.codexHome, 'glm.config.toml'), 'utf8')).toMatch(/^model_catalog_json = /m);
  });
});

let fake: FakeZai;
beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake?.close());

describe('a broken glm-bridge.yaml while the proxy serves', () => {
  it('`start` leaves the serving proxy alone and says re-running setup rewrites the file; doctor\'s first fix is that re-run', async () => {
    const box = await proxySandbox(latestVenv());
    const port = await findFreePort(31700);
    const setup = await runCli(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    // Progress in the order it happened: every file written before the proxy that reads them is ready (item 15).
    expect(setup.all).toContain('Wrote ~/.glm-codex/glm-bridge.yaml');
    expect(setup.all.lastIndexOf('Wrote '), setup.all).toBeLessThan(setup.all.indexOf('Proxy ready'));
    const pidBefore = JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')).pid as number;
    const bridgePath = join(box.stateDir, 'glm-bridge.yaml');
    const good = await readFile(bridgePath, 'utf8');
    // An unclosed quote, as a hand edit leaves it.
    await writeFile(bridgePath, good.replace(/api_base: "([^"]*)"/, 'api_base: "$1'));

    const doctor = await runCli(box, ['doctor']);
    expect(doctor.exitCode).toBe(7);
    const firstFix = /fix: (.*)/.exec(doctor.all)?.[1] ?? '';
    expect(firstFix, doctor.all).toContain(BIN);
    expect(firstFix, doctor.all).not.toMatch(/ start\b/);

    const start = await runCli(box, ['start']);
    expect(start.exitCode, start.all).toBe(4);
    expect(start.stderr).toContain('glm-bridge.yaml');
    expect(start.stderr).toMatch(/still serving|left running/);
    expect(start.stderr).toContain(`Re-run ${BIN}:`);
    expect(start.stderr).not.toContain('Traceback');
    expect(JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')).pid).toBe(pidBefore);
    await waitForReady(port, { timeoutMs: 5000 });

    // The fix as printed repairs.
    const again = await runCli(box, ['--non-interactive'], {});
    expect(again.exitCode, again.all).toBe(0);
    expect((await runCli(box, ['doctor'])).exitCode).toBe(0);
  });
});

/** Codex loads every config file and gets as far as choosing the provider: the sentinel one is missing. */
async function codexStarts(codexBin: string, box: { home: string; env: Record<string, string> }, profile: string) {
  const result = await execa(codexBin, ['exec', '--skip-git-repo-check', '--strict-config', '--profile', profile, '-c', 'model_provider=glm-test-sentinel', 'hi'], {
    cwd: box.home,
    env: box.env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 60_000,
  });
  return { loaded: result.stderr.includes('Model provider `glm-test-sentinel` not found'), stderr: result.stderr };
}

const LEGACY = `${readFileSync(fixture('legacy-profile-selector.toml'), 'utf8')}
# Reviews only.
[profiles.review] # read-only
sandbox_mode = "read-only"

[profiles.review.shell_environment_policy]
inherit = "core"
`;

describe('legacy profiles in config.toml', () => {
  for (const [release, codexBin] of [['0.169.0', CODEX_BIN], ['0.171.0', CODEX_NEWEST_BIN]] as const) {
    it(`Codex ${release}: doctor names them, a script without --migrate-profiles is told the flag, --migrate-profiles moves them and both profiles start; uninstall keeps them`, async () => {
      const binDir = await tempDir('glm-codex-pin-');
      await symlink(codexBin, join(binDir, 'codex'));
      const box = await sandbox({ extraPath: [binDir] });
      const config = join(box.codexHome, 'config.toml');
      await writeFile(config, LEGACY);
      // Codex itself refuses the file before anything else.
      expect((await codexStarts(codexBin, box, 'glm')).loaded).toBe(false);

      const plain = await runCli(box, ['--non-interactive', '--no-start'], { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(plain.exitCode, plain.all).toBe(0);
      expect(plain.stderr).toMatch(/legacy profiles \(\[profiles\.work\], \[profiles\.quick\], \[profiles\.review\]\)[^\n]*--migrate-profiles/);
      expect(plain.stderr).toMatch(/profile = "work"[^\n]*--migrate-profiles/);
      expect(await readFile(config, 'utf8')).toContain('[profiles.work]');
      // An existing work.config.toml is never overwritten.
      await writeFile(join(box.codexHome, 'work.config.toml'), 'model = "mine"\n');

      const doctor = await runCli(box, ['doctor']);
      expect(doctor.all).toMatch(/FAIL {2}config\.toml holds legacy profiles \(\[profiles\.work\], \[profiles\.quick\], \[profiles\.review\], profile = "work"\)/);
      expect(doctor.all).toContain(`fix: Run \`${BIN} --migrate-profiles\``);

      const migrated = await runCli(box, ['--non-interactive', '--no-start', '--migrate-profiles'], { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(migrated.exitCode, migrated.all).toBe(0);
      expect(migrated.stderr).toMatch(/\[profiles\.work\] stays[^\n]*work\.config\.toml already exists and is never overwritten/);
      expect(migrated.stderr).toContain('profile = "work" is removed');
      expect(migrated.stderr).toContain('`codex --profile work` gives the same settings');
      expect(await readFile(join(box.codexHome, 'work.config.toml'), 'utf8')).toBe('model = "mine"\n');
      expect(await readFile(join(box.codexHome, 'review.config.toml'), 'utf8')).toBe(
        '# Moved here from [profiles.review] in ~/.codex/config.toml by glm-codex-setup: `codex --profile review` reads it.\n# Reviews only.\n# read-only\nsandbox_mode = "read-only"\n\n[shell_environment_policy]\ninherit = "core"\n',
      );
      const after = await readFile(config, 'utf8');
      expect(after).not.toMatch(/^profile = /m);
      expect(after).not.toContain('[profiles.quick]');
      // The backup holds the file as it was.
      const backupDirs = await readdir(join(box.stateDir, 'backups'));
      const backups = await Promise.all(backupDirs.map(async (dir) => (await readdir(join(box.stateDir, 'backups', dir))).map((f) => join(box.stateDir, 'backups', dir, f))));
      const texts = await Promise.all(backups.flat().map((f) => readFile(f, 'utf8').catch(() => '')));
      expect(texts).toContain(LEGACY);

      // Remove the table that could not move, as the message says: then every profile starts.
      await writeFile(config, after.replace(/\[profiles\.work\][\s\S]*?(?=\n\[|$)/, ''));
      for (const profile of ['glm', 'quick', 'review']) {
        const started = await codexStarts(codexBin, box, profile);
        expect(started.loaded, `${profile}: ${started.stderr.slice(-1500)}`).toBe(true);
      }
      expect((await runCli(box, ['doctor'])).all).not.toContain('legacy profiles');

      const uninstall = await runCli(box, ['uninstall', '--yes']);
      expect(uninstall.exitCode, uninstall.all).toBe(0);
      expect(uninstall.all).toMatch(/profiles moved out of config\.toml stay where they are[^\n]*~\/\.codex\/quick\.config\.toml/);
      expect(await readFile(join(box.codexHome, 'quick.config.toml'), 'utf8')).toContain('gpt-5.1-codex-mini');
      expect(await readFile(join(box.codexHome, 'review.config.toml'), 'utf8')).toContain('read-only');
    });
  }

  it('the wizard asks, default yes, and moves them', async () => {
    const box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), LEGACY);
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color', ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'legacy profiles', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(await readFile(join(box.codexHome, 'work.config.toml'), 'utf8')).toContain('model_reasoning_effort = "high"');
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).not.toContain('[profiles.');
    expect((await codexStarts(CODEX_BIN, box, 'work')).loaded).toBe(true);
  });
});

/** The sandbox without GLM_CODEX_AUTH: Codex 0.169 gets the key through the tool's auth command (the default). */
async function commandAuthBox() {
  const box = await sandbox();
  delete (box.env as Record<string, string | undefined>).GLM_CODEX_AUTH;
  return box;
}

describe('with Codex\'s auth command (the default on 0.160+)', () => {
  it('the closing lines name no shell file and no codex-env.sh (with and without --no-shell-rc)', async () => {
    for (const extra of [[], ['--no-shell-rc']]) {
      const box = await commandAuthBox();
      const result = await runCli(box, ['--non-interactive', '--no-start', ...extra], { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toContain('Codex gets the key from its auth command');
      expect(result.all).not.toContain('codex-env.sh');
      expect(result.all).not.toContain('shell startup files');
      await expect(readFile(join(box.stateDir, 'codex-env.sh'), 'utf8')).rejects.toThrow();
    }
  });

  it('"Change them" does not ask about shell startup files', async () => {
    const box = await commandAuthBox();
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      finalTimeout: 90,
      steps: [
        { expect: 'Keep these settings', send: `${KEYS.down}${KEYS.enter}` },
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Keep the Z\\.ai API key', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Port for the proxy', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).not.toContain('shell startup files');
  });
});

describe('run from a checkout with `npm start -- …`', () => {
  it('--help, the hints and the shell block name the full path, and the printed line runs as printed from another folder', async () => {
    const box = await sandbox();
    const root = join(BIN, '..', '..');
    const npm = (args: string[]) =>
      execa('npm', ['--prefix', root, 'start', '--silent', '--', ...args], { cwd: box.home, env: { ...box.env, PATH: `${box.env.PATH}`, ZAI_API_KEY: ZAI_KEY }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 300_000 });
    const help = await npm(['--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain(`\n  ${BIN} doctor\n`);
    expect(help.stdout).toContain(`  ${BIN} --non-interactive --no-start --dry-run`);
    expect(help.stdout).not.toMatch(/npx glm-codex-setup|^ {2}glm-codex-setup /m);

    const setup = await npm(['--non-interactive', '--no-start']);
    expect(setup.exitCode, setup.stderr).toBe(0);
    const all = `${setup.stdout}\n${setup.stderr}`;
    expect(all).not.toContain('npm start');
    const again = /Next time without questions: (.*)/.exec(all)?.[1];
    expect(again).toBeDefined();
    expect(again!.startsWith(`${BIN} `)).toBe(true);
    expect(await readFile(join(box.home, '.bashrc'), 'utf8')).toContain(`# Gives \`codex --profile glm\` its key. \`${BIN} uninstall\` removes this.`);
    // As printed, from a folder that is not the checkout.
    const rerun = await execa('bash', ['-c', again!], { cwd: box.home, env: { ...box.env, ZAI_API_KEY: ZAI_KEY }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 300_000 });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
  });
});

describe('a re-run in the wizard', () => {
  it('"Keep them" asks nothing more (not the stored key, not the default)', async () => {
    const box = await sandbox();
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      finalTimeout: 90,
      steps: [{ expect: 'Keep these settings', send: KEYS.enter }],
    });
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).not.toMatch(/Keep the Z\.ai API key|Make GLM the default/);
  });
});

describe('a key Z.ai refuses', () => {
  it('"Try again after the fix" carries a new key, not the stored one that failed, and runs as printed with it', async () => {
    const box = await sandbox();
    const args = ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase];
    const failed = await runCli(box, args, { env: { ZAI_API_KEY: 'zai-revoked.0123456789abcdef' } });
    expect(failed.exitCode, failed.all).toBe(6);
    const line = /Try again after the fix: (.*)/.exec(failed.all)?.[1] ?? '';
    expect(line, failed.all).toMatch(/^ZAI_API_KEY=… /);
    // As printed, with the new key in place of the ellipsis.
    const command = line.replace(/ {3}\(.*$/, '').replace('ZAI_API_KEY=…', `ZAI_API_KEY=${ZAI_KEY}`);
    const again = await execa('bash', ['-c', command], { cwd: box.home, env: box.env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 300_000 });
    expect(again.exitCode, `${again.stdout}\n${again.stderr}`).toBe(0);
  });
});

describe('a new key on a working setup', () => {
  const REFUSED = 'zai-typo.0123456789abcdef';
  const secretsOf = async (box: { stateDir: string }) => readFile(join(box.stateDir, 'secrets.env'), 'utf8');

  it('non-interactive: Z.ai refuses the new key, the run stops with the bad-key diagnosis and the working key stays', async () => {
    const box = await sandbox();
    const args = ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase];
    expect((await runCli(box, args, { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    const before = await secretsOf(box);
    const refused = await runCli(box, ['--non-interactive'], { env: { ZAI_API_KEY: REFUSED } });
    expect(refused.exitCode, refused.all).toBe(6);
    expect(refused.all).toContain('Z.ai refused the new Z.ai API key');
    expect(refused.all).toContain('is kept, unchanged');
    expect(refused.all).not.toContain(REFUSED);
    expect(await secretsOf(box)).toBe(before);
    expect(await secretsOf(box)).toContain(ZAI_KEY);
  });

  it('the wizard offers to type it again, and keeps the working key when asked to', async () => {
    const box = await sandbox();
    expect((await runCli(box, ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    const before = await secretsOf(box);
    const result = await drivePty({
      argv: [process.execPath, BIN],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      finalTimeout: 180,
      steps: [
        { expect: 'Keep these settings', send: `${KEYS.down}${KEYS.enter}` },
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Endpoint URL', send: KEYS.enter },
        { expect: 'Keep the Z\\.ai API key', send: `n${KEYS.enter}` },
        { expect: 'Your Z\\.ai API key', send: `${REFUSED}${KEYS.enter}` },
        { expect: 'Z\\.ai refused the new key', send: KEYS.enter },
        { expect: 'Your Z\\.ai API key', send: `${REFUSED}${KEYS.enter}` },
        { expect: 'What now', send: `${KEYS.down}${KEYS.enter}` },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).toContain('is kept, unchanged');
    expect(await secretsOf(box)).toBe(before);
  });
});

describe('uninstall without --purge', () => {
  it('leaves only the backups of your own files (and the marker --purge needs), and says where', async () => {
    const box = await sandbox();
    await mkdir(box.codexHome, { recursive: true });
    await writeFile(join(box.codexHome, 'config.toml'), '# mine\nmodel = "o3"\n');
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    // What a proxy that ran leaves behind.
    await writeFile(join(box.stateDir, 'proxy.log'), 'INFO: Uvicorn running on http://127.0.0.1:4000\n');
    for (const name of ['glm-bridge.yaml', 'glm_codex_hooks.py', 'state.json']) expect(existsSync(join(box.stateDir, name)), name).toBe(true);
    const removed = await runCli(box, ['uninstall', '--yes']);
    expect(removed.exitCode, removed.all).toBe(0);
    const left = (await readdir(box.stateDir)).filter((name) => name !== 'venv' && name !== 'uv').sort();
    expect(left).toEqual(['.glm-codex-setup', 'backups']);
    expect(removed.all).toContain('Backups of your own files are kept in ~/.glm-codex/backups');
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe('# mine\nmodel = "o3"\n');
    const again = await runCli(box, ['uninstall', '--yes']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
  });

  it('--purge leaves no empty ~/.config/fish/conf.d/ it created (the user\'s ~/.config/fish stays)', async () => {
    const box = await sandbox();
    const fishDir = join(box.home, '.config', 'fish');
    await mkdir(fishDir, { recursive: true });
    expect((await runCli(box, ['--non-interactive', '--no-start', '--codex-auth', 'env'], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    expect(existsSync(join(fishDir, 'conf.d', 'glm-codex-setup.fish'))).toBe(true);
    const purged = await runCli(box, ['uninstall', '--purge', '--yes']);
    expect(purged.exitCode, purged.all).toBe(0);
    expect(existsSync(join(fishDir, 'conf.d'))).toBe(false);
    expect(existsSync(fishDir)).toBe(true);
  });
});
