/**
 * A newcomer's first ten minutes, in a real terminal: the custom URL typed in full, a re-run that
 * changes the endpoint, a typed-ahead "y"+Enter at the diff question, Ctrl-C during the LiteLLM
 * install (then a re-run repairs it, with the spinner on one line of an 80-column terminal),
 * --json in a terminal, and the printed "Next time without questions" line run as printed.
 *
 * The install uses test/helpers/fake-uv/uv, first on PATH: it prints installer-like lines (wider
 * than the terminal), sleeps, and links a prepared LiteLLM venv in, so nothing is downloaded.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { drivePty, KEYS } from '../helpers/pty.js';

const ZAI_KEY = 'zai-newcomer-key.0123456789abcdef';
const FAKE_UV = join(import.meta.dirname, '../helpers/fake-uv');
const TERM = { TERM: 'xterm-256color' };
let fake: FakeZai;
const proxies: Sandbox[] = [];

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => {
  await Promise.all(proxies.map((box) => runCli(box, ['stop'])));
  await fake.close();
});

const bridgeBase = async (box: Sandbox) => parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8')).model_list[0].litellm_params.api_base as string;

describe('the wizard has no traps', () => {
  it('takes a custom URL typed in full (a placeholder, not pre-filled text) and refuses a doubled scheme', async () => {
    const box = await sandbox();
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, ...TERM, ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.down.repeat(4) },
        { expect: 'Another URL', send: KEYS.enter },
        { expect: 'Endpoint URL', send: `https://http://127.0.0.1:9/api${KEYS.enter}` },
        { expect: 'two schemes', send: '\x7f'.repeat(40) + fake.generalBase + KEYS.enter },
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
    expect(await bridgeBase(box)).toBe(fake.generalBase);
    expect(result.transcript).toContain(`--endpoint ${fake.generalBase}`);
  });

  it('a re-run shows the current setup and changes the endpoint', async () => {
    const box = await sandbox();
    const first = await runCli(box, ['--non-interactive', '--no-start', '--endpoint', 'general'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(first.exitCode, first.all).toBe(0);
    expect(await bridgeBase(box)).toBe('https://api.z.ai/api/paas/v4');
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, ...TERM },
      cwd: box.home,
      steps: [
        { expect: 'Keep these settings', send: KEYS.down },
        { expect: 'ask every question again', send: KEYS.enter },
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        // The select starts on the plan in use (general); one up is the Coding Plan.
        { expect: 'Which Z\\.ai endpoint', send: KEYS.up },
        { expect: 'api/coding/paas/v4', send: KEYS.enter },
        { expect: 'Keep the Z\\.ai API key', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Port for the proxy', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).toMatch(/Current setup[\s\S]*Endpoint: https:\/\/api\.z\.ai\/api\/paas\/v4[\s\S]*Model: +glm-5\.2[\s\S]*Port: +4000/);
    expect(result.transcript).toMatch(/The plan[\s\S]*Endpoint: https:\/\/api\.z\.ai\/api\/coding\/paas\/v4/);
    expect(await bridgeBase(box)).toBe('https://api.z.ai/api/coding/paas/v4');
  });

  it('"y" then Enter at "Show the diffs first?" shows the diffs and does not apply them', async () => {
    const box = await sandbox();
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, ...TERM, ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'Show the diffs first', send: `y${KEYS.enter}` },
        // Whether or not the typed-ahead Enter reached it, one more stray Enter must not apply.
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
      finalTimeout: 60,
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.transcript).toMatch(/\+\+\+ \/.*config\.toml/);
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(130);
    expect(existsSync(join(box.codexHome, 'config.toml'))).toBe(false);
    expect(existsSync(join(box.stateDir, 'state.json'))).toBe(false);
  });

  it('--json in a terminal: stdout holds exactly one JSON document, nothing is asked', async () => {
    const box = await sandbox();
    const result = await drivePty({
      argv: ['/bin/sh', '-c', 'exec "$@" > out.json', 'sh', process.execPath, BIN, '--json', '--no-start'],
      env: { ...box.env, ...TERM, ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [],
      finalTimeout: 60,
    });
    expect(result.exit_code, result.transcript).toBe(0);
    const json = JSON.parse(await readFile(join(box.home, 'out.json'), 'utf8'));
    expect(json).toMatchObject({ ok: true, command: 'setup', mode: 'local' });
    expect(JSON.stringify(json)).not.toContain(ZAI_KEY);
  });
});

describe('Ctrl-C during the LiteLLM install', () => {
  it('exits 130, stops the installer, and a re-run repairs it with the spinner on one line of 80 columns', async () => {
    const venv = latestVenv();
    const box = await sandbox({ extraPath: [FAKE_UV] });
    proxies.push(box);
    const port = await findFreePort(25600);
    const env = {
      ...box.env,
      ...TERM,
      ZAI_API_KEY: ZAI_KEY,
      GLM_CODEX_MODE: 'local',
      GLM_CODEX_ENDPOINT: fake.generalBase,
      GLM_CODEX_MODEL: 'glm-5.2',
      GLM_CODEX_MODELS: 'glm-5.2',
      FAKE_UV_SOURCE: venv,
    };
    const argv = [process.execPath, BIN, '--port', String(port), '--no-shell-rc', '--yes'];
    const interrupted = await drivePty({
      argv,
      env: { ...env, FAKE_UV_SLEEP: '1', FAKE_UV_STEPS: '120' },
      cwd: box.home,
      steps: [
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'Resolving dependencies step 2', send: KEYS.ctrlC, timeout: 120 },
      ],
      finalTimeout: 60,
    });
    expect(interrupted.failed_step, interrupted.transcript).toBeNull();
    expect(interrupted.exit_code, interrupted.transcript.slice(-3000)).toBe(130);
    expect(interrupted.transcript).toContain('The LiteLLM install was stopped');
    expect(interrupted.transcript).not.toMatch(/Canceled/);
    // The installer and what it started are gone; the venv is not marked complete.
    const ps = await execa('ps', ['-eo', 'args']);
    expect(ps.stdout).not.toContain(join(box.stateDir, 'venv'));
    expect(existsSync(join(box.stateDir, 'venv', '.glm-codex-complete'))).toBe(false);

    const repaired = await drivePty({
      argv,
      env: { ...env, FAKE_UV_SLEEP: '0.3', FAKE_UV_STEPS: '12' },
      cwd: box.home,
      cols: 80,
      steps: [
        // "Keep them" keeps: no further question.
        { expect: 'Keep these settings', send: KEYS.enter },
      ],
    });
    expect(repaired.failed_step, repaired.transcript).toBeNull();
    expect(repaired.exit_code, repaired.transcript.slice(-3000)).toBe(0);
    expect(existsSync(join(box.stateDir, 'venv', '.glm-codex-complete'))).toBe(true);
    expect(repaired.transcript).toMatch(/Validation \(streaming\)/);
    // The spinner: every frame redrawn on one screen line, none wider than the terminal.
    const spinnerLines = repaired.transcript.split('\n').filter((line) => line.includes('Installing LiteLLM ('));
    expect(spinnerLines).toHaveLength(1);
    const frames = spinnerLines[0]!.split('\r').filter((frame) => frame.trim());
    expect(frames.length).toBeGreaterThan(5);
    for (const frame of frames) expect([...frame].length).toBeLessThanOrEqual(80);
    expect(frames.some((frame) => /Installing LiteLLM \(\d+s\): Resolving dependencies/.test(frame))).toBe(true);
  });
});

describe('the printed "Next time without questions" line runs as printed', () => {
  const nextTime = (stdout: string) => /Next time without questions: (.+)/.exec(stdout)?.[1]?.trim() ?? '';

  it('when the tool is on PATH', async () => {
    const box = await sandbox();
    const binDir = join(box.home, 'bin');
    await mkdir(binDir);
    await symlink(BIN, join(binDir, 'glm-codex-setup'));
    const env = { ...box.env, PATH: `${binDir}:${dirname(process.execPath)}:${box.env.PATH}` };
    const first = await execa('glm-codex-setup', ['--non-interactive', '--no-start', '--endpoint', 'general', '--model', 'glm-5.2'], {
      env: { ...env, ZAI_API_KEY: ZAI_KEY },
      extendEnv: false,
      cwd: box.home,
      reject: false,
    });
    expect(first.exitCode, first.stderr).toBe(0);
    const line = nextTime(first.stdout);
    expect(line).toBe('glm-codex-setup --non-interactive --mode local --endpoint general --model glm-5.2 --models glm-5.2 --port 4000 --no-make-default --codex-auth env --no-autostart --no-start');
    const again = await execa('/bin/sh', ['-c', line], { env, extendEnv: false, cwd: box.home, reject: false });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing written');
  });

  it('when it was started by its path (a checkout): the printed line names that path', async () => {
    const box = await sandbox();
    const env = { ...box.env, PATH: `${dirname(process.execPath)}:${box.env.PATH}` };
    const first = await runCli(box, ['--non-interactive', '--no-start', '--endpoint', 'general'], { env: { PATH: env.PATH, ZAI_API_KEY: ZAI_KEY } });
    expect(first.exitCode, first.stderr).toBe(0);
    const line = nextTime(first.stdout);
    expect(line.startsWith(`${BIN} --non-interactive`), line).toBe(true);
    const again = await execa('/bin/sh', ['-c', line], { env, extendEnv: false, cwd: box.home, reject: false });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing written');
  });

  it('brings back this setup after runs that switched the mode, the models and the default model', async () => {
    const box = await sandbox();
    const env = { ...box.env, PATH: `${dirname(process.execPath)}:${box.env.PATH}` };
    const files = async () => ({
      config: await readFile(join(box.codexHome, 'config.toml'), 'utf8'),
      profile: await readFile(join(box.codexHome, 'glm.config.toml'), 'utf8'),
      state: JSON.parse(await readFile(join(box.stateDir, 'state.json'), 'utf8')),
    });
    await writeFile(join(box.codexHome, 'config.toml'), 'model = "gpt-5.5"\n');
    const first = await runCli(box, ['--non-interactive', '--no-start', '--mode', 'local', '--endpoint', 'general', '--model', 'glm-5.2'], { env: { PATH: env.PATH, ZAI_API_KEY: ZAI_KEY } });
    expect(first.exitCode, first.all).toBe(0);
    const line = nextTime(first.stdout);
    const before = await files();
    // state.json names local mode by leaving `mode` out.
    expect(before.state.mode ?? 'local').toBe('local');

    // Another mode, more models, GLM made the default: every one of them the default of the next run.
    const other = await runCli(box, ['--non-interactive', '--no-start', '--mode', 'direct', '--endpoint', 'coding', '--model', 'glm-5.2', '--models', 'glm-5.2,glm-5.4', '--make-default']);
    expect(other.exitCode, other.all).toBe(0);
    const switched = await files();
    expect(switched.state.mode).toBe('direct');
    expect(switched.config).not.toBe(before.config);

    const again = await execa('/bin/sh', ['-c', line], { env, extendEnv: false, cwd: box.home, reject: false });
    expect(again.exitCode, again.stderr).toBe(0);
    const after = await files();
    expect(after.state.mode ?? 'local').toBe('local');
    expect(after.config).toBe(before.config);
    expect(after.profile).toBe(before.profile);
    expect(after.state.models ?? after.state.model).toEqual(before.state.models ?? before.state.model);
    expect(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8')).not.toContain('glm-5.4');
  }, 180_000);
});

describe('uninstall removes what it stored', () => {
  /** Every file under dir that holds text. */
  async function filesHolding(dir: string, text: string): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    const found: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      if ((await readFile(path, 'utf8').catch(() => '')).includes(text)) found.push(path);
    }
    return found;
  }

  it('needs --yes without a terminal, then leaves no file holding the Z.ai key, and a second run has nothing to remove', async () => {
    const box = await sandbox();
    // Direct mode: the key for shells holds the Z.ai key itself, so its backup would too.
    expect((await runCli(box, ['--non-interactive', '--no-start', '--mode', 'direct'], { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
    expect((await filesHolding(box.home, ZAI_KEY)).length).toBeGreaterThan(0);

    for (const args of [['uninstall'], ['uninstall', '--purge']]) {
      const refused = await runCli(box, args);
      expect(refused.exitCode, refused.all).toBe(2);
      expect(refused.stderr).toContain(`${BIN} ${args.join(' ')} --yes`);
    }
    expect(existsSync(join(box.stateDir, 'secrets.env'))).toBe(true);

    const removed = await runCli(box, ['uninstall', '--yes']);
    expect(removed.exitCode, removed.all).toBe(0);
    expect(await filesHolding(box.home, ZAI_KEY)).toEqual([]);
    expect(removed.stdout).toContain('Removed the stored keys');

    const again = await runCli(box, ['uninstall', '--yes']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
  });

  it('logs names the file it shows; logs -f ends quietly on Ctrl-C', async () => {
    const box = await sandbox();
    await mkdir(box.stateDir, { recursive: true });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(box.stateDir, 'proxy.log'), 'one\ntwo\n');
    const shown = await runCli(box, ['logs']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stderr).toContain('Last 2 lines of ~/.glm-codex/proxy.log');
    expect(shown.stdout).toBe('one\ntwo');
    const followed = await drivePty({
      argv: [process.execPath, BIN, 'logs', '-f'],
      env: { ...box.env, ...TERM },
      cwd: box.home,
      steps: [{ expect: 'following; Ctrl-C stops', send: KEYS.ctrlC }],
      finalTimeout: 30,
    });
    expect(followed.exit_code, followed.transcript).toBe(0);
    expect(followed.transcript).not.toMatch(/Cancelled/);
  });
});

describe('without a terminal: progress at a steady pace, and an outro when the validation fails', () => {
  it('prints a few progress lines (not one per installer line, no ANSI), then says what to do next', async () => {
    const box = await sandbox({ extraPath: [FAKE_UV] });
    proxies.push(box);
    const port = await findFreePort(25650);
    const result = await runCli(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)], {
      env: { ZAI_API_KEY: 'zai-wrong-key.0123456789abcdef', FAKE_UV_SOURCE: latestVenv(), FAKE_UV_SLEEP: '0.5', FAKE_UV_STEPS: '26' },
    });
    expect(result.exitCode, result.all).toBe(6);
    expect(result.all).not.toMatch(/\x1b\[/);
    const progress = result.stdout.split('\n').filter((line) => /^› \d+s: Resolving dependencies step \d+/.test(line));
    expect(progress.length, result.stdout).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(2);
    expect(result.stdout).toMatch(/Installed LiteLLM [\d.]+ \(\d+s\)/);
    const pid = JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8').catch(() => '{}')).pid as number | undefined;
    expect(result.all).toMatch(new RegExp(`proxy is still running \\(pid ${pid ?? '\\d+'}, port ${port}\\); its log: ~/\\.glm-codex/proxy\\.log`));
    // A wrong key: the line carries the new one (the stored key is the refused one).
    expect(result.all).toContain(`Try again after the fix: ZAI_API_KEY=… ${BIN} --non-interactive --mode local --endpoint ${fake.generalBase} --model glm-5.2 --models glm-5.2 --port ${port} --no-make-default --codex-auth env --no-autostart`);
    expect(result.all).not.toContain('codex --profile glm\n');
  });
});
