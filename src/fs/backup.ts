import { copyFile, mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathExists } from '../system.js';
import { realTarget } from './atomic-write.js';

export interface BackupRecord {
  original: string;
  backup: string;
}

/** One folder per run: backups/<UTC timestamp>/, mode 0700 (backups can hold secrets). */
export function backupRunDir(backupsDir: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(backupsDir, stamp);
}

/** Copies the real file behind `path` into `runDir`, keeping its mode. Returns null when there is nothing to back up. */
export async function backupFile(path: string, runDir: string): Promise<BackupRecord | null> {
  const target = await realTarget(path);
  if (!(await pathExists(target))) return null;
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await chmod(runDir, 0o700);
  let name = basename(path);
  const index = join(runDir, 'INDEX');
  const previous = await readFile(index, 'utf8').catch(() => '');
  if (previous.split('\n').some((line) => line.startsWith(`${name}\t`))) name = `${name}.${previous.split('\n').length}`;
  const backup = join(runDir, name);
  await copyFile(target, backup);
  await writeFile(index, `${previous}${name}\t${path}\n`, { mode: 0o600 });
  return { original: path, backup };
}
