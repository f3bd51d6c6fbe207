/**
 * Two runs at the same moment, with the real LiteLLM proxy and the fake Z.ai: two fresh setups, then
 * (proxy killed) two re-runs, three rounds. Afterwards exactly one proxy of ours runs and listens,
 * the pid file names it, the key Codex gets is the proxy's, doctor is healthy, and at most one run
 * reported changes. Also: an orphaned proxy of ours (pid file gone) is adopted, stopped and never doubled.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../src/config/secrets.js';
import { renderKeyEnv } from '../../src/config/shell-env.js';
import { resolvePaths } from '../../src/paths.js';
import { findFreePort, findPortHolder } from '../../src/runtime/ports.js';
import { findOwnProxies, readPidRecord } from '../../src/runtime/proxy.js';
import { isProcessRunning } from '../../src/process/info.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { runCli, runCliJson, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const ZAI_KEY = 'zai-concurrency-key.0123456789abcdef';
let fake: FakeZai;
let nextPort = 30500;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake.close());

const setupArgs = (port: number) => ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)];
const setup = (box: Sandbox, port: number) => runCliJson(box, setupArgs(port), { env: { ZAI_API_KEY: ZAI_KEY } });

async function killAndWait(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  while (await isProcessRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Everything that must hold after any set of runs. */
async function expectOneHealthyProxy(box: Sandbox, port: number): Promise<number> {
  const paths = resolvePaths({}, box.env);
  const own = await findOwnProxies(paths);
  expect(own.map((p) => p.port), 'exactly one proxy of ours runs').toEqual([port]);
  const holder = await findPortHolder(port);
  expect(holder?.pid, 'the proxy listens on the port').toBe(own[0]!.pid);
  expect((await readPidRecord(paths))?.pid, 'the pid file names it').toBe(own[0]!.pid);
  const secrets = parseSecrets(await readFile(paths.secrets, 'utf8')).secrets;
  expect(await readFile(join(box.stateDir, 'codex-env.sh'), 'utf8'), "the key Codex gets is the proxy's").toBe(renderKeyEnv('sh', 'LITELLM_API_KEY', secrets.LITELLM_MASTER_KEY!));
  const environ = (await readFile(`/proc/${own[0]!.pid}/environ`, 'utf8')).split('\0');
  expect(environ).toContain(`LITELLM_MASTER_KEY=${secrets.LITELLM_MASTER_KEY}`);
  const doctor = await runCli(box, ['doctor']);
  expect(doctor.exitCode, doctor.all).toBe(0);
  return own[0]!.pid;
}

describe('concurrent runs', () => {
  for (const round of [1, 2, 3]) {
    it(`round ${round}: two fresh setups at once, then two re-runs at once with the proxy down`, { timeout: 600_000 }, async () => {
      const box = await proxySandbox(latestVenv(), { codexOnPath: false });
      const port = await findFreePort(nextPort);
      nextPort = port + 1;

      const fresh = await Promise.all([setup(box, port), setup(box, port)]);
      for (const run of fresh) expect(run.exitCode, run.all).toBe(0);
      expect(fresh.filter((run) => run.json.changes?.length > 0)).toHaveLength(1);
      const pid = await expectOneHealthyProxy(box, port);

      await killAndWait(pid);
      const reruns = await Promise.all([setup(box, port), setup(box, port)]);
      for (const run of reruns) expect(run.exitCode, run.all).toBe(0);
      expect(reruns.filter((run) => run.json.changes?.length > 0)).toHaveLength(0);
      expect(reruns.map((run) => run.json.proxy?.action).sort()).toEqual(['reused', 'started']);
      await expectOneHealthyProxy(box, port);
    });
  }

  it('an orphaned proxy of ours (pid file gone) is seen by status, adopted by start, ended by stop', { timeout: 600_000 }, async () => {
    const box = await proxySandbox(latestVenv(), { codexOnPath: false });
    const port = await findFreePort(nextPort);
    nextPort = port + 1;
    expect((await setup(box, port)).exitCode).toBe(0);
    const paths = resolvePaths({}, box.env);
    const orphan = (await readPidRecord(paths))!.pid;
    await rm(paths.pidFile);

    const status = await runCliJson(box, ['status']);
    expect(status.exitCode, status.all).toBe(0);
    expect(status.json.pid).toBe(orphan);
    // doctor names it for what it is (a run that did not finish), not "an older configuration".
    const doctor = await runCliJson(box, ['doctor']);
    const proxyCheck = (doctor.json.checks as { id: string; status: string; message: string }[]).find((c) => c.id === 'proxy');
    expect(proxyCheck?.message, doctor.all).toMatch(new RegExp(`pid ${orphan}\\) was started by a run that did not finish`));
    expect(proxyCheck?.message).not.toMatch(/older configuration/);

    // A re-run does not tell the user to move to another port: it takes the orphan over (restarting it, its configuration being unknown).
    const rerun = await setup(box, port);
    expect(rerun.exitCode, rerun.all).toBe(0);
    expect(await isProcessRunning(orphan)).toBe(false);
    const adoptedPid = await expectOneHealthyProxy(box, port);

    await rm(paths.pidFile);
    const stop = await runCliJson(box, ['stop']);
    expect(stop.exitCode, stop.all).toBe(0);
    expect(stop.json.stoppedAll).toEqual([adoptedPid]);
    expect(await isProcessRunning(adoptedPid)).toBe(false);
    expect(await findOwnProxies(paths)).toEqual([]);
  });
});
