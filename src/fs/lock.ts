/**
 * One lock primitive for every place where two runs must not overlap (setup's writes, the shared
 * config.toml, the proxy start). A lock file is never observable empty: the holder's record (pid,
 * process start time, purpose) is written to a temporary file first and then hard-linked into place,
 * which fails when the lock exists. A lock is stale only when the recorded process is gone or its
 * start time differs (the pid was reused). Locks are re-entrant within one process.
 */
import { readRegularText } from './read.js';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { copyFile, constants as fsConstants, link, mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../system.js';
import { noSpaceError } from './system-errors.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isSameProcess, processStartTime } from '../process/info.js';

export interface LockOptions {
  /** How long to wait for another holder to finish; 0 (the default) fails at once. */
  waitMs?: number;
  /** What the holder is doing, shown to a run that has to wait ("setup", "proxy start", ...). */
  purpose?: string;
  pollMs?: number;
  /** Told once, when a live holder makes this run wait (so the wait is not silent). */
  onWait?: (holder: string) => void;
}

export interface LockHolder {
  pid: number;
  startTime: string | null;
  purpose: string | null;
  since: string | null;
}

export type Release = () => Promise<void>;

/** A lock file whose content cannot be read as a holder is stale after this long (a crash mid-copy, an old version's empty file). */
const UNREADABLE_STALE_MS = 5000;
const BREAKER_STALE_MS = 10_000;

/** Locks this process holds; `createdDir`: the first folder acquiring created (removed again when left empty). */
const held = new Map<string, { count: number; content: string; createdDir: string | undefined }>();

/** Removes the folders a lock created, innermost first, as long as they are empty (rmdir refuses otherwise). */
function removeCreatedDirs(path: string, createdDir: string | undefined): void {
  if (!createdDir) return;
  for (let dir = dirname(path); dir.startsWith(createdDir); dir = dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return;
    }
    if (dir === createdDir) return;
  }
}
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [path, { content, createdDir }] of held) {
      try {
        if (readFileSync(path, 'utf8') === content) unlinkSync(path);
        removeCreatedDirs(path, createdDir);
      } catch {
        /* gone already */
      }
    }
  });
}

export function parseLockHolder(text: string): LockHolder | null {
  const bare = /^\s*(\d+)\s*$/.exec(text);
  if (bare) return { pid: Number(bare[1]), startTime: null, purpose: null, since: null };
  try {
    const data = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(data.pid) || (data.pid as number) <= 0) return null;
    return { pid: data.pid as number, startTime: typeof data.startTime === 'string' ? data.startTime : null, purpose: data.purpose ?? null, since: data.since ?? null };
  } catch {
    return null;
  }
}

/** The lock's holder: null when there is no lock file, 'unreadable' when its content is not a holder record. */
export async function readLockHolder(path: string): Promise<{ holder: LockHolder | null; text: string } | null> {
  const text = await readRegularText(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  return text === null ? null : { holder: parseLockHolder(text), text };
}

async function isStale(path: string, found: { holder: LockHolder | null; text: string }): Promise<boolean> {
  if (found.holder === null) {
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    return age > UNREADABLE_STALE_MS;
  }
  if (found.holder.startTime === null && (await startedAfterLockFile(found.holder.pid, path))) return true;
  return !(await isSameProcess(found.holder.pid, found.holder.startTime));
}

/**
 * A bare-pid lock (an old version's) whose pid now belongs to a process started after the lock file was
 * written: the pid was reused, so the lock is stale. Linux only (boot time + start ticks at 100 Hz); false elsewhere.
 */
async function startedAfterLockFile(pid: number, path: string): Promise<boolean> {
  try {
    const [statText, procStat, lock] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8'), stat(path)]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(statText)?.[1]);
    const ticks = Number(procStat.slice(procStat.lastIndexOf(')') + 2).split(' ')[19]);
    if (!Number.isFinite(bootSeconds) || !Number.isFinite(ticks)) return false;
    const startedMs = (bootSeconds + ticks / 100) * 1000;
    // Two seconds of slack: btime is whole seconds and the file's mtime is written just after the process starts.
    return startedMs > lock.mtimeMs + 2000;
  } catch {
    return false;
  }
}

/** Temporary files of this lock that a run which is gone left (`<lock>.<pid>.<hex>.tmp`, the pid dead). */
async function removeDeadLockTemps(path: string): Promise<void> {
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  const prefix = `${basename(path)}.`;
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !isProcessAlive(Number(pid))) await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

/** Creates `path` holding `content`, atomically and only when it does not exist. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await removeDeadLockTemps(path);
  try {
    await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // A full disk creates the file and then fails to fill it: the empty temp file must not stay.
    await unlink(temp).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw noSpaceError(path);
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    throw new UserError('not-writable', `Cannot create the lock ${path}: ${dirname(path)} is not writable (${code}). Nothing was changed.`, {
      exitCode: ExitCode.config,
      fix: `Make ${dirname(path)} writable for this user, or point --codex-home / --state-dir elsewhere.`,
    });
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    // No hard links on this file system: an exclusive copy. Briefly empty, which readers treat as taken, not stale.
    try {
      await copyFile(temp, path, fsConstants.COPYFILE_EXCL);
      return true;
    } catch (copyError) {
      if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw copyError;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Removes a stale lock, but only the one judged stale: a second breaker serialises the removal, so
 * two runs that both found the same stale lock cannot remove each other's fresh one.
 */
async function breakStale(path: string, judged: string): Promise<void> {
  const breaker = `${path}.break`;
  let handle;
  try {
    handle = await open(breaker, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > BREAKER_STALE_MS) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    const now = await readRegularText(path).catch(() => null);
    if (now === judged) await unlink(path).catch(() => undefined);
  } finally {
    await handle.close();
    await unlink(breaker).catch(() => undefined);
  }
}

function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'Another glm-codex-setup';
  return `Another glm-codex-setup (pid ${holder.pid}${holder.purpose ? `, ${holder.purpose}` : ''}${holder.since ? `, since ${holder.since}` : ''})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock at `path`, waiting up to `waitMs` for a live holder; then throws a UserError
 * (exit 4) that names the holder. Returns the release function (idempotent).
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<Release> {
  const mine = held.get(path);
  if (mine) {
    mine.count++;
    return onceRelease(path);
  }
  const createdDir = await mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch(() => undefined);
  const record: LockHolder = { pid: process.pid, startTime: await processStartTime(process.pid), purpose: options.purpose ?? null, since: new Date().toISOString() };
  const content = `${JSON.stringify(record)}\n`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const poll = options.pollMs ?? 100;
  let told = false;
  for (;;) {
    const created = await createExclusive(path, content).catch(async (error: NodeJS.ErrnoException) => {
      // The folder was removed meanwhile (a run that created it left it empty): make it again.
      if (error.code !== 'ENOENT') throw error;
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      return null;
    });
    if (created === null) continue;
    if (created) {
      installExitHook();
      held.set(path, { count: 1, content, createdDir });
      return onceRelease(path);
    }
    const found = await readLockHolder(path);
    if (found === null) continue;
    if (await isStale(path, found)) {
      await breakStale(path, found.text);
      await sleep(5);
      continue;
    }
    if (Date.now() < deadline && !told) {
      told = true;
      options.onWait?.(describeHolder(found.holder));
    }
    if (Date.now() >= deadline) {
      const waited = options.waitMs ? ` (waited ${Math.round(options.waitMs / 1000)} s)` : '';
      throw new UserError('locked', `${describeHolder(found.holder)} holds ${path}${waited}.`, {
        exitCode: ExitCode.config,
        fix: found.holder
          ? `Wait for it to finish, then run again. If pid ${found.holder.pid} is not a glm-codex-setup, delete ${path}.`
          : `Wait a moment and run again; if it stays, delete ${path}.`,
      });
    }
    await sleep(Math.min(poll, Math.max(1, deadline - Date.now())));
  }
}

function onceRelease(path: string): Release {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const entry = held.get(path);
    if (!entry) return;
    if (--entry.count > 0) return;
    held.delete(path);
    const now = await readRegularText(path).catch(() => null);
    if (now === entry.content) await unlink(path).catch(() => undefined);
    removeCreatedDirs(path, entry.createdDir);
  };
}

/** Takes several locks in the given order (every caller uses the same order); releases in reverse. */
export async function acquireLocks(locks: { path: string; options?: LockOptions }[]): Promise<Release> {
  const releases: Release[] = [];
  try {
    for (const lock of locks) releases.push(await acquireLock(lock.path, lock.options));
  } catch (error) {
    for (const release of releases.reverse()) await release();
    throw error;
  }
  return async () => {
    for (const release of [...releases].reverse()) await release();
  };
}
