/** Before the first write of a run: every target must be writable, so a run is refused whole, never half-applied. */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { realTarget } from './atomic-write.js';
import { unreadablePathError } from './read.js';
import { assertFolderWritable, assertReplaceable } from './writable.js';

export interface WriteTarget {
  kind: 'write' | 'delete';
  path: string;
}

/** Throws the first reason any target cannot be written (or deleted) safely; writes nothing. */
export async function assertAllWritable(targets: readonly WriteTarget[]): Promise<void> {
  for (const { kind, path } of targets) {
    const target = await realTarget(path);
    const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw unreadablePathError(path, error) ?? error;
    });
    if (info && kind === 'write') await assertReplaceable(path, target, info);
    else await assertFolderWritable(path, dirname(target));
  }
}
