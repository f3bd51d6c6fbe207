/** doctor's answer when a file cannot be read at all (not UTF-8, a directory, a symlink loop): a FAIL line, not a crash. */
import { UserError } from '../errors.js';
import { cli } from '../invocation.js';
import type { Check } from './checks.js';

const UNREADABLE = new Set(['not-utf8', 'not-a-file', 'not-a-regular-file', 'symlink-loop', 'unreadable']);

export function unreadableFileCheck(error: unknown): Check | null {
  if (!(error instanceof UserError) || !UNREADABLE.has(error.code)) return null;
  return { id: 'file-unreadable', status: 'FAIL', message: error.message.replace(/; (it|nothing) was (not )?changed\.$/, '.'), fix: error.fix ?? `Fix that file, then run ${cli('doctor')} again.` };
}
