import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and any missing parents with exactly `mode` (chmod after mkdir, so the umask
 * cannot loosen it). Folders that exist already keep their mode. Returns the folders it created.
 */
export async function mkdirWithMode(dir: string, mode: number): Promise<string[]> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    try {
      await stat(current);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.unshift(current);
      if (dirname(current) === current) break;
    }
  }
  const created: string[] = [];
  for (const path of missing) {
    try {
      await mkdir(path, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await chmod(path, mode);
    created.push(path);
  }
  return created;
}
