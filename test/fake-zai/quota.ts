/**
 * The stand-in's Coding Plan quota API, `GET /api/monitor/usage/quota/limit`, as Z.ai's own usage plugin
 * and others read it: the raw key as `Authorization` (a `Bearer ` prefix is accepted too, as the real one
 * does); `{"code":200,"msg":...,"data":{"limits":[...],"level":"pro"},"success":true}` with one
 * TOKENS_LIMIT per window (unit 3 = hours, number 5; unit 6 = weeks, number 1), `percentage` used and
 * `nextResetTime` in epoch milliseconds, plus the monthly MCP calls as TIME_LIMIT. A bad key gets HTTP 200
 * with `{"code":401,...,"success":false}` (measured on the real API). Scriptable per test through `QuotaScript`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const QUOTA_PATH = '/api/monitor/usage/quota/limit';

export interface FakeWindow {
  percentage: number;
  /** Epoch milliseconds; null leaves `nextResetTime` out. */
  nextResetTime: number | null;
}

export interface QuotaScript {
  /**
   * ok: the plan's windows; payg: a key with no Coding Plan (Z.ai's error body); hang: never answers;
   * server-error: HTTP 500; not-json: an HTML page; oversize: a 2 MB body.
   */
  answer: 'ok' | 'payg' | 'hang' | 'server-error' | 'not-json' | 'oversize';
  level: string;
  fiveHour: FakeWindow | null;
  /** null: a plan bought before 2026-02-12, which has the 5-hour window only. */
  weekly: FakeWindow | null;
  /** Monthly MCP tool calls (TIME_LIMIT). */
  mcp: { usage: number; currentValue: number; nextResetTime: number } | null;
}

export function defaultQuotaScript(now = Date.now()): QuotaScript {
  return {
    answer: 'ok',
    level: 'pro',
    fiveHour: { percentage: 42, nextResetTime: now + (2 * 60 + 13) * 60_000 },
    weekly: { percentage: 17, nextResetTime: now + 3 * 24 * 3_600_000 },
    mcp: { usage: 1000, currentValue: 12, nextResetTime: now + 20 * 24 * 3_600_000 },
  };
}

export function quotaBody(script: QuotaScript): Record<string, unknown> {
  const limits: Record<string, unknown>[] = [];
  const window = (unit: number, number: number, w: FakeWindow) => ({
    type: 'TOKENS_LIMIT',
    unit,
    number,
    percentage: w.percentage,
    ...(w.nextResetTime === null ? {} : { nextResetTime: w.nextResetTime }),
  });
  if (script.fiveHour) limits.push(window(3, 5, script.fiveHour));
  if (script.weekly) limits.push(window(6, 1, script.weekly));
  if (script.mcp) {
    const { usage, currentValue, nextResetTime } = script.mcp;
    limits.push({ type: 'TIME_LIMIT', unit: 5, number: 1, usage, currentValue, remaining: usage - currentValue, percentage: Math.round((currentValue / usage) * 100), nextResetTime });
  }
  return { code: 200, msg: '操作成功', data: { limits, level: script.level }, success: true };
}

/** Answers the quota route; returns false when the request is not for it. */
export function handleQuota(input: { req: IncomingMessage; res: ServerResponse; path: string; apiKey: string; script: QuotaScript; hang: (res: ServerResponse) => void }): boolean {
  const { req, res, path, apiKey, script } = input;
  if (path !== QUOTA_PATH || req.method !== 'GET') return false;
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const auth = req.headers.authorization;
  if (auth !== apiKey && auth !== `Bearer ${apiKey}`) {
    json(200, { code: 401, msg: '令牌已过期或验证不正确', success: false });
    return true;
  }
  switch (script.answer) {
    case 'hang':
      input.hang(res);
      return true;
    case 'server-error':
      json(500, { timestamp: new Date().toISOString(), status: 500, error: 'Internal Server Error', path });
      return true;
    case 'not-json':
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
      return true;
    case 'oversize':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"code":200,"msg":"${'x'.repeat(2 * 1024 * 1024)}"}`);
      return true;
    case 'payg':
      json(200, { code: 1113, msg: 'No GLM Coding Plan subscription found for this account.', success: false });
      return true;
    case 'ok':
      json(200, quotaBody(script));
      return true;
  }
}
