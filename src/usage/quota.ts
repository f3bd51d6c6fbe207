/**
 * The GLM Coding Plan's quota windows from Z.ai's quota API (undocumented; the one Z.ai's own usage
 * plugin reads): `GET {origin}/api/monitor/usage/quota/limit` with the raw key as `Authorization`.
 * `parseQuota` is pure (the answer's text in, a typed result out); `fetchQuota` adds the request with
 * one total deadline and a cap on the answer's size. Neither ever puts the key into a result.
 */
import { getCapped } from './http.js';

export const QUOTA_PATH = '/api/monitor/usage/quota/limit';
export const QUOTA_TIMEOUT_MS = 5_000;
/** The real answer is well under 2 KB; anything this large is not it. */
export const QUOTA_MAX_BYTES = 256 * 1024;

export type QuotaWindowName = '5h' | 'weekly';

export interface QuotaWindow {
  name: QuotaWindowName;
  /** 0-100, as Z.ai reports it (whole numbers in practice). */
  usedPercent: number;
  /** When the window starts over; null when Z.ai gives no time (a window not yet started). */
  resetsAt: Date | null;
  windowMinutes: number;
}

export interface Quota {
  /** Z.ai's plan level (`lite`, `pro`, `max`), or null when the answer has none. */
  plan: string | null;
  /** The 5-hour window first, then the weekly one; plans bought before 2026-02-12 have the 5-hour one only. */
  windows: QuotaWindow[];
}

export type QuotaError =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'http'; status: number; detail: string }
  /** Z.ai refused the key (HTTP 401, or a 200 whose body says code 401 / 1000-1004). */
  | { kind: 'bad-key'; code: string; message: string }
  /** The key is valid but has no Coding Plan windows (a pay-as-you-go key): Z.ai's own words when it gave some. */
  | { kind: 'not-coding-plan'; code: string | null; message: string | null }
  | { kind: 'malformed'; detail: string };

export type QuotaResult = { ok: true; quota: Quota } | { ok: false; error: QuotaError };

/** Z.ai's quota API lives at the root of the host that serves the configured endpoint. */
export function quotaUrl(apiBase: string): string {
  return `${new URL(apiBase).origin}${QUOTA_PATH}`;
}

const WINDOW_UNITS: Record<number, { name: QuotaWindowName; minutesPerNumber: number }> = {
  3: { name: '5h', minutesPerNumber: 60 },
  6: { name: 'weekly', minutesPerNumber: 7 * 24 * 60 },
};
const DEFAULT_NUMBER: Record<QuotaWindowName, number> = { '5h': 5, weekly: 1 };
// 2001-09-09 .. 2286: a millisecond epoch; seconds or garbage fall outside.
const MIN_EPOCH_MS = 1e12;
const MAX_EPOCH_MS = 1e13;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAuthCode(code: string): boolean {
  return code === '401' || /^100[0-4]$/.test(code);
}

/** The answer's body (HTTP 200 assumed; `fetchQuota` handles other statuses) -> the windows or why not. */
export function parseQuota(text: string): QuotaResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return malformed('the answer is not JSON');
  }
  if (!isRecord(body)) return malformed('the answer is not a JSON object');
  const code = body.code === undefined || body.code === null ? null : String(body.code);
  const message = typeof body.msg === 'string' ? body.msg : typeof body.message === 'string' ? body.message : null;
  if (body.success !== true || (code !== null && code !== '200')) {
    // A bad key gets HTTP 200 with {"code":401,"msg":...,"success":false} from the real API.
    if (code !== null && isAuthCode(code)) return { ok: false, error: { kind: 'bad-key', code, message: message ?? 'the key was refused' } };
    if (code === null && message === null) return malformed('the answer has neither success nor an error code');
    return { ok: false, error: { kind: 'not-coding-plan', code, message } };
  }
  const data = body.data;
  if (!isRecord(data)) return malformed('`data` is missing or not an object');
  if (data.level !== undefined && data.level !== null && typeof data.level !== 'string') return malformed('`data.level` is not a string');
  const plan = typeof data.level === 'string' && data.level.trim() ? data.level.trim() : null;
  if (data.limits === undefined || data.limits === null) return { ok: false, error: { kind: 'not-coding-plan', code, message } };
  if (!Array.isArray(data.limits)) return malformed('`data.limits` is not a list');

  const windows: QuotaWindow[] = [];
  for (const [index, entry] of data.limits.entries()) {
    if (!isRecord(entry)) return malformed(`limits[${index}] is not an object`);
    if (entry.type !== 'TOKENS_LIMIT') continue; // TIME_LIMIT: the monthly MCP tool calls, not a token window.
    const unit = WINDOW_UNITS[entry.unit as number];
    if (!unit) continue; // A window kind this tool does not know yet: not a reason to show none.
    const window = parseWindow(entry, unit, index);
    if (typeof window === 'string') return malformed(window);
    if (windows.some((w) => w.name === window.name)) return malformed(`two ${window.name} windows in limits`);
    windows.push(window);
  }
  if (windows.length === 0) return { ok: false, error: { kind: 'not-coding-plan', code, message } };
  windows.sort((a, b) => a.windowMinutes - b.windowMinutes);
  return { ok: true, quota: { plan, windows } };
}

function parseWindow(entry: Record<string, unknown>, unit: { name: QuotaWindowName; minutesPerNumber: number }, index: number): QuotaWindow | string {
  const where = `limits[${index}] (${unit.name})`;
  const percentage = entry.percentage;
  if (typeof percentage !== 'number' || !Number.isFinite(percentage) || percentage < 0) return `${where}: percentage is not a number from 0 to 100`;
  const number = entry.number === undefined || entry.number === null ? DEFAULT_NUMBER[unit.name] : entry.number;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 1000) return `${where}: number is not a positive whole number`;
  let resetsAt: Date | null = null;
  const reset = entry.nextResetTime;
  if (reset !== undefined && reset !== null) {
    if (typeof reset !== 'number' || !Number.isInteger(reset) || reset < MIN_EPOCH_MS || reset > MAX_EPOCH_MS) return `${where}: nextResetTime is not a time in milliseconds`;
    resetsAt = new Date(reset);
  }
  // Z.ai has been seen to report a little over 100 for a spent window: spent is spent.
  return { name: unit.name, usedPercent: Math.min(percentage, 100), resetsAt, windowMinutes: number * unit.minutesPerNumber };
}

function malformed(detail: string): QuotaResult {
  return { ok: false, error: { kind: 'malformed', detail } };
}

export interface QuotaRequest {
  /** Any URL on the Z.ai host the setup uses (its chat or Responses base): only the origin is used. */
  apiBase: string;
  key: string;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Asks Z.ai's quota API. Never throws: every failure is a typed error. */
export async function fetchQuota(req: QuotaRequest): Promise<QuotaResult> {
  let url: string;
  try {
    url = quotaUrl(req.apiBase);
  } catch {
    return { ok: false, error: { kind: 'unreachable', detail: `not a URL: ${req.apiBase}` } };
  }
  const timeoutMs = req.timeoutMs ?? QUOTA_TIMEOUT_MS;
  const got = await getCapped(url, { authorization: req.key, accept: 'application/json' }, timeoutMs, req.maxBytes ?? QUOTA_MAX_BYTES);
  if (!got.ok) return { ok: false, error: got.error };
  const { status, text } = got;
  if (status === 401 || status === 403) {
    const parsed = parseQuota(text);
    if (!parsed.ok && parsed.error.kind === 'bad-key') return parsed;
    return { ok: false, error: { kind: 'bad-key', code: String(status), message: errorText(text) ?? `HTTP ${status}` } };
  }
  if (status !== 200) return { ok: false, error: { kind: 'http', status, detail: errorText(text) ?? `HTTP ${status}` } };
  return parseQuota(text);
}

/** Z.ai's message from an error body (either of its two shapes), else null. */
function errorText(text: string): string | null {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const nested = isRecord(body.error) ? body.error.message : undefined;
    const value = typeof body.msg === 'string' ? body.msg : typeof nested === 'string' ? nested : typeof body.message === 'string' ? body.message : null;
    return value ? value.slice(0, 300) : null;
  } catch {
    return null;
  }
}

/** One line for people: what went wrong with the quota API. */
export function describeQuotaError(error: QuotaError): string {
  switch (error.kind) {
    case 'unreachable':
      return `Z.ai's quota API did not answer (${error.detail}).`;
    case 'http':
      return `Z.ai's quota API answered HTTP ${error.status}: ${error.detail}`;
    case 'bad-key':
      return `Z.ai's quota API refused the key (${error.code}: ${error.message}).`;
    case 'not-coding-plan':
      return `This key has no GLM Coding Plan windows${error.message ? ` (Z.ai: ${error.code ? `${error.code} ` : ''}${error.message})` : ''}: a pay-as-you-go key has none.`;
    case 'malformed':
      return `Z.ai's quota API answered something this tool does not understand (${error.detail}).`;
  }
}
