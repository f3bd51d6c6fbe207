/**
 * `usage` end to end: the real Codex writes its own session logs (turns against the stand-in's Responses
 * endpoint through the tool's profile, and one through a plain provider of the user's), then `usage`
 * counts exactly the tokens the stand-in reported for the tool's sessions; the Coding Plan's windows come
 * from the stand-in's quota API in local, direct and gateway (the key's budget) setups, as a table and as
 * one JSON document; a plan with one window, a spent window (usage and doctor WARN, naming the reset), the
 * quota API down, a bad key and a pay-as-you-go key are each one line, never a failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { findFreePort } from '../../src/runtime/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuotaScript } from '../fake-zai/quota.js';
import { RESPONSES_PATH, startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { CODEX_BIN, runCli, runCliJson, sandbox, type Sandbox } from '../helpers/cli.js';
import { startTestGateway } from '../helpers/gateway.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

// Ports: this file takes 31800-31899 (the real LiteLLM proxy and gateway); the stand-ins listen on port 0.
const ZAI_KEY = 'zai-usage-e2e.0123456789abcdef';
const TZ = 'Asia/Shanghai';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake?.close());

/** What the stand-in's Responses endpoint reports per response (responses.ts). */
const PER_RESPONSE = { input: 12, cachedInput: 0, output: 3, reasoning: 1, total: 15 };

function codex(box: Sandbox, args: string[], env: Record<string, string> = {}) {
  return execa(CODEX_BIN, ['exec', '--skip-git-repo-check', ...args], { cwd: box.home, env: { ...box.env, ...env }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
}

/** The stand-in's Responses requests made with `key`, from `from` on. */
const responsesSince = (from: number) => fake.requests.slice(from).filter((r) => r.path === RESPONSES_PATH);

/** "10:13" in the zone the CLI runs in. */
/**
 * The tool's rendering of a reset time in `timeZone` as seen at `now`: "00:38" on the same local day,
 * "Mon 7 Dec 00:38" on another (a reset 2 h away is tomorrow in Shanghai from 13:47 UTC).
 */
function clockIn(date: Date, timeZone: string, now: Date): string {
  const part = (at: Date, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone, ...options }).format(at);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  const day = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);
  return day(date) === day(now) ? time : `${part(date, { weekday: 'short' })} ${part(date, { day: 'numeric' })} ${part(date, { month: 'short' })} ${time}`;
}

/** The renderings the run may have printed: its clock was somewhere between `before` and now. */
function clocksSince(date: Date, timeZone: string, before: number): string[] {
  return [...new Set([clockIn(date, timeZone, new Date(before)), clockIn(date, timeZone, new Date())])];
}

/** `text` holds `template` with one of `clocks` in place of CLOCK. */
function expectWithClock(text: string, template: string, clocks: string[]): void {
  const candidates = clocks.map((clock) => template.replaceAll('CLOCK', clock));
  expect(candidates.some((candidate) => text.includes(candidate)), `${text}\n--- expected one of:\n${candidates.join('\n')}`).toBe(true);
}

function setQuota(changes: Partial<ReturnType<typeof defaultQuotaScript>>): void {
  Object.assign(fake.quota, defaultQuotaScript(), changes);
}

describe('usage in direct mode, with the real Codex\'s session logs', () => {
  let box: Sandbox;
  let ours = 0;

  beforeAll(async () => {
    box = await sandbox();
    const setup = await runCli(box, ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase, '--model', 'glm-5.2', '--models', 'glm-5.2,glm-5.3', '--no-start'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const keyEnv = { GLM_CODEX_ZAI_KEY: ZAI_KEY };
    // Two sessions through the tool's profile, one of them on another model.
    let before = fake.requests.length;
    for (const args of [['--profile', 'glm', 'Say it'], ['--profile', 'glm', '-m', 'glm-5.3', 'Say it again']]) {
      const run = await codex(box, args, keyEnv);
      expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    }
    ours = responsesSince(before).length;
    // A session of the user's own provider, to the same server: not the tool's, not counted.
    before = fake.requests.length;
    const plain = await codex(
      box,
      ['-c', `model_providers.plain={ name = "plain", base_url = "${fake.responsesBase}", env_key = "PLAIN_KEY", wire_api = "responses" }`, '-c', 'model_provider="plain"', '-m', 'glm-5.2', 'Say it plainly'],
      { PLAIN_KEY: ZAI_KEY },
    );
    expect(plain.exitCode, plain.stderr.slice(-2000)).toBe(0);
    expect(responsesSince(before).length, 'the plain provider reached the stand-in').toBeGreaterThan(0);
  }, 600_000);

  it('--json: one document with the windows and exactly the tokens of the tool\'s sessions, per model', async () => {
    const reset5h = Date.now() + 133 * 60_000 - 1000;
    const resetWeek = Date.now() + 3 * 86_400_000;
    setQuota({ fiveHour: { percentage: 42, nextResetTime: reset5h }, weekly: { percentage: 17, nextResetTime: resetWeek } });
    const before = fake.requests.length;
    const result = await runCliJson(box, ['usage'], { env: { TZ } });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json).toMatchObject({
      ok: true,
      command: 'usage',
      mode: 'direct',
      quota: {
        plan: 'pro',
        windows: [
          { name: '5h', usedPercent: 42, resetsAt: new Date(reset5h).toISOString(), windowMinutes: 300 },
          { name: 'weekly', usedPercent: 17, resetsAt: new Date(resetWeek).toISOString(), windowMinutes: 10080 },
        ],
      },
      quotaError: null,
    });
    expect(ours).toBe(2);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
    expect(result.json.tokens.byDay).toEqual([
      { date: today, model: 'glm-5.2', ...PER_RESPONSE, sessions: 1 },
      { date: today, model: 'glm-5.3', ...PER_RESPONSE, sessions: 1 },
    ]);
    expect(result.json.tokens.total).toEqual({ input: 24, cachedInput: 0, output: 6, reasoning: 2, total: 30, sessions: 2 });
    // The quota API got the raw key on the endpoint's origin; nothing else was asked.
    expect(fake.requests.slice(before).map((r) => [r.method, r.path, r.authorization])).toEqual([['GET', '/api/monitor/usage/quota/limit', ZAI_KEY]]);
    expect(result.all).not.toContain(ZAI_KEY);
  });

  it('the table: bars, percent used, reset in local time and as "in 2 h 13 min", tokens per day and model', async () => {
    const before = Date.now();
    const reset5h = before + 133 * 60_000 - 1000;
    setQuota({ fiveHour: { percentage: 42, nextResetTime: reset5h } });
    const result = await runCli(box, ['usage'], { env: { TZ } });
    expect(result.exitCode, result.all).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('GLM Coding Plan (pro), from Z.ai\'s quota API:');
    const fiveHour = lines.find((l) => l.startsWith('  5-hour')) ?? '';
    expectWithClock(`${fiveHour}\n`, '  5-hour  [████████░░░░░░░░░░░░]  42% used   resets CLOCK (in 2 h 13 min)\n', clocksSince(new Date(reset5h), TZ, before));
    expect(lines.find((l) => l.startsWith('  weekly'))).toMatch(/^ {2}weekly {2}\[███░{17}\] {2}17% used {3}resets \w{3} \d+ \w{3} \d\d:\d\d \(in 3 d\)$/);
    expect(result.stdout).toMatch(/Tokens Codex spent on GLM, last 7 days \(since \d{4}-\d\d-\d\d\), from ~\/\.codex\/sessions:/);
    expect(lines.filter((l) => /^ {2}\d{4}-\d\d-\d\d {2}glm-5\.[23] +12 +0 +3 +1 +15 +1$/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('  total'))).toMatch(/^ {2}total +24 +0 +6 +2 +30 +2$/);
  });

  it('a plan with the 5-hour window only shows that one; --days is a flag of usage alone', async () => {
    setQuota({ weekly: null, level: 'lite' });
    const result = await runCliJson(box, ['usage', '--days', '1']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.quota).toMatchObject({ plan: 'lite', windows: [{ name: '5h' }] });
    expect(result.json.quota.windows).toHaveLength(1);
    expect(result.json.tokens.days).toBe(1);
    expect(result.stderr).not.toMatch(/weekly/);
    const misplaced = await runCli(box, ['doctor', '--days', '3']);
    expect(misplaced.exitCode).toBe(2);
    expect(misplaced.stderr).toContain('--days is not a flag of `doctor` (it belongs to usage)');
    for (const bad of ['0', 'seven', '99999']) expect((await runCli(box, ['usage', '--days', bad])).exitCode).toBe(2);
  });

  it('a spent 5-hour window: usage and doctor name the refusal and when it ends (a WARN: doctor stays healthy)', async () => {
    const before = Date.now();
    const reset5h = before + 47 * 60_000 - 1000;
    setQuota({ fiveHour: { percentage: 100, nextResetTime: reset5h } });
    const usage = await runCli(box, ['usage'], { env: { TZ } });
    expect(usage.exitCode, usage.all).toBe(0);
    expectWithClock(usage.all, `The GLM Coding Plan's 5-hour window is spent: Z.ai refuses requests (code 1308, "Usage limit reached") until CLOCK (in 47 min).`, clocksSince(new Date(reset5h), TZ, before));
    expectWithClock(usage.all, 'fix: Wait until CLOCK', clocksSince(new Date(reset5h), TZ, before));
    const doctor = await runCliJson(box, ['doctor'], { env: { TZ } });
    expect(doctor.exitCode, doctor.all).toBe(0);
    const quota5h = doctor.json.checks.find((c: { id: string }) => c.id === 'quota-5h');
    expect(quota5h).toMatchObject({ status: 'WARN' });
    expectWithClock(quota5h.message, 'until CLOCK (in 47 min)', clocksSince(new Date(reset5h), TZ, before));
  });

  it('the quota API does not answer, answers 500, or the key has no plan: one line, the tokens still shown, exit 0', async () => {
    setQuota({ answer: 'hang' });
    const started = Date.now();
    const hung = await runCliJson(box, ['usage'], { env: { GLM_CODEX_QUOTA_TIMEOUT_MS: '1500' } });
    expect(hung.exitCode, hung.all).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(hung.json).toMatchObject({ ok: true, quota: null, quotaError: { kind: 'unreachable', message: expect.stringMatching(/did not answer within 2 s/) } });
    expect(hung.json.tokens.total.total).toBe(30);
    expect(hung.stderr.split('\n').filter((l) => l.startsWith('Coding Plan windows'))).toEqual([expect.stringMatching(/^Coding Plan windows: not available\. Z\.ai's quota API did not answer/)]);
    setQuota({ answer: 'server-error' });
    expect((await runCliJson(box, ['usage'])).json).toMatchObject({ ok: true, quotaError: { kind: 'http' } });
    setQuota({ answer: 'payg' });
    const payg = await runCliJson(box, ['usage']);
    expect(payg.json).toMatchObject({ ok: true, quota: null, quotaError: { kind: 'not-coding-plan', message: expect.stringMatching(/pay-as-you-go/) } });
    const doctor = await runCliJson(box, ['doctor']);
    expect(doctor.json.checks).toContainEqual(expect.objectContaining({ id: 'quota', status: 'PASS', message: expect.stringMatching(/No GLM Coding Plan windows/) }));
    setQuota({});
  });

  it('the validation refused with a 429 while the 5-hour window is spent: setup names the window and its reset', async () => {
    const before = Date.now();
    const reset5h = before + 47 * 60_000 - 1000;
    setQuota({ fiveHour: { percentage: 100, nextResetTime: reset5h } });
    fake.scenario = 'rate-limit';
    try {
      const other = await sandbox();
      const setup = await runCli(other, ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase], { env: { ZAI_API_KEY: ZAI_KEY, TZ } });
      expect(setup.exitCode, setup.all).toBe(6);
      expectWithClock(setup.all, `The GLM Coding Plan's 5-hour window is spent: Z.ai refuses requests (code 1308, "Usage limit reached") until CLOCK (in 47 min).`, clocksSince(new Date(reset5h), TZ, before));
    } finally {
      fake.scenario = 'ok';
      setQuota({});
    }
  });

  it('a key Z.ai does not know: the quota line says so, never the key', async () => {
    const other = await sandbox();
    const setup = await runCli(other, ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase, '--no-start'], { env: { ZAI_API_KEY: 'zai-wrong-key.0123456789abcdef' } });
    expect(setup.exitCode, setup.all).toBe(0);
    const result = await runCliJson(other, ['usage']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json).toMatchObject({ quota: null, quotaError: { kind: 'bad-key', message: expect.stringMatching(/refused the key \(401/) }, tokens: { total: { sessions: 0 }, byDay: [] } });
    expect(result.all).not.toContain('zai-wrong-key');
  });
});

describe('usage in local mode (quota from the chat endpoint\'s origin) and with nothing set up', () => {
  it('local: the windows from the same origin as the chat endpoint, no proxy needed; status shows both percentages', async () => {
    setQuota({});
    const box = await sandbox();
    const setup = await runCli(box, ['--non-interactive', '--endpoint', fake.codingBase, '--no-start'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const result = await runCliJson(box, ['usage']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json).toMatchObject({ mode: 'local', quota: { plan: 'pro', windows: [{ name: '5h', usedPercent: 42 }, { name: 'weekly', usedPercent: 17 }] }, tokens: { total: { total: 0 } } });
    // status: the two percentages in one line, beside the proxy's state.
    const status = await runCli(box, ['status']);
    expect(status.stdout.split('\n')).toContain('GLM Coding Plan (pro): 5-hour 42% used, weekly 17% used');
    const statusJson = await runCliJson(box, ['status']);
    expect(statusJson.json).toMatchObject({ command: 'status', running: false, quota: { plan: 'pro', windows: [{ name: '5h', usedPercent: 42 }, { name: 'weekly', usedPercent: 17 }] } });
  });

  it('nothing set up: exit 7 with the fix', async () => {
    const box = await sandbox();
    const result = await runCliJson(box, ['usage']);
    expect(result.exitCode).toBe(7);
    expect(result.json).toMatchObject({ ok: false, command: 'usage', error: { code: 'not-set-up' } });
  });
});

describe('usage in gateway mode: the virtual key\'s spend and budget from /key/info', () => {
  const GATEWAY_KEY = 'sk-dev-key-0123456789abcdef';
  let server: Server;
  let url: string;
  let keyInfo: { status: number; body: unknown } = { status: 200, body: {} };
  const seen: { path: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    // LiteLLM's /key/info (1.108.7) for the calling key: {"key":…,"info":{spend, max_budget, budget_duration, budget_reset_at, key_alias,…}}.
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if (req.url !== '/key/info' || req.headers.authorization !== `Bearer ${GATEWAY_KEY}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Authentication Error, Invalid proxy server token passed.', type: 'auth_error', param: 'None', code: '401' } }));
        return;
      }
      res.writeHead(keyInfo.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(keyInfo.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('spend of budget with a bar and the reset; the gateway key in no output; a gateway without a database is a note', async () => {
    const box = await sandbox();
    const setup = await runCli(box, ['--non-interactive', '--mode', 'gateway', '--gateway-url', url, '--no-start'], { env: { GLM_CODEX_GATEWAY_KEY: GATEWAY_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const resetAt = new Date(Date.now() + 5 * 86_400_000 + 60_000);
    keyInfo = { status: 200, body: { key: GATEWAY_KEY, info: { key_alias: 'alice-20261201T090000Z', spend: 2.5, max_budget: 10, budget_duration: '30d', budget_reset_at: resetAt.toISOString(), models: [], status: 'active' } } };
    const json = await runCliJson(box, ['usage']);
    expect(json.exitCode, json.all).toBe(0);
    expect(json.json).toMatchObject({ mode: 'gateway', quota: null, quotaError: null, gatewayKey: { spend: 2.5, maxBudget: 10, budgetDuration: '30d', budgetResetAt: resetAt.toISOString(), keyAlias: 'alice-20261201T090000Z' }, gatewayKeyError: null });
    expect(seen.at(-1)).toEqual({ path: '/key/info', authorization: `Bearer ${GATEWAY_KEY}` });
    const table = await runCli(box, ['usage']);
    expect(table.stdout).toContain('Your gateway key (alice-20261201T090000Z):');
    expect(table.stdout).toMatch(/ {2}budget {2}\[█████░{15}\] \$2\.50 of \$10\.00 per 30d {3}resets \w{3} \d+ \w{3} \d\d:\d\d \(in 5 d\)/);
    expect(json.all + table.all).not.toContain(GATEWAY_KEY);

    keyInfo = { status: 200, body: { key: GATEWAY_KEY, info: { spend: 10.2, max_budget: 10 } } };
    const doctor = await runCliJson(box, ['doctor']);
    expect(doctor.json.checks).toContainEqual(expect.objectContaining({ id: 'key-budget', status: 'WARN', message: expect.stringMatching(/budget is spent \(\$10\.20 of \$10\.00\)/) }));

    // LiteLLM without a database: its /key/info raises "Database not connected" (1.108.7's info_key_fn).
    keyInfo = { status: 500, body: { error: { message: 'Database not connected. Connect a database to your proxy', type: 'internal_server_error', param: 'None', code: '500' } } };
    const noDb = await runCliJson(box, ['usage']);
    expect(noDb.exitCode, noDb.all).toBe(0);
    expect(noDb.json).toMatchObject({ gatewayKey: null, gatewayKeyError: { kind: 'no-database', message: expect.stringMatching(/without its database, .*\(Database not connected/) } });
  });
});

describe('usage with the real LiteLLM', () => {
  it('local mode: the session of setup\'s own `codex exec` through the proxy is counted as the upstream reported it; stop ends the proxy', async () => {
    setQuota({});
    const box = await proxySandbox(latestVenv());
    const port = await findFreePort(31800);
    const before = fake.requests.length;
    const setup = await runCli(box, ['--non-interactive', '--endpoint', fake.codingBase, '--port', String(port), '--model', 'glm-5.2'], { env: { ZAI_API_KEY: ZAI_KEY } });
    try {
      expect(setup.exitCode, setup.all).toBe(0);
      // Codex's requests carry its instructions as a system message; the validation's do not.
      const codexCalls = fake.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions') && Array.isArray(r.body?.messages) && (r.body!.messages as { role: string }[]).some((m) => m.role === 'system' || m.role === 'developer'));
      expect(codexCalls.length).toBeGreaterThan(0);
      const result = await runCliJson(box, ['usage']);
      expect(result.exitCode, result.all).toBe(0);
      // The stand-in's chat usage per answer: 12 prompt tokens, 3 completion tokens, none cached or reasoning.
      const n = codexCalls.length;
      expect(result.json).toMatchObject({ mode: 'local', quota: { plan: 'pro' }, tokens: { total: { input: 12 * n, cachedInput: 0, output: 3 * n, reasoning: 0, total: 15 * n, sessions: 1 } } });
      expect(result.json.tokens.byDay).toEqual([expect.objectContaining({ model: 'glm-5.2', total: 15 * n, sessions: 1 })]);
    } finally {
      await runCli(box, ['stop']);
    }
  }, 600_000);

  it('gateway mode against the real LiteLLM gateway without a database: /key/info cannot say, one line, exit 0', async () => {
    const box = await sandbox();
    const gateway = await startTestGateway({ box, fake, zaiKey: ZAI_KEY, venv: latestVenv(), portFrom: 31850 });
    try {
      const setup = await runCli(box, ['--non-interactive', '--mode', 'gateway', '--gateway-url', gateway.url, '--no-start'], { env: { GLM_CODEX_GATEWAY_KEY: gateway.masterKey } });
      expect(setup.exitCode, setup.all).toBe(0);
      const result = await runCliJson(box, ['usage']);
      expect(result.exitCode, result.all).toBe(0);
      // Measured: LiteLLM 1.108.7 answers a bare HTTP 500 here; its readiness check names the missing database.
      expect(result.json).toMatchObject({ mode: 'gateway', quota: null, gatewayKey: null, gatewayKeyError: { kind: 'no-database', message: expect.stringMatching(/without its database.*"db":"Not connected"/) } });
      expect(result.all).not.toContain(gateway.masterKey);
    } finally {
      await gateway.stop();
    }
  }, 600_000);
});
