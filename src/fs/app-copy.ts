/**
 * A private copy of the running tool in the state dir (`<state dir>/app/`), for Codex's auth command.
 * The command must keep working when the package that ran setup is gone (an npx cache, a moved
 * checkout, a global install removed): it runs `node <state dir>/app/bin/glm-codex-setup.js auth-token`,
 * which depends on nothing outside the state dir but the Node binary.
 */
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { appCopyDir } from '../config/codex-auth.js';
import { packageRoot } from '../templates.js';
import { recordTree } from './made-record.js';
import { isProcessAlive } from '../system.js';

export interface AppFile {
  /** Relative to the copy's root, with `/` separators. */
  relativePath: string;
  content: Buffer;
  mode: number;
}

/** What the copy holds: the published package's own files (package.json's `files` plus package.json). */
export const APP_COPY_ENTRIES = ['package.json', 'bin', 'dist', 'templates'] as const;
export { APP_BIN, appCopyBin, appCopyDir } from '../config/codex-auth.js';

async function walk(root: string, path: string, into: AppFile[]): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const name of (await readdir(path)).sort()) await walk(root, join(path, name), into);
    return;
  }
  if (!info.isFile()) return;
  into.push({ relativePath: relative(root, path).split(sep).join('/'), content: await readFile(path), mode: info.mode & 0o755 });
}

/** The files of the running package to copy, read from its root (`root` overrides it, for tests). */
export async function appCopyFiles(root: string = packageRoot()): Promise<AppFile[]> {
  const files: AppFile[] = [];
  for (const entry of APP_COPY_ENTRIES) {
    const path = join(root, entry);
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      throw new Error(`glm-codex-setup: ${path} is missing: the tool runs from an unbuilt checkout (run npm run build first).`);
    }
    await walk(root, path, files);
  }
  if (!files.some((file) => file.relativePath === 'dist/cli.js')) throw new Error(`glm-codex-setup: ${join(root, 'dist/cli.js')} is missing (run npm run build first).`);
  return files;
}

/** `app.new-<pid>/` and `app.old-<pid>/` that a run which is gone left (a crash, a full disk). */
async function removeDeadCopies(stateDir: string): Promise<void> {
  for (const name of await readdir(stateDir).catch(() => [] as string[])) {
    const pid = /^app\.(?:new|old)-(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isProcessAlive(Number(pid))) await rm(join(stateDir, name), { recursive: true, force: true });
  }
}

/**
 * Installs the copy as a whole: written beside the old one, then swapped in by rename, so the auth
 * command never sees half a copy, and chunks of an older build do not linger.
 */
export async function installAppCopy(stateDir: string, files: AppFile[]): Promise<string> {
  const target = appCopyDir(stateDir);
  const fresh = `${target}.new-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  await removeDeadCopies(stateDir);
  try {
    for (const file of files) {
      const path = join(fresh, ...file.relativePath.split('/'));
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      await writeFile(path, file.content, { mode: file.mode });
      await chmod(path, file.mode);
    }
    // What purge may delete: exactly these files.
    await recordTree(fresh);
  } catch (error) {
    // A full disk (or any failure) leaves no half copy behind.
    await rm(fresh, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  const hadOld = await rename(target, old).then(
    () => true,
    () => false,
  );
  await rename(fresh, target);
  if (hadOld) await rm(old, { recursive: true, force: true });
  return target;
}

/** Is the copy in the state dir this very build (same files, same bytes)? */
export async function appCopyState(stateDir: string): Promise<'current' | 'stale' | 'missing'> {
  const dir = appCopyDir(stateDir);
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (!exists) return 'missing';
  let wanted: AppFile[];
  let present: AppFile[];
  try {
    wanted = await appCopyFiles();
    present = await appCopyFiles(dir);
  } catch {
    return 'stale';
  }
  if (wanted.length !== present.length) return 'stale';
  return wanted.every((file, index) => present[index]!.relativePath === file.relativePath && present[index]!.content.equals(file.content)) ? 'current' : 'stale';
}
