/** doctor's view of what is spent: the Coding Plan's windows (a WARN naming the reset for a spent one), or the gateway key's budget. */
import { clockText, percentText, quotaSummary, untilText } from '../usage/format.js';
import { describeKeySpendError } from '../usage/gateway-key.js';
import { describeQuotaError } from '../usage/quota.js';
import { refusalFix, refusalText, spentWindows, type SpendSnapshot } from '../usage/spend.js';
import { pass, warn, type Check } from './check.js';

export function spendChecks(snapshot: SpendSnapshot | null, now = new Date()): Check[] {
  if (!snapshot) return [];
  if (snapshot.kind === 'zai-quota') {
    const { result } = snapshot;
    if (!result.ok) {
      if (result.error.kind === 'not-coding-plan') return [pass('quota', 'No GLM Coding Plan windows on this key (a pay-as-you-go key has none).')];
      return [warn('quota', `Could not read the Coding Plan's windows: ${describeQuotaError(result.error)}`)];
    }
    const spent = spentWindows(result);
    if (spent.length > 0) return spent.map((w) => warn(`quota-${w.name}`, refusalText(w, now), refusalFix(w, now)));
    return [pass('quota', `${quotaSummary(result.quota)}${result.quota.windows[0]?.resetsAt ? `; the 5-hour window resets ${clockText(result.quota.windows[0].resetsAt, now)}` : ''}`)];
  }
  const { result } = snapshot;
  if (!result.ok) return [warn('key-budget', describeKeySpendError(result.error))];
  const { spend, maxBudget, budgetResetAt } = result.key;
  if (maxBudget !== null && spend >= maxBudget) {
    const until = budgetResetAt ? ` until ${clockText(budgetResetAt, now)} (${untilText(budgetResetAt, now)})` : '';
    return [warn('key-budget', `Your gateway key's budget is spent ($${spend.toFixed(2)} of $${maxBudget.toFixed(2)}): the gateway refuses requests${until}.`, "Ask the gateway's operator to raise the key's budget, or wait for it to reset.")];
  }
  return [pass('key-budget', `Your gateway key: $${spend.toFixed(2)} spent${maxBudget === null ? ', no budget set' : ` of $${maxBudget.toFixed(2)} (${percentText(Math.round((spend / Math.max(maxBudget, 1e-9)) * 100))})`}`)];
}

