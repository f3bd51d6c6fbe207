import { isNoSpace, noSpaceError } from './system-errors.js';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, open, readlink, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { mkdirWithMode } from './mkdir.js';
import { assertReplaceable } from './writable.js';

/** Follows a chain of symlinks (dotfile managers) to the file that really holds the bytes. */
export async function realTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw error;
    }
    if (!info.isSymbolicLink()) return current;
    const link = await readlink(current);
    current = isAbsolute(link) ? link : resolve(dirname(current), link);
  }
  throw new UserError('symlink-loop', `${path}: too many levels of symbolic links.`, {
    exitCode: ExitCode.config,
    fix: `Point ${path} at a real file, then run again.`,
  });
}

/**
 * Replaces `path` with `content` atomically: a temporary file in the same directory, fsync, rename.
 * Writes through symlinks to their target and keeps the target's mode, owner and group (new files
 * get `newFileMode`; missing folders are created with `dirMode`, 0700 unless told otherwise).
 */
export async function writeFileAtomic(
  path: string,
  content: string,
  options: { newFileMode?: number; forceMode?: number; dirMode?: number } = {},
): Promise<void> {
  const target = await realTarget(path);
  await mkdirWithMode(dirname(target), options.dirMode ?? 0o700);
  let mode = options.newFileMode ?? 0o644;
  let owner: { uid: number; gid: number } | null = null;
  try {
    const info = await stat(target);
    await assertReplaceable(path, target, info);
    mode = info.mode & 0o7777;
    owner = { uid: info.uid, gid: info.gid };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (options.forceMode !== undefined) mode = options.forceMode;
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode & 0o600);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
    if (owner) {
      // Never change a file's owner or group: the replacement gets the original's (root may give it away).
      const made = await handle.stat();
      if (made.uid !== owner.uid || made.gid !== owner.gid) await handle.chown(owner.uid, owner.gid);
    }
    await handle.close();
    handle = undefined;
    await chmod(temp, mode);
    await rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    if (!(error instanceof UserError) && isNoSpace(error)) throw noSpaceError(path);
    throw error instanceof UserError ? error : cannotWrite(path, error);
  }
}

function cannotWrite(path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : (error as Error).message;
  return new UserError('write-failed', `Could not write ${path}: ${reason}. The old file is unchanged.`, {
    exitCode: ExitCode.config,
    fix: `Check the permissions of ${dirname(path)} and the free space, then run again.`,
    cause: error,
  });
}
