/** Every Z.ai refusal named with the fix a user can act on, from Z.ai's own bodies and from the local bridge's. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/verify/diagnose.js';
import { localClock, readZaiRefusal, resetTime } from '../../src/verify/zai-refusal.js';
import { REFUSAL_CODES, refusalError, zaiClock } from '../fake-zai/refusals.js';

const direct = { model: 'glm-5.2', where: { kind: 'zai-responses' as const, url: 'https://api.z.ai/api/v1' } };
const zaiBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

const EXPECTED: Record<string, string> = {
  '1000': 'zai-bad-key',
  '1001': 'zai-bad-key',
  '1002': 'zai-bad-key',
  '1003': 'zai-bad-key',
  '1004': 'zai-bad-key',
  '1113': 'zai-no-balance-or-wrong-plan',
  '1302': 'zai-rate-limited',
  '1303': 'zai-rate-limited',
  '1304': 'zai-window-spent',
  '1305': 'zai-overloaded',
  '1308': 'zai-window-spent',
  '1309': 'zai-plan-expired',
  '1310': 'zai-window-spent',
  '1311': 'zai-model-not-in-plan',
  '1312': 'zai-overloaded',
  '1313': 'zai-overloaded',
};

describe('Z.ai reset times', () => {
  it('reads "reset at" in China Standard Time (UTC+8)', () => {
    expect(resetTime('Usage limit reached for 5 hour. Your limit will reset at 2026-12-06 13:00:00')?.toISOString()).toBe('2026-12-06T05:00:00.000Z');
    expect(resetTime('{"error":{"type":"usage_limit_reached","resets_at":1796562000}}')?.toISOString()).toBe('2026-12-06T13:00:00.000Z');
    expect(resetTime('no time here')).toBeNull();
  });

  it('the stand-in writes its reset times the same way', () => {
    const at = new Date('2026-12-06T05:00:00Z');
    expect(zaiClock(at)).toBe('2026-12-06 13:00:00');
    expect(resetTime(refusalError({ code: '1308', resetsAt: at }).message)?.getTime()).toBe(at.getTime());
  });

  it('says the local time, with the day when it is not today', () => {
    const now = new Date(2026, 11, 6, 9, 0);
    expect(localClock(new Date(2026, 11, 6, 13, 5), now)).toBe('13:05');
    expect(localClock(new Date(2026, 11, 8, 7, 0), now)).toMatch(/^Tue 8 Dec 07:00$/);
  });
});

describe('every refusal code, from Z.ai itself (direct mode, validation and doctor)', () => {
  it.each(REFUSAL_CODES.map((code) => [code, EXPECTED[code]!]))('%s -> %s', (code, expected) => {
    const error = refusalError({ code, resetsAt: new Date(Date.now() + 3 * 3_600_000) });
    const diagnosis = diagnose({ ...direct, status: error.status, body: zaiBody(error.code, error.message) });
    expect(diagnosis.code).toBe(expected);
    // The cause quotes Z.ai's message; the fix says what to do.
    expect(diagnosis.cause).toContain(error.message.slice(0, 20));
    expect(diagnosis.fix.length).toBeGreaterThan(20);
  });

  it('a spent window names the local time it resets', () => {
    const resetsAt = new Date(Date.now() + 2 * 3_600_000);
    const error = refusalError({ code: '1308', resetsAt });
    const diagnosis = diagnose({ ...direct, status: 429, body: zaiBody(error.code, error.message) });
    expect(diagnosis.cause).toContain('5-hour');
    expect(diagnosis.fix).toContain(`Wait until ${localClock(resetsAt)}`);
    const weekly = refusalError({ code: '1310', resetsAt });
    expect(diagnose({ ...direct, status: 429, body: zaiBody(weekly.code, weekly.message) }).cause).toContain('weekly');
  });

  it('a bad key says to run setup again with a new key, never a rate limit', () => {
    const diagnosis = diagnose({ ...direct, status: 401, body: zaiBody('1002', 'Authorization Token非法') });
    expect(diagnosis.fix).toMatch(/new key/);
    expect(`${diagnosis.cause} ${diagnosis.fix}`).not.toMatch(/rate limit|429/i);
  });
});

describe('the local bridge\'s answers (glm_codex_hooks.py) are named the same way', () => {
  const local = { model: 'glm-5.2', where: { kind: 'proxy' as const, port: 4000, apiBase: 'https://api.z.ai/api/coding/paas/v4' } };
  const bridged = (status: number, type: string, code: string, message: string, extra: Record<string, unknown> = {}) => ({
    ...local,
    status,
    body: JSON.stringify({ error: { message, type, param: null, code, ...extra } }),
  });
  it.each([
    [bridged(429, 'usage_limit_reached', 'usage_limit_reached', 'Z.ai 1308: Usage limit reached for 5 hour. Your limit will reset at 2026-12-06 21:00:00', { resets_at: 1796562000 }), 'zai-window-spent'],
    [bridged(429, 'usage_limit_reached', 'usage_limit_reached', 'Z.ai 1113: Insufficient balance or no resource package. Please recharge. Top up the account'), 'zai-no-balance-or-wrong-plan'],
    [bridged(400, 'zai_invalid_api_key', 'invalid_api_key', 'Z.ai 1002: Authorization Token非法. Z.ai refused the API key'), 'zai-bad-key'],
    [bridged(400, 'zai_model_not_in_plan', 'model_not_in_plan', 'Z.ai 1311: Your current subscription plan does not include access to this model.'), 'zai-model-not-in-plan'],
    [bridged(400, 'zai_overloaded', 'overloaded', 'Z.ai 1312: The model is currently experiencing high traffic.'), 'zai-overloaded'],
  ] as const)('%j -> %s', (input, expected) => {
    expect(diagnose(input).code).toBe(expected);
  });

  it('reads the code from "Z.ai NNNN:" when the body has no business code', () => {
    expect(readZaiRefusal('{"error":{"message":"Z.ai 1310: Weekly/Monthly Limit Exhausted."}}').code).toBe(1310);
  });
});
