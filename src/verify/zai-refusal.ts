/**
 * What Z.ai's refusal says, read from an answer body: the business code, Z.ai's message, and when a spent
 * window resets. Z.ai writes reset times as `YYYY-MM-DD HH:MM:SS` with no zone, in China Standard Time
 * (UTC+8) on both sites; the local proxy's answer carries the same instant as `resets_at` (Unix seconds).
 */

const CHINA_OFFSET_MS = 8 * 3_600_000;

export interface ZaiRefusalText {
  code: number | null;
  message: string | null;
  resetsAt: Date | null;
}

export function readZaiRefusal(text: string): ZaiRefusalText {
  const code = Number(/\\?"code\\?"\s*:\s*\\?"?(1\d{3})/.exec(text)?.[1] ?? /\bZ\.ai (1\d{3})\b/.exec(text)?.[1] ?? Number.NaN);
  const quoted = /\\?"message\\?"\s*:\s*\\?"((?:[^"\\]|\\.)*)/.exec(text)?.[1];
  const message = quoted === undefined ? null : quoted.replace(/\\(["\\/])/g, '$1');
  return { code: Number.isNaN(code) ? null : code, message, resetsAt: resetTime(text) };
}

/** The reset instant: the bridge's `resets_at`, else Z.ai's "reset at 2026-12-06 13:00:00" read as UTC+8. */
export function resetTime(text: string): Date | null {
  const unix = /"resets_at"\s*:\s*(\d{9,11})/.exec(text)?.[1];
  if (unix) return new Date(Number(unix) * 1000);
  const found = /reset at (\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/i.exec(text);
  if (!found) return null;
  const [, year, month, day, hour, minute, second] = found.map(Number) as number[];
  const ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second ?? 0) - CHINA_OFFSET_MS;
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** `13:00` today, else `Tue 8 Dec 13:00`, in this machine's local time. */
export function localClock(at: Date, now = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(at.getHours())}:${two(at.getMinutes())}`;
  if (at.toDateString() === now.toDateString()) return clock;
  const day = at.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' }).replace(',', '');
  return `${day} ${clock}`;
}
