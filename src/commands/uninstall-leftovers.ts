/**
 * What uninstall's undo leaves in the state dir: the stored keys (secrets.env, and backups that
 * hold a key) and the LiteLLM venv, found here; uninstall plans their removal (without a backup:
 * a backup of a key is a key) and apply/ carries it out.
 */
import { lstat, readdir } from 'node:fs/promises';
import { readRegularText } from '../fs/read.js';
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
    const text = await readRegularText(file).catch(() => '');
    if (wanted.some((key) => text.includes(key))) holding.push(file);
  }
  return holding;
}

/** The venv's disk usage in bytes as `du` counts it (allocated blocks, folders too, a hard-linked file once), or null when there is none. */
export async function venvSize(paths: Paths): Promise<number | null> {
  if (!(await lstat(paths.venv).then((s) => s.isDirectory(), () => false))) return null;
  const seen = new Set<string>();
  const usage = async (path: string): Promise<number> => {
    const info = await lstat(path).catch(() => null);
    if (!info) return 0;
    const id = `${info.dev}:${info.ino}`;
    if (seen.has(id)) return 0;
    seen.add(id);
    let total = info.blocks * 512;
    if (info.isDirectory()) {
      const names = await readdir(path).catch(() => [] as string[]);
      for (const name of names) total += await usage(join(path, name));
    }
    return total;
  };
  return usage(paths.venv);
}

/** A size in `du -h`'s units and rounding (1024-based, rounded up, one decimal under 10): "759M", "1.2G". */
export function diskSize(bytes: number): string {
  const units = ['K', 'M', 'G', 'T'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? (Math.ceil(value * 10) / 10).toFixed(1) : String(Math.ceil(value));
  // 9.96 rounds up to 10.0: du then shows "10".
  return `${shown === '10.0' ? '10' : shown}${units[unit]}`;
}
