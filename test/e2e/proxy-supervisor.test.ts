/**
 * The supervised proxy, with the real LiteLLM and the real Codex: after kill -9 it answers again with
 * nothing typed (and Codex's auth command finds it up), after `stop` it stays gone, a start that keeps
 * failing backs off and leaves its reason for doctor and the auth command, and uninstall or a switch to
 * direct mode end the supervisor.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidRecord, findOwnProxies } from '../../src/runtime/proxy.js';
import { resolvePaths } from '../../src/paths.js';
import { appCopyBin } from '../../src/fs/app-copy.js';
import { processArgv, isProcessRunning } from '../../src/process/info.js';
import { findFreePort, isPortFree } from '../../src/runtime/ports.js';
import { responderMessage } from '../../src/runtime/failure-responder.js';
import { readSupervisorRecord, runningSupervisor } from '../../src/runtime/supervisor.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { bareCodex, runCli, runCliJson, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const ZAI_KEY = 'zai-supervisor-key.0123456789abcdef';
let fake: FakeZai;
let box: Sandbox;
let port: number;
let paths: ReturnType<typeof resolvePaths>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ready(): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health/readiness`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function killHard(pid: number): Promise<number> {
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await waitFor('the killed proxy to be gone', async () => !(await isProcessRunning(pid)), 10_000);
  return killedAt;
}

const setupArgs = () => ['--non-interactive', '--codex-auth', 'command', '--endpoint', fake.generalBase, '--port', String(port)];

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  box = await proxySandbox(latestVenv());
  box.env.GLM_CODEX_SUPERVISOR = 'on';
  port = await findFreePort(31400);
  paths = resolvePaths({}, box.env);
  const setup = await runCli(box, setupArgs(), { env: { ZAI_API_KEY: ZAI_KEY } });
  expect(setup.exitCode, setup.all).toBe(0);
});
afterAll(async () => {
  await runCli(box, ['stop']);
  await fake.close();
});

describe('a supervised proxy', () => {
  it('setup started a supervisor from the app copy, recorded with its start time', async () => {
    const record = await runningSupervisor(paths);
    expect(record).not.toBeNull();
    expect(record!.processStartTime).toMatch(/^\d+$/);
    expect(await processArgv(record!.pid)).toEqual([process.execPath, appCopyBin(box.stateDir), 'supervise', '--state-dir', box.stateDir]);
    // No key in its environment.
    const environ = await readFile(`/proc/${record!.pid}/environ`, 'utf8');
    expect(environ).not.toContain(ZAI_KEY);
    const { json } = await runCliJson(box, ['doctor']);
    expect(json.checks.find((c: { id: string }) => c.id === 'supervisor')).toMatchObject({ status: 'PASS' });
  });

  it('kill -9: the proxy is started again with nothing typed, and a new codex exec finds it up', async () => {
    const before = (await readPidRecord(paths))!;
    const killedAt = await killHard(before.pid);
    const after = await waitFor('a new pid file', async () => {
      const record = await readPidRecord(paths);
      return record && record.pid !== before.pid ? record : null;
    }, 10_000);
    const spawnedAfterMs = Date.parse(after.startedAt) - killedAt;
    await waitFor('the proxy to answer again', ready, 120_000);
    const backAfterMs = Date.now() - killedAt;
    console.log(`supervisor: new LiteLLM spawned ${spawnedAfterMs} ms after kill -9; ready after ${backAfterMs} ms`);
    // Detected and started within 2 s: the rest is LiteLLM's own start.
    expect(spawnedAfterMs).toBeLessThan(2_000);

    const requests = fake.requests.length;
    const codex = await bareCodex(box, 'Reply with OK');
    expect(codex.exitCode, String(codex.stderr).slice(-3000)).toBe(0);
    expect(codex.stdout).toContain('OK');
    expect(fake.requests.length).toBeGreaterThan(requests);
    // The auth command found the proxy up: it did not start another one.
    expect((await readPidRecord(paths))!.pid).toBe(after.pid);
  });

  it('after stop it stays gone, and so does the supervisor', async () => {
    const supervisor = (await runningSupervisor(paths))!;
    const stop = await runCli(box, ['stop']);
    expect(stop.exitCode, stop.all).toBe(0);
    expect(await isProcessRunning(supervisor.pid)).toBe(false);
    expect(await readSupervisorRecord(paths)).toBeNull();
    // Twelve of the supervisor's looks (it looks every 250 ms): none starts a proxy.
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      expect(await findOwnProxies(paths)).toEqual([]);
      expect(await isPortFree(port)).toBe(true);
    }
  });

  it('a start that keeps failing backs off, and its reason reaches doctor and the auth command', { timeout: 900_000 }, async () => {
    const start = await runCli(box, ['start']);
    expect(start.exitCode, start.all).toBe(0);
    const supervisor = (await runningSupervisor(paths))!;
    const bridge = join(box.stateDir, 'glm-bridge.yaml');
    const good = await readFile(bridge, 'utf8');
    const readLog = async () => (await readFile(join(box.stateDir, 'supervisor.log'), 'utf8')).split('\n');
    const logTime = (log: string[], pattern: RegExp) => Date.parse(log.find((line) => pattern.test(line))!.split(' ')[0]!);
    try {
      // LiteLLM refuses this configuration at start.
      await writeFile(bridge, `${good}\nrouter_settings: [unclosed\n`);
      await killHard((await readPidRecord(paths))!.pid);
      const failure = await waitFor('the first failed start', async () => {
        const text = await readFile(join(box.stateDir, 'proxy-failure.json'), 'utf8').catch(() => null);
        return text ? (JSON.parse(text) as { attempts: number; reason: string; nextAttemptAt: string }) : null;
      }, 120_000);
      expect(failure.attempts).toBe(1);
      expect(failure.reason).toContain('Last lines of');
      // Not a loop: 2 s before the second try, 4 s before the third (each failed start itself takes LiteLLM's start time).
      // The whole series (8, 16 ... 60 s) runs on the loop's own clock in test/unit/supervisor-backoff.test.ts.
      const log = await waitFor('the second failed start', async () => {
        const lines = await readLog();
        return lines.some((line) => /start 2 failed/.test(line)) ? lines : null;
      }, 300_000);
      expect(log.filter((line) => /failed; next try in/.test(line)).map((line) => /next try in (\d+) s/.exec(line)![1])).toEqual(['2', '4']);
      expect(logTime(log, /attempt 2\)/) - logTime(log, /start 1 failed/)).toBeGreaterThanOrEqual(1_900);
      expect(await isProcessRunning(supervisor.pid)).toBe(true);

      const { json } = await runCliJson(box, ['doctor']);
      const line = json.checks.find((c: { id: string }) => c.id === 'supervisor');
      expect(line).toMatchObject({ status: 'FAIL' });
      expect(line.message).toMatch(/could not start again \(\d attempts?/);
      expect(line.message).toContain('Last lines of');

      // Codex's auth command: no start of its own; the reason on stderr, and on the port for Codex.
      const auth = await execa(process.execPath, [appCopyBin(box.stateDir), 'auth-token', '--state-dir', box.stateDir], {
        env: { HOME: box.home, PATH: '/usr/bin:/bin' },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        timeout: 60_000,
      });
      expect(auth.exitCode).not.toBe(0);
      expect(auth.stdout).toBe('');
      expect(auth.stderr).toContain('could not start again');
      const standIn = await responderMessage(port);
      expect(standIn?.message).toContain('could not start again');
    } finally {
      await writeFile(bridge, good);
    }
    // Fixed: the supervisor's next try brings it back, not sooner than 4 s after the second failure.
    await waitFor('the proxy after the fix', ready, 300_000);
    const after = await readLog();
    expect(logTime(after, /attempt 3\)/) - logTime(after, /start 2 failed/)).toBeGreaterThanOrEqual(3_900);
  });

  it('a switch to direct mode ends the supervisor; back to local starts one; uninstall ends it', { timeout: 600_000 }, async () => {
    const supervisor = (await runningSupervisor(paths))!;
    const direct = await runCli(box, ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(direct.exitCode, direct.all).toBe(0);
    expect(await isProcessRunning(supervisor.pid)).toBe(false);
    expect(await runningSupervisor(paths)).toBeNull();
    expect(await findOwnProxies(paths)).toEqual([]);

    const local = await runCli(box, [...setupArgs(), '--mode', 'local'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(local.exitCode, local.all).toBe(0);
    const again = (await runningSupervisor(paths))!;
    expect(again).not.toBeNull();
    const uninstall = await runCli(box, ['uninstall', '--yes']);
    expect(uninstall.exitCode, uninstall.all).toBe(0);
    expect(await isProcessRunning(again.pid)).toBe(false);
    await sleep(3000);
    expect(await findOwnProxies(paths)).toEqual([]);
  });
});
