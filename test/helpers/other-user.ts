/**
 * Running the tool as another user (root tests only). That user cannot read a checkout inside a
 * private (0700) folder, as `mktemp -d` and most home folders are, so it runs a copy of what the tool
 * needs at run time (the published package: APP_COPY_ENTRIES), made world-readable in a temporary
 * folder that no private folder encloses.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { chmod, cp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { APP_BIN, APP_COPY_ENTRIES } from '../../src/fs/app-copy.js';
import { ROOT, type Sandbox } from './cli.js';
import { tempDir } from './tmp.js';

/** The unprivileged user of Debian and most distributions. */
export const NOBODY = 65534;

export const isRoot = process.getuid?.() === 0;

/** setpriv works here (root, util-linux present, a user namespace that allows the switch). */
export const canRunAsOtherUser =
  isRoot &&
  (() => {
    try {
      execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

/** Every folder from `path` up to / lets others in (o+x): a 0700 ancestor hides everything under it. */
function othersCanReach(path: string): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(dir) === dir) return true;
  }
}

async function makeWorldReadable(path: string): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    await chmod(path, 0o755);
    for (const name of await readdir(path)) await makeWorldReadable(join(path, name));
  } else {
    await chmod(path, 0o644);
  }
}

let copy: Promise<string> | undefined;

/**
 * A world-readable copy of the built package (0755 folders, 0644 files), made once per test file and
 * removed after it; returns the copy's root. The bundle must be built (the global setup builds it).
 */
export function readableToolCopy(): Promise<string> {
  copy ??= (async () => {
    const parent = othersCanReach(tmpdir()) ? tmpdir() : '/tmp';
    if (!othersCanReach(parent)) throw new Error(`other-user.ts: neither ${tmpdir()} nor /tmp can be reached by other users`);
    const root = await tempDir('glm-tool-copy-');
    if (dirname(root) !== parent && !othersCanReach(dirname(root))) throw new Error(`other-user.ts: ${root} sits in a folder other users cannot enter`);
    for (const entry of APP_COPY_ENTRIES) await cp(join(ROOT, entry), join(root, entry), { recursive: true, dereference: true });
    await makeWorldReadable(root);
    if (!othersCanReach(root)) throw new Error(`other-user.ts: ${root} cannot be reached by other users`);
    return root;
  })();
  return copy;
}

/** The Node binary must be reachable by the other user too (a private nvm install is not). */
function nodeForOthers(): string {
  if (!othersCanReach(dirname(process.execPath))) throw new Error(`other-user.ts: ${process.execPath} sits in a folder other users cannot enter`);
  accessSync(process.execPath, constants.X_OK);
  return process.execPath;
}

/**
 * The tool run as user `uid` (and group `uid`, no supplementary groups) from the readable copy, in
 * the sandbox's HOME with the sandbox's environment; `umask` runs it under that umask.
 */
export async function runCliAs(uid: number, box: Sandbox, args: string[], options: { env?: Record<string, string>; umask?: string; timeout?: number } = {}) {
  const bin = join(await readableToolCopy(), ...APP_BIN.split('/'));
  const node = [nodeForOthers(), bin, ...args];
  const command = options.umask !== undefined ? ['sh', '-c', `umask ${options.umask} && exec "$@"`, 'sh', ...node] : node;
  const full = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...command];
  const result = await execa(full[0]!, full.slice(1), {
    cwd: box.home,
    env: { ...box.env, ...options.env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeout ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: `${String(result.stdout)}\n${String(result.stderr)}` };
}
