/**
 * Step 3 of the pipeline, and the only place that changes the machine: files are backed up first
 * and replaced atomically; `run` operations (install, start, stop) go to apply/actions.ts. Every
 * command hands its operations to `execute`, which owns --dry-run: shown, never carried out.
 */
import { isNoSpace, noSpaceError } from '../fs/system-errors.js';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { realTarget, writeFileAtomic } from '../fs/atomic-write.js';
import { backupFile, backupRunDir, type BackupRecord } from '../fs/backup.js';
import { removeLeftoverTempFiles, toolFiles } from '../fs/leftovers.js';
import { lockForSetup } from '../fs/run-locks.js';
import { assertAllWritable } from '../fs/preflight.js';
import { ensureStateDir } from '../fs/state-dir.js';
import { readTextIfExists } from '../fs/read.js';
import { CancelledError, UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isFileOperation, renderDiff, type FileOperation, type Operation } from '../units/operations.js';
import { runAction, type ActionEnv, type RunResults } from './actions.js';
import { cli } from '../invocation.js';

/**
 * Ctrl-C while files are being replaced: the file in hand is finished (its rename is atomic
 * anyway), the rest are not started, and the run ends as cancelled.
 */
const interruption = { writing: false, requested: false };

export function requestStop(): boolean {
  interruption.requested = true;
  return interruption.writing;
}

export interface ApplyResult extends RunResults {
  written: string[];
  backups: BackupRecord[];
}

async function applyFile(op: FileOperation, runDir: string, result: ApplyResult): Promise<void> {
  const current = await readTextIfExists(op.path);
  if (current !== op.before) {
    throw new UserError('changed-meanwhile', `${op.path} changed while glm-codex-setup was running; nothing more was written.`, {
      exitCode: ExitCode.config,
      fix: `Run ${cli()} again.`,
    });
  }
  if (op.before !== null && !(op.kind === 'delete' && op.backup === false)) {
    const backup = await backupFile(op.path, runDir);
    if (backup) result.backups.push(backup);
  }
  if (op.kind === 'delete') await unlink(await realTarget(op.path));
  else {
    await writeFileAtomic(op.path, op.after, {
      newFileMode: op.newFileMode,
      ...(op.secret ? { forceMode: 0o600 } : {}),
    });
  }
  result.written.push(op.path);
}

/**
 * Where a run's backups go, and whether the state dir is made and locked: the tool's own setup
 * (the default), or a folder of the operator's (`gateway init DIR`: backups beside the bundle, and
 * no ~/.glm-codex made on a gateway host).
 */
export type ApplyWhere = { kind: 'state-dir' } | { kind: 'folder'; backups: string };

const emptyResult = (): ApplyResult => ({ written: [], backups: [], litellm: null, proxy: null, stopped: [], codex: null, gatewayKey: null });

/** The one door to the machine: with `dryRun`, every operation is shown (a diff for a file, secrets masked; the argv of a command) and nothing changes. */
export async function execute(operations: Operation[], env: ActionEnv & { dryRun: boolean }, where: ApplyWhere = { kind: 'state-dir' }): Promise<ApplyResult & { dryRun: boolean }> {
  if (!env.dryRun) return { ...(await applyOperations(operations, env, where)), dryRun: false };
  for (const op of operations) env.out.raw(renderDiff(op));
  return { ...emptyResult(), dryRun: true };
}

/** Undoes written file operations (newest first): created files removed, changed ones given back their old text. Returns what could not be put back. */
async function rollBack(done: readonly FileOperation[]): Promise<string[]> {
  const left: string[] = [];
  // Removals first: they free the space the restores need.
  const ordered = [...done].reverse().sort((a, b) => Number(a.before !== null) - Number(b.before !== null));
  for (const op of ordered) {
    try {
      if (op.before === null) await unlink(await realTarget(op.path)).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      else if (op.kind === 'delete' || (await readTextIfExists(op.path)) !== op.before) await writeFileAtomic(op.path, op.before, { newFileMode: ('newFileMode' in op ? op.newFileMode : undefined) ?? 0o600 });
    } catch {
      left.push(op.path);
    }
  }
  return left;
}

function errorPath(error: unknown): string | null {
  const message = error instanceof Error ? error.message : '';
  return (error as NodeJS.ErrnoException).path ?? /\(writing ([^)]+)\)/.exec(message)?.[1] ?? null;
}

/** Carries out the operations in order, under the state dir's lock; a purge of the state dir comes after the lock is let go (the lock lives there). */
export async function applyOperations(operations: Operation[], env: ActionEnv, where: ApplyWhere = { kind: 'state-dir' }): Promise<ApplyResult> {
  const result = emptyResult();
  if (operations.length === 0) return result;
  const isPurge = (op: Operation) => op.kind === 'run' && op.action === 'purge-state-dir';
  const locked = operations.filter((op) => !isPurge(op));
  const ownDir = where.kind === 'state-dir';
  await assertAllWritable([...operations.filter(isFileOperation), ...(ownDir ? [{ kind: 'write' as const, path: env.paths.lock }] : [])]);
  if (ownDir && locked.length > 0) await ensureStateDir(env.paths.stateDir);
  const release = ownDir && locked.length > 0 ? await lockForSetup(env.paths, { purpose: 'writing files' }) : async () => undefined;
  interruption.writing = true;
  try {
    await removeLeftoverTempFiles([...operations.filter(isFileOperation).map((op) => op.path), ...(ownDir ? toolFiles(env.paths, []) : [])]);
    const runDir = backupRunDir(ownDir ? env.paths.backups : where.backups);
    const done: FileOperation[] = [];
    try {
      for (const op of locked) {
        if (interruption.requested) throw new CancelledError();
        if (op.kind !== 'run') {
          await applyFile(op, runDir, result);
          done.push(op);
          env.onWritten?.(op.path);
          continue;
        }
        // A command (an install, a proxy start) is not a half-written file: Ctrl-C ends it at once.
        interruption.writing = false;
        await runAction(op, env, result);
        interruption.writing = true;
      }
    } catch (error) {
      // Out of space: nothing half-applied. What this run wrote is put back as it was, newest first.
      if (!isNoSpace(error)) throw error;
      const left = await rollBack(done);
      throw noSpaceError(errorPath(error) ?? join(env.paths.stateDir, 'app'), left);
    }
  } finally {
    interruption.writing = false;
    await release();
  }
  for (const op of operations.filter(isPurge)) if (op.kind === 'run') await runAction(op, env, result);
  return result;
}
