/**
 * Is the state dir safe to hold keys and to run code from? It (and the app copy and venv launcher
 * inside it) must belong to this user and be writable by nobody else, and no folder above it may let
 * another user swap it (writable by others without the sticky bit, or owned by another user but root).
 * Judged by owners and modes, never by names. Plain functions: setup, the locks, the auth command and
 * doctor call them.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

export interface TrustProblem {
  path: string;
  /** What is wrong, in a few words. */
  why: string;
  /** The command that fixes it. */
  fix: string;
}

const me = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

function ownProblem(path: string, info: { uid: number; mode: number }, allowRoot: boolean, isDir: boolean): TrustProblem | null {
  const uid = me();
  if (uid === null) return null;
  if (info.uid !== uid && !(allowRoot && info.uid === 0)) {
    return { path, why: `belongs to another user (uid ${info.uid})`, fix: `use a folder of your own (--state-dir), or, if you trust it, chown -R ${uid} ${path}` };
  }
  const sticky = isDir && (info.mode & 0o1000) !== 0;
  if ((info.mode & 0o022) !== 0 && !(allowRoot && sticky)) {
    const who = info.mode & 0o002 ? 'every user' : 'its group';
    return { path, why: `is writable by ${who} (mode ${(info.mode & 0o7777).toString(8)})`, fix: `chmod go-w ${path} (and check nothing in it was changed), or use another --state-dir` };
  }
  return null;
}

/** The folders above `dir`: each must be this user's or root's, and not writable by others unless sticky (/tmp). */
async function ancestorProblems(dir: string): Promise<TrustProblem[]> {
  const problems: TrustProblem[] = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    const info = await stat(current).catch(() => null);
    if (info) {
      const problem = ownProblem(current, info, true, true);
      if (problem) problems.push(problem);
    }
    if (dirname(current) === current) break;
  }
  return problems;
}

async function treeProblems(root: string, into: TrustProblem[], budget = { left: 2000 }): Promise<void> {
  const info = await lstat(root).catch(() => null);
  if (!info || budget.left-- <= 0) return;
  const problem = ownProblem(root, info, false, info.isDirectory());
  // A symlink's own mode is always 777: only its owner matters.
  if (problem && !(info.isSymbolicLink() && problem.why.startsWith('is writable'))) into.push(problem);
  if (info.isDirectory()) for (const name of await readdir(root).catch(() => [] as string[])) await treeProblems(join(root, name), into, budget);
}

/**
 * What makes the state dir unsafe (empty when it is safe, or absent: the tool creates it 0700).
 * `app`: the app copy's every file; `venv`: the venv's folder and launcher folder (what the proxy runs).
 */
export async function stateDirProblems(stateDir: string, options: { app?: boolean; venv?: boolean } = {}): Promise<TrustProblem[]> {
  const dir = resolve(stateDir);
  const problems = await ancestorProblems(dir);
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    if (error.code === 'ENOTDIR') return 'not-a-dir' as const;
    throw error;
  });
  if (info === 'not-a-dir' || (info && !info.isDirectory())) {
    return [{ path: dir, why: 'is not a folder (a file is in the way)', fix: `choose another --state-dir, or move that file away` }];
  }
  if (info) {
    const problem = ownProblem(dir, info, false, true);
    if (problem) problems.push(problem);
    if (options.app) await treeProblems(join(dir, 'app'), problems);
    if (options.venv) {
      for (const sub of ['venv', 'venv/bin', 'venv/bin/litellm', 'venv/bin/python']) {
        const entry = await lstat(join(dir, sub)).catch(() => null);
        const problem = entry ? ownProblem(join(dir, sub), entry, false, entry.isDirectory()) : null;
        if (problem && !(entry!.isSymbolicLink() && problem.why.startsWith('is writable'))) problems.push(problem);
      }
    }
  }
  return problems;
}

/** Refuses an unsafe state dir before any key goes in or anything runs from it (exit 4, the first problem and its fix). */
export async function assertStateDirTrusted(stateDir: string, options: { app?: boolean; venv?: boolean } = {}): Promise<void> {
  const [first, ...rest] = await stateDirProblems(stateDir, options);
  if (!first) return;
  if (first.why.startsWith('is not a folder')) throw new UserError('state-dir-not-a-folder', `${first.path} ${first.why}.`, { exitCode: ExitCode.config, fix: `${first.fix}.` });
  throw new UserError('state-dir-unsafe', `${first.path} ${first.why}: another user could read the keys or change what runs as you${rest.length > 0 ? ` (and ${rest.length} more like it)` : ''}; glm-codex-setup will not use it.`, {
    exitCode: ExitCode.config,
    fix: `${first.fix}.`,
  });
}
