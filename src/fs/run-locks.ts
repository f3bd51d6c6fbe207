/**
 * The locks runs take, in one fixed order so two runs can never wait for each other:
 *   1. the state dir's setup.lock (this state dir's files),
 *   2. the lock next to config.toml's real file (shared by every state dir and every CODEX_HOME
 *      symlinked to the same file: it lives where the atomic write's temporary files already go,
 *      so it is writable whenever config.toml is, and no global folder is needed),
 *   3. the state dir's proxy.lock (starting, restarting and stopping the proxy; the future
 *      on-demand start from Codex's auth command takes only this one).
 */
import { basename, dirname, join } from 'node:path';
import type { Paths } from '../paths.js';
import { realTarget } from './atomic-write.js';
import { acquireLock, acquireLocks, type Release } from './lock.js';
import { assertAllWritable } from './preflight.js';
import { assertStateDirTrusted } from './state-dir-trust.js';

/**
 * How long a setup waits for another one on the same files (it holds them from inspect to the last
 * write): 2 minutes, or GLM_CODEX_LOCK_WAIT_MS (0: fail at once).
 */
export function setupLockWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.GLM_CODEX_LOCK_WAIT_MS);
  return env.GLM_CODEX_LOCK_WAIT_MS !== undefined && Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : 120_000;
}

export async function configLockPath(codexConfig: string): Promise<string> {
  const real = await realTarget(codexConfig);
  return join(dirname(real), `.${basename(real)}.glm-codex-setup.lock`);
}

export function proxyLockPath(paths: Pick<Paths, 'stateDir'>): string {
  return join(paths.stateDir, 'proxy.lock');
}

/** Locks 1 and 2: nothing else reads-then-writes these files while they are held. */
export async function lockForSetup(paths: Paths, options: { waitMs?: number; purpose?: string; onWait?: (holder: string) => void } = {}): Promise<Release> {
  const lockOptions = { waitMs: options.waitMs ?? setupLockWaitMs(), purpose: options.purpose ?? 'setup', ...(options.onWait ? { onWait: options.onWait } : {}) };
  // Nothing goes into a state dir another user can change (or owns), nothing runs from it.
  await assertStateDirTrusted(paths.stateDir, { app: true });
  const configLock = await configLockPath(paths.codexConfig);
  // Checked before either lock is made: a folder this user cannot write is refused with nothing created.
  await assertAllWritable([
    { kind: 'write', path: paths.lock },
    { kind: 'write', path: configLock },
  ]);
  return acquireLocks([
    { path: paths.lock, options: lockOptions },
    { path: configLock, options: lockOptions },
  ]);
}

/** Lock 3, held for `fn`. */
export async function withProxyLock<T>(paths: Pick<Paths, 'stateDir'>, purpose: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  await assertStateDirTrusted(paths.stateDir, { venv: true });
  const release = await acquireLock(proxyLockPath(paths), { waitMs, purpose });
  try {
    return await fn();
  } finally {
    await release();
  }
}
