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
import { pass, warn, type Check } from '../verify/check.js';
import { cli } from '../invocation.js';
import { fileModeChecks } from './file-mode-checks.js';

export type { Check, CheckStatus } from '../verify/check.js';

/** Would `glm-codex-setup` (non-interactive, same answers) write anything? */
function planCheck<A extends Answers>(mode: Mode<A>, state: SetupState, answers: A): Check[] {
  let files: string[];
  try {
    files = planChanges(state, mode, answers).operations.filter(isFileOperation).map((op) => {
      const { action, path, label } = describeOperation(op);
      return `${action} ${tildify(path ?? '')} (${label})`;
    });
  } catch {
    // A file that cannot be planned (invalid TOML in your part, ...) is reported by its unit.
    return [];
  }
  if (files.length === 0) return [pass('plan', 'A re-run would change no file')];
  // What the FAIL lines above name is among these; alone, a pending change is worth a warning.
  return [warn('plan', `A re-run would change: ${files.join('; ')}.`, `Run \`${cli()}\` to bring the files up to date.`)];
}

export async function runChecks<A extends Answers>(mode: Mode<A>, input: Omit<DoctorInput<A>, 'answers' | 'provider' | 'mode'>): Promise<Check[]> {
  const answers = mode.stored(input.state);
  const full: DoctorInput<A> = { ...input, mode, answers, provider: mode.provider(answers, input.state) };
  const checks: Check[] = [];
  for (const unit of mode.units) checks.push(...(await unit.check(full)));
  checks.push(...(await fileModeChecks(input.state.paths)));
  checks.push(...planCheck(mode, input.state, answers));
  checks.push(...(await mode.doctorVerify(full)));
  return checks;
}
