/**
 * The bridge's Python callbacks (templates/glm_codex_hooks.py), run by the real LiteLLM venv's Python:
 * its quota parser is a second implementation beside src/usage/quota.ts, so both read the same stand-in
 * answers and must agree; its refusal mapping is checked code by code against the stand-in's bodies.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/templates.js';
import { parseQuota } from '../../src/usage/quota.js';
import { defaultQuotaScript, quotaBody, type QuotaScript } from '../fake-zai/quota.js';
import { REFUSAL_CODES, refusalError } from '../fake-zai/refusals.js';
import { latestVenv } from '../helpers/litellm.js';

const PYTHON = join(latestVenv(), 'bin', 'python');

/** Calls functions of the hooks module: one JSON list of [function, args] in, one JSON list of results out. */
async function runHooks(calls: [string, unknown[]][], extraEnv: Record<string, string> = {}): Promise<unknown[]> {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(packageRoot(), 'templates'))})`,
    'import glm_codex_hooks as h',
    'calls = json.loads(sys.stdin.read())',
    'print(json.dumps([getattr(h, name)(*args) for name, args in calls]))',
  ].join('\n');
  const result = await execa(PYTHON, ['-c', script], { input: JSON.stringify(calls), env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True', PYTHONDONTWRITEBYTECODE: '1', ...extraEnv }, timeout: 120_000 });
  return JSON.parse(String(result.stdout)) as unknown[];
}

const now = Date.UTC(2026, 11, 6, 8, 0, 0);
const base = defaultQuotaScript(now);
const scripts: [string, QuotaScript][] = [
  ['both windows', base],
  ['the 5-hour window only (a plan bought before 2026-02-12)', { ...base, weekly: null }],
  ['a spent 5-hour window', { ...base, fiveHour: { percentage: 100, nextResetTime: now + 60_000 } }],
];
const notQuota = [
  { code: 1113, msg: 'No GLM Coding Plan subscription found for this account.', success: false },
  { code: 401, msg: '令牌已过期或验证不正确', success: false },
  { timestamp: '2026-12-06T08:00:00Z', status: 500, error: 'Internal Server Error' },
  null,
];
const resetsAt = new Date(Date.UTC(2026, 11, 6, 5, 0, 0));
const CALLS: [string, unknown[]][] = [
  ...scripts.map(([, script]): [string, unknown[]] => ['quota_headers', [quotaBody(script), now / 1000]]),
  ...notQuota.map((answer): [string, unknown[]] => ['quota_headers', [answer]]),
  ...REFUSAL_CODES.map((code): [string, unknown[]] => ['refusal', [code, refusalError({ code, resetsAt }).message]]),
  ['header_text', ['余额不足']],
];
const results = new Map<string, unknown>();

beforeAll(async () => {
  const answers = await runHooks(CALLS);
  CALLS.forEach((call, index) => results.set(JSON.stringify(call), answers[index]));
}, 240_000);

async function hooks(calls: [string, unknown[]][]): Promise<unknown[]> {
  return calls.map((call) => {
    const key = JSON.stringify(call);
    if (!results.has(key)) throw new Error(`not computed in the batch: ${key}`);
    return results.get(key);
  });
}

describe('the quota parser in the bridge agrees with the tool\'s', () => {
  it.each(scripts)('%s', async (_name, script) => {
    const body = quotaBody(script);
    const [headers] = (await hooks([['quota_headers', [body, now / 1000]]])) as Record<string, string>[];
    const parsed = parseQuota(JSON.stringify(body));
    expect(parsed.ok).toBe(true);
    const windows = parsed.ok ? parsed.quota.windows : [];
    const expected: Record<string, string> = {};
    for (const window of windows) {
      const name = window.name === '5h' ? 'primary' : 'secondary';
      expected[`x-codex-${name}-used-percent`] = String(window.usedPercent);
      expected[`x-codex-${name}-window-minutes`] = String(window.windowMinutes);
      if (window.resetsAt) {
        expected[`x-codex-${name}-reset-at`] = String(Math.floor(window.resetsAt.getTime() / 1000));
        expected[`x-codex-${name}-reset-after-seconds`] = String(Math.floor((window.resetsAt.getTime() - now) / 1000));
      }
    }
    expect(headers).toEqual(expected);
  });

  it('sends nothing for a key without a Coding Plan, a refused key or an answer that is not the quota', async () => {
    expect(await hooks(notQuota.map((answer) => ['quota_headers', [answer]]))).toEqual([{}, {}, {}, {}]);
  });
});

describe('the fix for a refused key names the setup command as the user runs it', () => {
  it('the command the tool starts the proxy with (a checkout\'s full path), else the package name', async () => {
    const message = refusalError({ code: '1002', resetsAt }).message;
    const fromCheckout = (await runHooks([['refusal', ['1002', message]]], { GLM_CODEX_SETUP_COMMAND: '/home/ada/glm-codex-setup/bin/glm-codex-setup.js' })) as [number, { message: string }][];
    expect(fromCheckout[0]![1].message).toMatch(/run \/home\/ada\/glm-codex-setup\/bin\/glm-codex-setup\.js again with it\.$/);
    const unnamed = (await hooks([['refusal', ['1002', message]]])) as [number, { message: string }][];
    expect(unnamed[0]![1].message).toMatch(/run glm-codex-setup again with it\.$/);
  });
});

describe('the refusal mapping in the bridge, for each of the stand-in\'s bodies', () => {
  it('gives Codex a shape it words: never a 429 for a key, the reset instant for a spent window', async () => {
    const mapped = (await hooks(REFUSAL_CODES.map((code) => ['refusal', [code, refusalError({ code, resetsAt }).message]]))) as [number, Record<string, unknown>, Record<string, string>][];
    const byCode = new Map(REFUSAL_CODES.map((code, index) => [code, mapped[index]!]));
    for (const code of ['1000', '1001', '1002', '1003', '1004'] as const) expect(byCode.get(code)![0]).toBe(400);
    for (const code of ['1304', '1308', '1310'] as const) {
      const [status, fields, headers] = byCode.get(code)!;
      expect(status).toBe(429);
      expect(fields).toMatchObject({ type: 'usage_limit_reached', resets_at: resetsAt.getTime() / 1000 });
      expect(headers['x-codex-promo-message']).toMatch(new RegExp(`^Z\\.ai ${code}: `));
      expect(headers['x-codex-promo-message']).not.toContain('reset at');
    }
    for (const code of ['1113', '1309'] as const) expect(byCode.get(code)![1]).toMatchObject({ type: 'usage_limit_reached' });
    for (const code of ['1302', '1303', '1305', '1311', '1312', '1313'] as const) expect(byCode.get(code)![0]).toBe(400);
    // Header values Codex can read: no Chinese text (Z.ai's China-site messages) in a header.
    const chinese = (await hooks([['header_text', ['余额不足']]]))[0];
    expect(chinese).toBeNull();
  });
});
