/**
 * May this run replace a file (or create one in a folder)? Replacing is: a temporary file in the
 * same folder, then rename. So the file itself must be writable for us (not only its owner-write
 * bit: a root-owned 0644 file in a folder we can write is not ours to replace), its folder must be
 * writable, and the replacement must keep the file's owner and group.
 */
import { constants, type Stats } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

async function accessible(path: string, mode: number): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function readOnly(path: string, target: string, why: string): UserError {
  return new UserError('read-only', `${path} is read-only (${why}); it was not changed.`, {
    exitCode: ExitCode.config,
    fix: `If you want glm-codex-setup to manage it, make it writable (chmod u+w ${target}, or change its owner to you); or run with --dry-run and apply the diff by hand.`,
  });
}

/** Why the owner or group of `info` cannot be kept when this process replaces the file, or null. */
export function ownerProblem(info: Pick<Stats, 'uid' | 'gid'>): string | null {
  if (typeof process.getuid !== 'function' || isRoot()) return null;
  if (info.uid !== process.getuid()) return `it belongs to user id ${info.uid}; replacing it would make it yours`;
  const groups = new Set([process.getegid?.(), ...(process.getgroups?.() ?? [])]);
  if (!groups.has(info.gid)) return `its group id ${info.gid} is not one of yours; replacing it would change its group`;
  return null;
}

/** Throws the reason an existing file (already stat'ed) cannot be replaced safely by this process. */
export async function assertReplaceable(path: string, target: string, info: Stats): Promise<void> {
  if (!info.isFile()) {
    throw new UserError('not-a-file', `${path} is not a regular file${info.isDirectory() ? ' (it is a directory)' : ''}; nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Move ${path} out of the way (glm-codex-setup expects a file there), then run again.`,
    });
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o200) === 0) throw readOnly(path, target, `mode ${mode.toString(8)}`);
  if (!(await accessible(target, constants.W_OK))) throw readOnly(path, target, 'this user may not write it');
  const owner = ownerProblem(info);
  if (owner) throw readOnly(path, target, owner);
  await assertFolderWritable(path, dirname(target));
}

/** Throws when files cannot be created in `dir` (or, when it does not exist yet, in the folder it would be created in). */
export async function assertFolderWritable(path: string, dir: string): Promise<void> {
  let existing = dir;
  for (;;) {
    const info = await stat(existing).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (info) {
      if (!info.isDirectory()) {
        throw new UserError('not-a-folder', `Cannot write ${path}: ${existing} is a file, not a folder; nothing was changed.`, {
          exitCode: ExitCode.config,
          fix: `Move ${existing} out of the way, then run again.`,
        });
      }
      break;
    }
    if (dirname(existing) === existing) break;
    existing = dirname(existing);
  }
  if (!(await accessible(existing, constants.W_OK | constants.X_OK))) {
    throw new UserError('read-only', `Cannot write ${path}: the folder ${existing} is not writable for this user; nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Make ${existing} writable (chmod u+w ${existing}), or point glm-codex-setup elsewhere (--codex-home / --state-dir).`,
    });
  }
}
