/** Step 3 of the pipeline: carry out the operations, each file backed up first and replaced atomically. */
import { unlink } from 'node:fs/promises';
import { realTarget, writeFileAtomic } from '../fs/atomic-write.js';
import { backupFile, backupRunDir, type BackupRecord } from '../fs/backup.js';
import { lockForSetup } from '../fs/run-locks.js';
import { readTextIfExists } from '../fs/read.js';
import { CancelledError, UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Paths } from '../paths.js';
import type { Operation } from '../plan/plan.js';

/**
 * Ctrl-C while files are being replaced: the file in hand is finished (its rename is atomic
 * anyway), the rest are not started, and the run ends as cancelled.
 */
const interruption = { writing: false, requested: false };

export function requestStop(): boolean {
  interruption.requested = true;
  return interruption.writing;
}

export interface ApplyResult {
  written: string[];
  backups: BackupRecord[];
}

export async function applyOperations(operations: Operation[], paths: Paths): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], backups: [] };
  if (operations.length === 0) return result;
  const release = await lockForSetup(paths, { purpose: 'writing files' });
  interruption.writing = true;
  try {
    const runDir = backupRunDir(paths.backups);
    for (const op of operations) {
      if (interruption.requested) throw new CancelledError();
      const current = await readTextIfExists(op.path);
      if (current !== op.before) {
        throw new UserError('changed-meanwhile', `${op.path} changed while glm-codex-setup was running; nothing more was written.`, {
          exitCode: ExitCode.config,
          fix: 'Run glm-codex-setup again.',
        });
      }
      if (op.before !== null) {
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
    return result;
  } finally {
    interruption.writing = false;
    await release();
  }
}
