/**
 * Temporary files of atomic writes that a crash (kill -9, power loss) left behind:
 * `.<name>.<12 hex>.tmp` next to a file the tool writes. `.secrets.env.….tmp` holds both keys,
 * so they are removed on the next run. Only that exact pattern, only next to the tool's files.
 */
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { realTarget } from './atomic-write.js';
import { keyEnvFiles } from '../config/shell-env.js';
import type { Paths } from '../paths.js';
import { tempFileOwner } from './state-dir.js';

/** The leftover temporary files next to the real targets of `paths`. */
export async function leftoverTempFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const path of paths) {
    const target = await realTarget(path).catch(() => null);
    if (target === null) continue;
    const names = await readdir(dirname(target)).catch(() => [] as string[]);
    for (const name of names) if (tempFileOwner(name) === basename(target)) found.add(join(dirname(target), name));
  }
  return [...found].sort();
}

/** Removes them; returns what was removed. Call it while holding the lock (a running write has its own temp file). */
export async function removeLeftoverTempFiles(paths: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const file of await leftoverTempFiles(paths)) {
    await unlink(file).then(
      () => removed.push(file),
      () => undefined,
    );
  }
  return removed;
}

/** The configuration and key files the tool writes, where a crash can leave temporary files (the pid file is left to the proxy commands). */
export function toolFiles(paths: Paths, rcFiles: readonly string[]): string[] {
  const envFiles = keyEnvFiles(paths.stateDir);
  return [paths.codexConfig, paths.codexProfile, paths.bridgeConfig, paths.secrets, paths.manifest, envFiles.sh, envFiles.fish, ...rcFiles];
}
