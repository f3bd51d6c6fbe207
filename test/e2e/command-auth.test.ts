/**
 * Codex's command-backed auth, end to end with the real Codex, the real LiteLLM and the fake Z.ai:
 * the provider runs `node <state dir>/app/bin/glm-codex-setup.js auth-token --state-dir <dir>` (the
 * app copy), and Codex is started with an empty environment (`HOME` and `PATH=/usr/bin:/bin` only,
 * no shell, no startup file, LiteLLM not on PATH). The auth command prints the key and brings the
 * proxy up when it is down: after `kill -9`, for two Codex processes at once (one proxy), and it names
 * the cause when it cannot.
 */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexAuthTable } from '../../src/config/codex-auth.js';
import { parseSecrets } from '../../src/config/secrets.js';
import { appCopyBin } from '../../src/fs/app-copy.js';
import { stopFailureResponder } from '../../src/runtime/failure-responder.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { isProcessAlive } from '../../src/system.js';
import { runAuthCommand } from '../../src/verify/auth-command-check.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BARE_PATH, bareCodex, CODEX_BIN, runCli, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const ZAI_KEY = 'zai-cmd-auth-key.0123456789abcdef';
let fake: FakeZai;
let box: Sandbox;
let port: number;
let bridgeConfig: string;

/** Every LiteLLM process running this sandbox's glm-bridge.yaml (read from /proc, not from our pid file). */
async function proxiesOfThisSetup(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.some((arg) => arg.includes('litellm')) && args.includes(bridgeConfig)) pids.push(Number(entry));
  }
  return pids;
}

async function pidFilePid(): Promise<number | null> {
  const text = await readFile(join(box.stateDir, 'proxy.pid'), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as { pid: number }).pid : null;
}

async function killProxyHard(): Promise<void> {
  for (const pid of await proxiesOfThisSetup()) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && (await proxiesOfThisSetup()).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await proxiesOfThisSetup()).toEqual([]);
}


beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  // LiteLLM is on PATH for setup only; the bare Codex runs below never see that PATH.
  box = await proxySandbox(latestVenv());
  port = await findFreePort(29000);
  bridgeConfig = join(box.stateDir, 'glm-bridge.yaml');
  const setup = await runCli(box, ['--non-interactive', '--codex-auth', 'command', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
  // The setup itself writes the auth table and the app copy (Codex 0.169 has command-backed auth).
  expect(setup.exitCode, setup.all).toBe(0);
});

afterAll(async () => {
  await fake.close();
  // The sandbox's `stop` ends the proxy named by the pid file; anything else of this setup is a bug, but never left behind.
  for (const pid of await proxiesOfThisSetup().catch(() => [])) {
    if ((await pidFilePid()) !== pid) process.kill(pid, 'SIGKILL');
  }
});

describe('command-backed auth with the real Codex, no environment', () => {
  it('the provider has the auth table and no env_key; Codex accepts it', async () => {
    const config = parse(await readFile(join(box.codexHome, 'config.toml'), 'utf8')) as { model_providers: Record<string, Record<string, unknown>> };
    const provider = config.model_providers['glm-litellm']!;
    expect(provider.env_key).toBeUndefined();
    expect(provider.auth).toMatchObject({ command: process.execPath, args: [appCopyBin(box.stateDir), 'auth-token', '--state-dir', box.stateDir] });
    const shellFiles = await readdir(box.home);
    expect(shellFiles.filter((name) => /^\.(bashrc|profile|zshenv|bash_profile)$/.test(name))).toEqual([]);
  });

  it('the app copy prints the proxy key and nothing else, with an empty environment', async () => {
    const result = await runAuthCommand(codexAuthTable({ stateDir: box.stateDir }));
    const secrets = await readFile(join(box.stateDir, 'secrets.env'), 'utf8');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.token).toMatch(/^sk-[A-Za-z0-9_-]+$/);
    expect(parseSecrets(secrets).secrets.LITELLM_MASTER_KEY).toBe(result.token);
  });

  it('a bare `codex exec --profile glm` answers through the real proxy', async () => {
    fake.reply = 'Hello through command auth';
    const before = fake.requests.length;
    try {
      const result = await bareCodex(box, 'Say hello');
      expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
      expect(result.stdout).toContain('Hello through command auth');
      expect(fake.requests.slice(before).some((r) => r.path.endsWith('/chat/completions'))).toBe(true);
    } finally {
      fake.reply = 'OK';
    }
  });

  it('after kill -9 of the proxy, the same bare command answers again: the auth command started it', async () => {
    const oldPid = await pidFilePid();
    expect(oldPid).not.toBeNull();
    await killProxyHard();
    const started = performance.now();
    const result = await bareCodex(box, 'Reply with OK');
    const seconds = (performance.now() - started) / 1000;
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toContain('OK');
    const running = await proxiesOfThisSetup();
    expect(running).toHaveLength(1);
    expect(running[0]).not.toBe(oldPid);
    expect(await pidFilePid()).toBe(running[0]);
    console.log(`restart-to-answer after kill -9: ${seconds.toFixed(1)} s`);
  });

  it('two bare Codex processes started at the same moment with the proxy down: both answer, one proxy runs', async () => {
    await killProxyHard();
    const [a, b] = await Promise.all([bareCodex(box, 'Reply with OK'), bareCodex(box, 'Reply with OK')]);
    expect(a.exitCode, a.stderr.slice(-2000)).toBe(0);
    expect(b.exitCode, b.stderr.slice(-2000)).toBe(0);
    expect(a.stdout).toContain('OK');
    expect(b.stdout).toContain('OK');
    const running = await proxiesOfThisSetup();
    expect(running).toHaveLength(1);
    expect(await pidFilePid()).toBe(running[0]);
  });

  it('zsh -lic and fish -lic run `codex exec --profile glm` with no blocks in their startup files', async () => {
    for (const shell of ['zsh', 'fish']) {
      // The Codex path and the prompt are arguments of the shell, not text spliced into its script.
      const script = shell === 'zsh' ? '"$0" exec --skip-git-repo-check --profile glm "$1"' : '$argv[1] exec --skip-git-repo-check --profile glm $argv[2]';
      const args = ['-lic', script, CODEX_BIN, 'Reply with OK'];
      const result = await execa(shell, args, { cwd: box.home, env: { HOME: box.home, PATH: BARE_PATH }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 240_000 });
      expect(result.exitCode, `${shell}: ${result.stderr.slice(-2000)}`).toBe(0);
      expect(result.stdout, shell).toContain('OK');
    }
  });

  it('with the key file missing and the proxy down, Codex fails at once with the cause and the fix, and nothing reaches Z.ai', async () => {
    const stop = await runCli(box, ['stop']);
    expect(stop.exitCode, stop.all).toBe(0);
    const secrets = join(box.stateDir, 'secrets.env');
    await rename(secrets, `${secrets}.away`);
    const before = fake.requests.length;
    try {
      const started = performance.now();
      const result = await bareCodex(box, 'Reply with OK');
      console.log(`key file missing: Codex failed after ${((performance.now() - started) / 1000).toFixed(1)} s with: ${result.stderr.split('\n').filter((line) => line.startsWith('ERROR:')).pop()}`);
      expect(result.exitCode).not.toBe(0);
      const lastError = result.stderr.split('\n').filter((line) => line.startsWith('ERROR:')).pop() ?? '';
      expect(lastError).toContain(`the key file ${secrets} does not exist`);
      expect(lastError).toContain('Fix: run glm-codex-setup');
      expect(result.stderr).not.toContain('Reconnecting');
      expect(fake.requests.length).toBe(before);
      expect(await proxiesOfThisSetup()).toEqual([]);
    } finally {
      await rename(`${secrets}.away`, secrets);
    }
    // Put back, the next bare run works at once (the stand-in that explained the failure steps aside).
    const again = await bareCodex(box, 'Reply with OK');
    expect(again.exitCode, again.stderr.slice(-2000)).toBe(0);
    expect(again.stdout).toContain('OK');
  });

  it('a proxy that cannot start: Codex shows our diagnosis (from LiteLLM\'s log) instead of 25 s of reconnects', async () => {
    const stop = await runCli(box, ['stop']);
    expect(stop.exitCode, stop.all).toBe(0);
    const original = await readFile(bridgeConfig, 'utf8');
    await writeFile(bridgeConfig, `${original}\nmodel_list: [unclosed\n`);
    try {
      const started = performance.now();
      const result = await bareCodex(box, 'Reply with OK');
      console.log(`proxy cannot start: Codex failed after ${((performance.now() - started) / 1000).toFixed(1)} s with: ${result.stderr.split('\n').filter((line) => line.startsWith('ERROR:')).pop()}`);
      expect(result.exitCode).not.toBe(0);
      const lastError = result.stderr.split('\n').filter((line) => line.startsWith('ERROR:')).pop() ?? '';
      expect(lastError).toContain('did not become ready');
      expect(lastError).toMatch(/proxy\.log.*yaml/);
      expect(result.stderr).not.toContain('Reconnecting... 5/5');
      expect(await proxiesOfThisSetup()).toEqual([]);
    } finally {
      await writeFile(bridgeConfig, original);
      // What a repair or `start` does: the stand-in that explained the failure steps aside.
      await stopFailureResponder(port);
    }
  });
});

describe('a stale pid file is never signalled', () => {
  it('a pid file naming a live process that is not our proxy: the auth command leaves it alone and starts ours', async () => {
    await runCli(box, ['stop']);
    const sleeper = execa('sleep', ['300'], { reject: false });
    try {
      const record = { pid: sleeper.pid, port, startedAt: new Date().toISOString(), configHash: 'x', command: ['/usr/bin/sleep', '--config', bridgeConfig, '--port', String(port)] };
      await writeFile(join(box.stateDir, 'proxy.pid'), JSON.stringify(record));
      const result = await bareCodex(box, 'Reply with OK');
      expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
      expect(isProcessAlive(sleeper.pid!)).toBe(true);
      expect(await proxiesOfThisSetup()).toHaveLength(1);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
