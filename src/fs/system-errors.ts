/**
 * A system error that names a path (ENOSPC, ENOTDIR, EROFS, ...) is the machine's state, not a bug:
 * it becomes one clear line naming the path, exit 4.
 */
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { unreadablePathError } from './read.js';

/** `left`: what could not be put back (null: nothing of this run is left). */
export function noSpaceError(path: string, left: readonly string[] | null = null): UserError {
  const after = left && left.length > 0 ? `; these could not be put back (the disk is still full): ${left.join(', ')}` : '; nothing this run wrote is left (undone, and its temporary files removed)';
  return new UserError('no-space', `no space left on ${dirname(path)} (writing ${path})${after}.`, {
    exitCode: ExitCode.config,
    fix: `free some space there (df -h ${dirname(path)}), then run again.`,
  });
}

export function isNoSpace(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'no-space') return true;
  }
  return false;
}

export function systemErrorAsUserError(error: unknown): UserError | null {
  if (error instanceof UserError || !(error instanceof Error)) return null;
  const { code, path } = error as NodeJS.ErrnoException;
  if (!code || !path) return null;
  if (code === 'ENOSPC' || code === 'EDQUOT') return noSpaceError(path);
  if (code === 'EROFS') {
    return new UserError('read-only', `${path} is on a read-only file system; nothing more was written.`, { exitCode: ExitCode.config, fix: 'choose a writable place (--codex-home, --state-dir), then run again.' });
  }
  if (code === 'ENOTDIR') {
    return new UserError('not-a-folder', `${path}: a part of this path is a file, not a folder; nothing more was written.`, {
      exitCode: ExitCode.config,
      fix: 'check --codex-home / CODEX_HOME and --state-dir / GLM_CODEX_HOME: each must name a folder (or a place one can be created).',
    });
  }
  return unreadablePathError(path, error);
}
