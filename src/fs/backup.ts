import { readRegularText, readRegularFile } from './read.js';
import { chmod, open, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathExists } from '../system.js';
import { realTarget } from './atomic-write.js';
import { mkdirWithMode } from './mkdir.js';

export interface BackupRecord {
  original: string;
  backup: string;
}

/** One folder per run: backups/<UTC timestamp>/, mode 0700 (backups can hold secrets). */
export function backupRunDir(backupsDir: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(backupsDir, stamp);
}

/**
 * Copies the real file behind `path` into `runDir`. Every backup is 0600 whatever the original's
 * mode (a 0644 secrets.env must not become a readable copy), in folders that are 0700.
 */
export async function backupFile(path: string, runDir: string): Promise<BackupRecord | null> {
  const target = await realTarget(path);
  if (!(await pathExists(target))) return null;
  await mkdirWithMode(runDir, 0o700);
  await chmod(dirname(runDir), 0o700);
  await chmod(runDir, 0o700);
  let name = basename(path);
  const index = join(runDir, 'INDEX');
  const previous = await readRegularText(index).catch(() => '');
  if (previous.split('\n').some((line) => line.startsWith(`${name}\t`))) name = `${name}.${previous.split('\n').length}`;
  const backup = join(runDir, name);
  const handle = await open(backup, 'wx', 0o600);
  try {
    await handle.writeFile(await readRegularFile(target));
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  await writeFile(index, `${previous}${name}\t${path}\n`, { mode: 0o600 });
  return { original: path, backup };
}
