/**
 * usage: what is left of the GLM Coding Plan's windows (or the gateway key's budget) and the tokens
 * Codex spent on GLM per day and model, from Codex's own session logs. Reads only; the quota request and
 * the logs are read side by side, so the command takes the longer of the two.
 */
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { cli } from '../invocation.js';
import { readStoredSetup } from './stored-setup.js';
import { storedMode, toolProviderIds } from '../modes/index.js';
import { tildify } from '../paths.js';
import { keySpendLines, quotaLines, tokenLines } from '../usage/format.js';
import { describeKeySpendError } from '../usage/gateway-key.js';
import { describeQuotaError } from '../usage/quota.js';
import { readTokens } from '../usage/sessions.js';
import { readSpend, refusalFix, refusalText, spendJson, spentWindows } from '../usage/spend.js';

export const DEFAULT_USAGE_DAYS = 7;

export async function runUsage(ctx: Context): Promise<number> {
  const { out, options, paths } = ctx;
  const state = await readStoredSetup(paths);
  const mode = storedMode(state);
  if (!mode) {
    throw new UserError('not-set-up', `Nothing is set up here yet (no ${tildify(paths.manifest)}).`, { exitCode: ExitCode.unhealthy, fix: `Run \`${cli()}\` first.` });
  }
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const answers = mode.stored(state);
  const days = options.days ?? DEFAULT_USAGE_DAYS;
  const now = new Date();
  const [spend, tokens] = await Promise.all([readSpend(mode.spendSource(answers)), readTokens({ codexHome: paths.codexHome, providerIds: toolProviderIds(state.manifest), days, now })]);

  if (spend?.kind === 'zai-quota') {
    const { result } = spend;
    if (result.ok) {
      for (const line of quotaLines(result.quota, now)) out.info(line);
      for (const window of spentWindows(result)) out.warn(`${refusalText(window, now)}\n  fix: ${refusalFix(window, now)}`);
    } else {
      out.info(`Coding Plan windows: not available. ${describeQuotaError(result.error)}`);
    }
  } else if (spend?.kind === 'gateway-key') {
    const { result } = spend;
    if (result.ok) for (const line of keySpendLines(result.key, now)) out.info(line);
    else out.info(`Gateway key budget: not available. ${describeKeySpendError(result.error)}`);
  } else {
    out.info('No key stored, so nothing to ask about the plan or budget.');
  }
  out.info('');
  for (const line of tokenLines(tokens, `${tildify(paths.codexHome)}/sessions`)) out.info(line);

  const { filesRead: _read, ...tokenData } = tokens;
  out.result({ ok: true, command: 'usage', mode: mode.id, ...spendJson(spend), tokens: tokenData });
  return ExitCode.ok;
}
