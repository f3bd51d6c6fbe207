/** One line of `doctor`: PASS, WARN or FAIL, with the fix for every FAIL. */
import { cli } from '../invocation.js';
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface Check {
  id: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

/** The usual fix: run the tool again, as the user invoked it. */
export function repairHint(note?: string): string {
  return `Run \`${cli()}\` to repair it${note ? ` (${note})` : ''}.`;
}
export const pass = (id: string, message: string): Check => ({ id, status: 'PASS', message });
export const warn = (id: string, message: string, fix?: string): Check => ({ id, status: 'WARN', message, ...(fix ? { fix } : {}) });
export const fail = (id: string, message: string, fix = repairHint()): Check => ({ id, status: 'FAIL', message, fix });

/**
 * The validation request's line in doctor. A spent Coding Plan window is a WARN: the setup is right and
 * works again when the window resets (the diagnosis says when); every other refusal is a FAIL.
 */
export function validationFailure(diagnosis: { code: string; cause: string; fix: string } | null | undefined): Check {
  if (!diagnosis) return fail('validation', 'The validation request failed.');
  return diagnosis.code === 'zai-window-spent' ? warn('validation', diagnosis.cause, diagnosis.fix) : fail('validation', diagnosis.cause, diagnosis.fix);
}

/** Messages from parse errors say "The file was not changed."; doctor changes nothing anyway. */
export const withoutUnchanged = (message: string) => message.replace(/ The file was not changed\.$/, '');
/** A parse error as the cause in a repair note ("<cause>: written anew"): no closing full stop. */
export const parseCause = (message: string) => withoutUnchanged(message).replace(/\.$/, '');
