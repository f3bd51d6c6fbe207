/**
 * What uninstall's undo leaves in the state dir: the stored keys (secrets.env, and backups that
 * hold a key) and the LiteLLM venv, found here; uninstall plans their removal (without a backup:
 * a backup of a key is a key) and apply/ carries it out.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Paths } from '../paths.js';

/** Every file under `dir`, depth first; symlinks are not followed. */
async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** The backups that hold any of these key values. */
export async function backupsHolding(paths: Paths, keys: string[]): Promise<string[]> {
  const wanted = keys.filter((key) => key.length >= 6);
  if (wanted.length === 0) return [];
  const holding: string[] = [];
  for (const file of await filesUnder(paths.backups)) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (wanted.some((key) => text.includes(key))) holding.push(file);
  }
  return holding;
}

/** The venv's size in bytes, or null when there is none. */
export async function venvSize(paths: Paths): Promise<number | null> {
  if (!(await lstat(paths.venv).then((s) => s.isDirectory(), () => false))) return null;
  let total = 0;
  for (const file of await filesUnder(paths.venv)) total += await lstat(file).then((s) => s.size, () => 0);
  return total;
}

export function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1_000_000)} MB`;
}
