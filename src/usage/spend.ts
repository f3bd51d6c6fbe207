/**
 * What is spent, as the mode's source tells it (Z.ai's Coding Plan windows, or the gateway's view of
 * the key): read once, then written as `--json` data, as doctor's lines and as the refusal a spent window
 * means. Never throws: a source that does not answer is a note.
 */
import { cli } from '../invocation.js';
import { clockText, untilText, WINDOW_LABEL } from './format.js';
import { describeKeySpendError, fetchKeySpend, type KeySpendResult } from './gateway-key.js';
import { describeQuotaError, fetchQuota, type QuotaResult, type QuotaWindow } from './quota.js';

/** Where `usage`, `doctor` and `status` learn what is spent: Z.ai's Coding Plan quota API, or the team gateway's view of the key. */
export type SpendSource = { kind: 'zai-quota'; apiBase: string; key: string } | { kind: 'gateway-key'; gatewayUrl: string; key: string };

export type SpendSnapshot = { kind: 'zai-quota'; result: QuotaResult } | { kind: 'gateway-key'; result: KeySpendResult };

/** GLM_CODEX_QUOTA_TIMEOUT_MS shortens the 5 s deadline (tests of a quota API that hangs). */
export function spendTimeoutMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.GLM_CODEX_QUOTA_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function readSpend(source: SpendSource): Promise<SpendSnapshot | null> {
  const timeoutMs = spendTimeoutMs();
  const deadline = timeoutMs === undefined ? {} : { timeoutMs };
  if (!source.key) return null;
  if (source.kind === 'zai-quota') return { kind: 'zai-quota', result: await fetchQuota({ apiBase: source.apiBase, key: source.key, ...deadline }) };
  return { kind: 'gateway-key', result: await fetchKeySpend({ gatewayUrl: source.gatewayUrl, key: source.key, ...deadline }) };
}

/** Z.ai's business codes for a spent window (the refusal the user meets in Codex). */
const REFUSAL_CODE: Record<QuotaWindow['name'], string> = { '5h': '1308', weekly: '1310' };

export function spentWindows(result: QuotaResult): QuotaWindow[] {
  return result.ok ? result.quota.windows.filter((w) => w.usedPercent >= 100) : [];
}

/** "The 5-hour window is spent: Z.ai refuses requests (code 1308) until 10:13 (in 47 min)." */
export function refusalText(window: QuotaWindow, now: Date): string {
  const until = window.resetsAt ? ` until ${clockText(window.resetsAt, now)} (${untilText(window.resetsAt, now)})` : '';
  return `The GLM Coding Plan's ${WINDOW_LABEL[window.name]} window is spent: Z.ai refuses requests (code ${REFUSAL_CODE[window.name]}, "Usage limit reached")${until}.`;
}

export function refusalFix(window: QuotaWindow, now: Date): string {
  const wait = window.resetsAt ? `Wait until ${clockText(window.resetsAt, now)}` : 'Wait for the window to reset';
  return `${wait}, or move to a larger plan at https://z.ai/subscribe; \`${cli('usage')}\` shows both windows.`;
}

/** The `--json` shape: ISO times, errors as `{kind, message}`. */
export function spendJson(snapshot: SpendSnapshot | null) {
  const quota = snapshot?.kind === 'zai-quota' ? snapshot.result : null;
  const key = snapshot?.kind === 'gateway-key' ? snapshot.result : null;
  return {
    quota: quota?.ok
      ? { plan: quota.quota.plan, windows: quota.quota.windows.map((w) => ({ name: w.name, usedPercent: w.usedPercent, resetsAt: w.resetsAt?.toISOString() ?? null, windowMinutes: w.windowMinutes })) }
      : null,
    quotaError: quota && !quota.ok ? { kind: quota.error.kind, message: describeQuotaError(quota.error) } : null,
    gatewayKey: key?.ok
      ? { spend: key.key.spend, maxBudget: key.key.maxBudget, budgetDuration: key.key.budgetDuration, budgetResetAt: key.key.budgetResetAt?.toISOString() ?? null, keyAlias: key.key.keyAlias }
      : null,
    gatewayKeyError: key && !key.ok ? { kind: key.error.kind, message: describeKeySpendError(key.error) } : null,
  };
}
