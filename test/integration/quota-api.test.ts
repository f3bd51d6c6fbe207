/**
 * The quota client against the stand-in's quota API (no LiteLLM): the request it sends (raw key, the
 * origin of the configured base), the windows it reads, and a typed error for everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchQuota, parseQuota, quotaUrl } from '../../src/usage/quota.js';
import { defaultQuotaScript, quotaBody } from '../fake-zai/quota.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';

const KEY = 'zai-quota-key.0123456789abcdef';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: KEY });
});
afterAll(async () => fake.close());

function reset(): void {
  Object.assign(fake.quota, defaultQuotaScript());
  fake.requests.length = 0;
}

describe('parseQuota', () => {
  it('reads the plan, both windows (5-hour first) and their reset times; ignores the MCP calls', () => {
    const script = defaultQuotaScript(Date.UTC(2026, 11, 6, 8, 0));
    const result = parseQuota(JSON.stringify(quotaBody({ ...script, fiveHour: { percentage: 42, nextResetTime: Date.UTC(2026, 11, 6, 10, 13) } })));
    expect(result).toEqual({
      ok: true,
      quota: {
        plan: 'pro',
        windows: [
          { name: '5h', usedPercent: 42, resetsAt: new Date(Date.UTC(2026, 11, 6, 10, 13)), windowMinutes: 300 },
          { name: 'weekly', usedPercent: 17, resetsAt: new Date(Date.UTC(2026, 11, 9, 8, 0)), windowMinutes: 10080 },
        ],
      },
    });
  });

  it('a plan with the 5-hour window only; windows listed weekly first come out 5-hour first', () => {
    const only = parseQuota(JSON.stringify(quotaBody({ ...defaultQuotaScript(), weekly: null })));
    expect(only.ok && only.quota.windows.map((w) => w.name)).toEqual(['5h']);
    const body = quotaBody(defaultQuotaScript()) as { data: { limits: unknown[] } };
    body.data.limits.reverse();
    const reversed = parseQuota(JSON.stringify(body));
    expect(reversed.ok && reversed.quota.windows.map((w) => w.name)).toEqual(['5h', 'weekly']);
  });

  it('typed errors: bad key in a 200, no plan, malformed fields', () => {
    expect(parseQuota('{"code":401,"msg":"token expired","success":false}')).toEqual({ ok: false, error: { kind: 'bad-key', code: '401', message: 'token expired' } });
    expect(parseQuota('{"code":1113,"msg":"no plan","success":false}')).toEqual({ ok: false, error: { kind: 'not-coding-plan', code: '1113', message: 'no plan' } });
    expect(parseQuota('{"code":200,"success":true,"data":{"limits":[],"level":"lite"}}')).toMatchObject({ ok: false, error: { kind: 'not-coding-plan' } });
    const bad = (limit: Record<string, unknown>) => parseQuota(JSON.stringify({ code: 200, success: true, data: { level: 'pro', limits: [limit] } }));
    expect(bad({ type: 'TOKENS_LIMIT', unit: 3, number: 5, percentage: '42', nextResetTime: 1_800_000_000_000 })).toMatchObject({ ok: false, error: { kind: 'malformed', detail: expect.stringMatching(/percentage/) } });
    expect(bad({ type: 'TOKENS_LIMIT', unit: 3, number: 5, percentage: 4, nextResetTime: 1_800_000_000 })).toMatchObject({ ok: false, error: { kind: 'malformed', detail: expect.stringMatching(/nextResetTime/) } });
    expect(bad({ type: 'TOKENS_LIMIT', unit: 3, number: -1, percentage: 4 })).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(parseQuota('<html>')).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(parseQuota('[1]')).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(parseQuota('{"code":200,"success":true,"data":{"limits":{}}}')).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    // A spent window reported above 100 is spent; a window with no reset time yet keeps null.
    const over = bad({ type: 'TOKENS_LIMIT', unit: 3, number: 5, percentage: 103 });
    expect(over).toEqual({ ok: true, quota: { plan: 'pro', windows: [{ name: '5h', usedPercent: 100, resetsAt: null, windowMinutes: 300 }] } });
  });
});

describe('fetchQuota against the stand-in', () => {
  it('GETs {origin}/api/monitor/usage/quota/limit with the raw key, whatever path the base has', async () => {
    reset();
    expect(quotaUrl(fake.codingBase)).toBe(`${fake.origin}/api/monitor/usage/quota/limit`);
    const result = await fetchQuota({ apiBase: fake.codingBase, key: KEY });
    expect(result.ok && result.quota.windows.map((w) => [w.name, w.usedPercent])).toEqual([
      ['5h', 42],
      ['weekly', 17],
    ]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/api/monitor/usage/quota/limit', authorization: KEY });
  });

  it('a scripted plan: other level, percentages and reset times, one window only', async () => {
    reset();
    const resetAt = Date.now() + 47 * 60_000;
    Object.assign(fake.quota, { level: 'lite', fiveHour: { percentage: 100, nextResetTime: resetAt }, weekly: null });
    const result = await fetchQuota({ apiBase: fake.responsesBase, key: KEY });
    expect(result).toEqual({ ok: true, quota: { plan: 'lite', windows: [{ name: '5h', usedPercent: 100, resetsAt: new Date(resetAt), windowMinutes: 300 }] } });
  });

  it('bad key, pay-as-you-go key, server error, not JSON, oversize, no answer: typed errors, never the key', async () => {
    reset();
    const outcomes: unknown[] = [];
    outcomes.push(await fetchQuota({ apiBase: fake.codingBase, key: 'wrong-key' }));
    for (const answer of ['payg', 'server-error', 'not-json', 'oversize'] as const) {
      fake.quota.answer = answer;
      outcomes.push(await fetchQuota({ apiBase: fake.codingBase, key: KEY }));
    }
    fake.quota.answer = 'hang';
    const started = Date.now();
    outcomes.push(await fetchQuota({ apiBase: fake.codingBase, key: KEY, timeoutMs: 800 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(outcomes).toMatchObject([
      { ok: false, error: { kind: 'bad-key', code: '401' } },
      { ok: false, error: { kind: 'not-coding-plan', code: '1113', message: expect.stringMatching(/Coding Plan/) } },
      { ok: false, error: { kind: 'http', status: 500 } },
      { ok: false, error: { kind: 'http', status: 502 } },
      { ok: false, error: { kind: 'unreachable', detail: expect.stringMatching(/more than 256 KB/) } },
      { ok: false, error: { kind: 'unreachable', detail: expect.stringMatching(/did not answer within 1 s/) } },
    ]);
    expect(JSON.stringify(outcomes)).not.toContain(KEY);
  });

  it('nothing listening: unreachable', async () => {
    const closed = await startFakeZai();
    const base = closed.codingBase;
    await closed.close();
    expect(await fetchQuota({ apiBase: base, key: KEY })).toMatchObject({ ok: false, error: { kind: 'unreachable', detail: expect.stringMatching(/ECONNREFUSED/) } });
  });
});
