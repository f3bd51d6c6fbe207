/**
 * Gateway mode's share of `usage`: the developer's virtual key as the team gateway (LiteLLM) sees it,
 * from `GET {gateway}/key/info` with the key itself as Bearer (LiteLLM answers for the calling key when
 * no `key` parameter is given): `{"key":…,"info":{"spend":…,"max_budget":…,"budget_reset_at":…,…}}`.
 */
import { getCapped } from './http.js';

export const KEY_INFO_TIMEOUT_MS = 5_000;
const KEY_INFO_MAX_BYTES = 256 * 1024;

export interface KeySpend {
  /** US dollars, as LiteLLM counts them (the current budget period when the key has one). */
  spend: number;
  maxBudget: number | null;
  budgetDuration: string | null;
  budgetResetAt: Date | null;
  keyAlias: string | null;
}

export type KeySpendResult = { ok: true; key: KeySpend } | { ok: false; error: { kind: 'unreachable' | 'http' | 'bad-key' | 'no-database' | 'malformed'; detail: string } };

export function parseKeyInfo(text: string): KeySpendResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: { kind: 'malformed', detail: 'the answer is not JSON' } };
  }
  const info = (body as { info?: unknown } | null)?.info;
  if (typeof info !== 'object' || info === null) return { ok: false, error: { kind: 'malformed', detail: 'the answer has no `info`' } };
  const record = info as Record<string, unknown>;
  const spend = record.spend ?? 0;
  if (typeof spend !== 'number' || !Number.isFinite(spend) || spend < 0) return { ok: false, error: { kind: 'malformed', detail: '`info.spend` is not an amount' } };
  const budget = record.max_budget;
  if (budget !== undefined && budget !== null && (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0)) return { ok: false, error: { kind: 'malformed', detail: '`info.max_budget` is not an amount' } };
  const reset = typeof record.budget_reset_at === 'string' ? new Date(record.budget_reset_at) : null;
  return {
    ok: true,
    key: {
      spend,
      maxBudget: typeof budget === 'number' ? budget : null,
      budgetDuration: typeof record.budget_duration === 'string' ? record.budget_duration : null,
      budgetResetAt: reset && !Number.isNaN(reset.getTime()) ? reset : null,
      keyAlias: typeof record.key_alias === 'string' ? record.key_alias : null,
    },
  };
}

/** LiteLLM's error text (`{"error":{"message":…}}` or `{"detail":…}`), short; null when it gave none. */
function errorDetail(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown }; detail?: unknown };
    const message = body.error?.message ?? body.detail;
    if (typeof message === 'string' && message) return message.slice(0, 300);
  } catch {
    /* not JSON */
  }
  return null;
}

/**
 * LiteLLM 1.108.7 without a database answers /key/info with a bare HTTP 500 (its error handler trips over
 * the missing prisma module); its readiness check says why.
 */
async function gatewayHasNoDatabase(gatewayUrl: string, timeoutMs: number): Promise<boolean> {
  const got = await getCapped(new URL('/health/readiness', gatewayUrl).toString(), { accept: 'application/json' }, timeoutMs, KEY_INFO_MAX_BYTES);
  if (!got.ok) return false;
  try {
    const db = (JSON.parse(got.text) as { db?: unknown }).db;
    return typeof db === 'string' && /not connected/i.test(db);
  } catch {
    return false;
  }
}

export async function fetchKeySpend(req: { gatewayUrl: string; key: string; timeoutMs?: number }): Promise<KeySpendResult> {
  let url: string;
  try {
    url = new URL('/key/info', req.gatewayUrl).toString();
  } catch {
    return { ok: false, error: { kind: 'unreachable', detail: `not a URL: ${req.gatewayUrl}` } };
  }
  const timeoutMs = req.timeoutMs ?? KEY_INFO_TIMEOUT_MS;
  const started = Date.now();
  const got = await getCapped(url, { authorization: `Bearer ${req.key}`, accept: 'application/json' }, timeoutMs, KEY_INFO_MAX_BYTES);
  if (!got.ok) return { ok: false, error: got.error };
  const detail = errorDetail(got.text);
  if (got.status === 401 || got.status === 403) return { ok: false, error: { kind: 'bad-key', detail: detail ?? `HTTP ${got.status}` } };
  if (/Database not connected|no_db_connection|DB not connected/i.test(detail ?? '')) return { ok: false, error: { kind: 'no-database', detail: detail! } };
  if (got.status >= 500 && (await gatewayHasNoDatabase(req.gatewayUrl, Math.max(500, timeoutMs - (Date.now() - started))))) {
    return { ok: false, error: { kind: 'no-database', detail: `HTTP ${got.status}; /health/readiness says "db":"Not connected"` } };
  }
  if (got.status !== 200) return { ok: false, error: { kind: 'http', detail: `HTTP ${got.status}${detail ? `: ${detail}` : ''}` } };
  return parseKeyInfo(got.text);
}

export function describeKeySpendError(error: Extract<KeySpendResult, { ok: false }>['error']): string {
  switch (error.kind) {
    case 'unreachable':
      return `The gateway did not answer /key/info (${error.detail}).`;
    case 'bad-key':
      return `The gateway refused your key on /key/info (${error.detail}).`;
    case 'http':
      return `The gateway could not say your key's spend: ${error.detail}.`;
    case 'no-database':
      return `The gateway runs without its database, so it keeps no spend or budget per key (${error.detail}).`;
    case 'malformed':
      return `The gateway's /key/info answer is not what this tool expects (${error.detail}).`;
  }
}
