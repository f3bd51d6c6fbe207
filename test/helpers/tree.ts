import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** path -> sha256 + mode of every file (and symlink target) under `root`: to prove nothing changed. */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries.sort()) {
      const path = join(dir, name);
      const info = await lstat(path);
      const key = relative(root, path);
      if (info.isSymbolicLink()) out[key] = `link:${await readlink(path)}`;
      else if (info.isDirectory()) {
        out[key] = `dir:${(info.mode & 0o777).toString(8)}`;
        await walk(path);
      } else out[key] = `${createHash('sha256').update(await readFile(path)).digest('hex')}:${(info.mode & 0o777).toString(8)}:${info.mtimeMs}`;
    }
  }
  await walk(root);
  return out;
}

/** Every regular file under `root` whose bytes contain `needle`, with its mode. */
export async function filesContaining(root: string, needle: string): Promise<{ path: string; mode: number }[]> {
  const found: { path: string; mode: number }[] = [];
  async function walk(dir: string): Promise<void> {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await lstat(path);
      if (info.isDirectory()) await walk(path);
      else if (info.isFile() && (await readFile(path)).includes(needle)) found.push({ path: relative(root, path), mode: info.mode & 0o777 });
    }
  }
  await walk(root);
  return found;
}
