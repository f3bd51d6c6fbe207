/** Is a path inside a git work tree? (secrets.env there could be committed by a `git add -A`.) */
import { lstat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The work tree's root (the folder holding `.git`, a folder or a worktree's file) at or above `path`, or null. */
export async function gitWorkTreeAbove(path: string): Promise<string | null> {
  let dir = resolve(path);
  for (;;) {
    if (await lstat(join(dir, '.git')).then(() => true, () => false)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
