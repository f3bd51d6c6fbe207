/**
 * The state dir (~/.glm-codex) and what in it is the tool's own. When the tool creates the folder it
 * leaves a marker file in it, so that `uninstall --purge` can tell its own folder from one the user
 * pointed it at (a home folder, a project): only the tool's own entries are ever deleted.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdirWithMode } from './mkdir.js';

export const STATE_DIR_MARKER = '.glm-codex-setup';
export const STATE_DIR_MODE = 0o700;

/** Files the tool writes into the state dir (besides the marker). */
export const OWN_STATE_FILES = [
  'glm-bridge.yaml',
  'glm_codex_hooks.py',
  'secrets.env',
  'state.json',
  'glm-models.json',
  'codex-env.sh',
  'codex-env.fish',
  'proxy.pid',
  'proxy.log',
  'proxy.log.1',
  'setup.lock',
  'proxy.lock',
  'supervisor.json',
  'supervisor.log',
  'proxy-failure.json',
] as const;

/** Folders the tool creates in the state dir. */
// __pycache__: Python's bytecode of glm_codex_hooks.py, written when LiteLLM imports it.
export const OWN_STATE_DIRS = ['venv', 'backups', 'app', 'uv', '__pycache__'] as const;

/** A temporary file of an atomic write that a crash left behind: `.<name>.<12 hex>.tmp`. */
export function tempFileOwner(name: string): string | null {
  const match = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name);
  return match ? match[1]! : null;
}

const MARKER_TEXT =
  'This folder was created by glm-codex-setup (its state: LiteLLM config, keys, venv, logs, backups).\n' +
  '`glm-codex-setup uninstall --purge` deletes the files it created here, and the folder when nothing else is in it.\n';

/** Creates the state dir (mode 0700) with its marker when it does not exist. Returns true when it created it. */
export async function ensureStateDir(stateDir: string): Promise<boolean> {
  const created = await mkdirWithMode(stateDir, STATE_DIR_MODE);
  // New here, or made a moment ago by this run's own lock (then it holds nothing but lock files).
  const fresh = created.includes(stateDir) || (await onlyLockFiles(stateDir));
  if (!fresh) return false;
  await writeFile(join(stateDir, STATE_DIR_MARKER), MARKER_TEXT, { mode: 0o644, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return true;
}

async function onlyLockFiles(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => null);
  return entries !== null && entries.length > 0 && entries.every((name) => /^(setup|proxy)\.lock(\.\d+\.[0-9a-f]+\.tmp)?$/.test(name));
}
