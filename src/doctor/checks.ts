/**
 * doctor's checks, from the mode: each unit's checks, then whether a fresh plan would change any
 * file (what a re-run would repair), then the mode's own proof. Nothing here writes.
 */
import type { SetupState } from '../inspect/inspect.js';
import type { Answers, Mode } from '../modes/types.js';
import { describeOperation, isFileOperation } from '../units/operations.js';
import { planChanges } from '../plan/plan.js';
import { tildify } from '../paths.js';
import type { DoctorInput } from '../units/types.js';
import { fail, pass, warn, type Check } from '../verify/check.js';
import { UserError } from '../errors.js';
import { cli } from '../invocation.js';
import { fileModeChecks } from './file-mode-checks.js';
import { readSpend } from '../usage/spend.js';
import { spendChecks } from '../verify/spend-checks.js';
import { offeredModelsCheck } from './offered-models.js';
import { supervisorChecks } from './supervisor-check.js';
import { appCopyBin, COMMAND_AUTH_MIN_CODEX } from '../config/codex-auth.js';

export type { Check, CheckStatus } from '../verify/check.js';

/** Would `glm-codex-setup` (non-interactive, same answers) write anything? */
function planCheck<A extends Answers>(mode: Mode<A>, state: SetupState, answers: A): Check[] {
  let files: string[];
  try {
    files = planChanges(state, mode, answers).operations.filter(isFileOperation).map((op) => {
      const { action, path, label } = describeOperation(op);
      return `${action} ${tildify(path ?? '')} (${label})`;
    });
  } catch (error) {
    // A file that cannot be planned (invalid TOML in your part, a provider table of yours) is a
    // UserError its unit reports as a FAIL of its own. Anything else is a bug: never silent.
    if (error instanceof UserError) return [];
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return [fail('plan', `The check of what a re-run would change could not run (${what}): this is a bug in glm-codex-setup.`, 'Report it with the output of `GLM_CODEX_DEBUG=1` and this line; the other checks still hold.')];
  }
  if (files.length === 0) return [pass('plan', 'A re-run would change no file')];
  // What the FAIL lines above name is among these; alone, a pending change is worth a warning.
  return [warn('plan', `A re-run would change: ${files.join('; ')}.`, `Run \`${cli()}\` to bring the files up to date.`)];
}

/**
 * Codex not found on doctor's PATH (or `codex --version` not answering): a setup whose provider runs the
 * tool's auth command was written for a Codex that has command auth, so it is judged as such, not by an
 * assumed old Codex (which would call every line of it wrong).
 */
function judgedCodex(state: SetupState): { state: SetupState; note: Check | null } {
  if (state.codex.version !== null || !state.codexConfig.text?.includes(appCopyBin(state.paths.stateDir))) return { state, note: null };
  const note = warn('codex', `Codex was not found on this PATH (or \`codex --version\` does not answer): the setup is judged by what it wrote, Codex's auth command (Codex ${COMMAND_AUTH_MIN_CODEX} or newer).`, 'Run doctor where your `codex` is on PATH, or install it: npm install -g @openai/codex');
  return { state: { ...state, codex: { ...state.codex, version: COMMAND_AUTH_MIN_CODEX } }, note };
}

export async function runChecks<A extends Answers>(mode: Mode<A>, given: Omit<DoctorInput<A>, 'answers' | 'provider' | 'mode'>): Promise<Check[]> {
  const judged = judgedCodex(given.state);
  const input = { ...given, state: judged.state };
  const answers = mode.stored(input.state);
  const full: DoctorInput<A> = { ...input, mode, answers, provider: mode.provider(answers, input.state) };
  const checks: Check[] = judged.note ? [judged.note] : [];
  for (const unit of mode.units) checks.push(...(await unit.check(full)));
  checks.push(...(await fileModeChecks(input.state.paths)));
  checks.push(...planCheck(mode, input.state, answers));
  checks.push(...(await offeredModelsCheck(answers)));
  if ('masterKey' in answers) checks.push(...(await supervisorChecks(input.state.paths, input.proxy.kind === 'running')));
  // The quota (or the gateway key's budget) is asked while the validation runs: it has its own 5 s deadline.
  const [proof, spend] = await Promise.all([mode.doctorVerify(full), readSpend(mode.spendSource(answers))]);
  checks.push(...proof, ...spendChecks(spend));
  return checks;
}
