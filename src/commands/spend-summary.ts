/** status's one line about what is spent: the Coding Plan's two windows, or the gateway key's budget. */
import type { Context } from '../context.js';
import { readStoredSetup } from './stored-setup.js';
import { storedMode } from '../modes/index.js';
import { quotaSummary } from '../usage/format.js';
import { describeKeySpendError } from '../usage/gateway-key.js';
import { describeQuotaError } from '../usage/quota.js';
import { readSpend, spendJson, type SpendSnapshot } from '../usage/spend.js';

function summaryLine(snapshot: SpendSnapshot): string {
  if (snapshot.kind === 'zai-quota') {
    const { result } = snapshot;
    return result.ok ? quotaSummary(result.quota) : `GLM Coding Plan: ${describeQuotaError(result.error)}`;
  }
  const { result } = snapshot;
  if (!result.ok) return `Gateway key: ${describeKeySpendError(result.error)}`;
  const { spend, maxBudget } = result.key;
  return `Gateway key: $${spend.toFixed(2)} spent${maxBudget === null ? ', no budget set' : ` of $${maxBudget.toFixed(2)}`}`;
}

export async function spendSummary(ctx: Context): Promise<{ line: string | null; data: ReturnType<typeof spendJson> }> {
  const state = await readStoredSetup(ctx.paths);
  const mode = storedMode(state);
  if (!mode) return { line: null, data: spendJson(null) };
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const snapshot = await readSpend(mode.spendSource(mode.stored(state)));
  return { line: snapshot ? summaryLine(snapshot) : null, data: spendJson(snapshot) };
}
