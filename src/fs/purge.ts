/**
 * `uninstall --purge`: delete the tool's own entries in the state dir, and the folder itself when
 * nothing else is left. A folder the tool did not make (no marker, no state.json of the tool) or
 * one that holds anything foreign is refused as a whole: nothing is deleted, the foreign entries
 * are named. `--state-dir ~` must never cost anyone their home folder.
 */
import { lstat, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { cli } from '../invocation.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { OWN_STATE_DIRS, OWN_STATE_FILES, STATE_DIR_MARKER, tempFileOwner } from './state-dir.js';

export interface PurgePlan {
  stateDir: string;
  /** False when there is no state dir: nothing to remove. */
  exists: boolean;
  /** The tool's own entries (absolute paths), in deletion order: the marker last. */
  delete: string[];
  /** Entries that are not the tool's (relative to the state dir). Non-empty: purge is refused. */
  foreign: string[];
  /** Why the folder as a whole is not recognised as the tool's, or null. */
  notOurs: string | null;
}

const OWN_FILES = new Set<string>([...OWN_STATE_FILES, STATE_DIR_MARKER]);
const BACKUP_RUN = /^\d{8}T\d{6}Z$/;
const UV_ENTRY = /^(\d+\.\d+\.\d+(\.new-\d+)?|cache)$/;

/** state.json as the tool writes it: a JSON object with "version": 1. */
export function isToolManifest(text: string): boolean {
  try {
    const data = JSON.parse(text) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data) && (data as { version?: unknown }).version === 1;
  } catch {
    return false;
  }
}

async function kind(path: string): Promise<'file' | 'dir' | 'link' | 'other' | null> {
  try {
    const info = await lstat(path);
    return info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}

async function list(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** What a purge would delete, and what it found that is not the tool's. Reads only. */
export async function planPurge(stateDir: string): Promise<PurgePlan> {
  const plan: PurgePlan = { stateDir, exists: false, delete: [], foreign: [], notOurs: null };
  const top = await kind(stateDir);
  if (top === null) return plan;
  plan.exists = true;
  if (top !== 'dir') {
    plan.notOurs = `${stateDir} is not a folder`;
    plan.foreign.push('.');
    return plan;
  }
  let marked = false;
  let manifest = false;
  for (const name of await list(stateDir)) {
    const path = join(stateDir, name);
    const type = await kind(path);
    const tempOf = tempFileOwner(name);
    if (OWN_FILES.has(name) && (type === 'file' || type === 'link')) {
      if (name === STATE_DIR_MARKER) marked = true;
      if (name === 'state.json' && type === 'file') manifest = isToolManifest(await readFile(path, 'utf8').catch(() => ''));
      plan.delete.push(path);
    } else if (tempOf !== null && OWN_FILES.has(tempOf) && type === 'file') {
      plan.delete.push(path);
    } else if (name === 'venv' && type === 'dir' && (await kind(join(path, 'pyvenv.cfg'))) === 'file') {
      plan.delete.push(path);
    } else if (name === 'uv' && type === 'dir' && (await list(path)).every((entry) => UV_ENTRY.test(entry))) {
      // The uv the tool fetched (one folder per release, and what an interrupted fetch left) and its cache.
      plan.delete.push(path);
    } else if (/^app(\.(new|old)-\d+)?$/.test(name) && type === 'dir' && (await kind(join(path, 'bin', 'glm-codex-setup.js'))) === 'file') {
      // The tool's own copy for Codex's auth command (and what an interrupted swap of it left).
      plan.delete.push(path);
    } else if (name === 'backups' && type === 'dir') {
      const strangers = (await list(path)).filter((run) => !BACKUP_RUN.test(run));
      for (const run of strangers) plan.foreign.push(`backups/${run}`);
      if (strangers.length === 0) plan.delete.push(path);
    } else {
      plan.foreign.push(type === 'dir' ? `${name}/` : name);
    }
  }
  if (!marked && !manifest) plan.notOurs = `${stateDir} was not created by glm-codex-setup (it has neither the ${STATE_DIR_MARKER} marker nor the tool's state.json)`;
  plan.delete.sort((a, b) => Number(a.endsWith(`/${STATE_DIR_MARKER}`)) - Number(b.endsWith(`/${STATE_DIR_MARKER}`)));
  return plan;
}

/** The refusal for a plan that must not be carried out, or null when the purge may go ahead. */
export function purgeRefusal(plan: PurgePlan): UserError | null {
  if (!plan.exists || (plan.foreign.length === 0 && plan.notOurs === null)) return null;
  const shown = plan.foreign.slice(0, 8).join(', ') + (plan.foreign.length > 8 ? ` and ${plan.foreign.length - 8} more` : '');
  const reasons = [plan.notOurs, plan.foreign.length > 0 && plan.foreign[0] !== '.' ? `it holds entries glm-codex-setup did not create: ${shown}` : null].filter(Boolean);
  return new UserError('purge-refused', `Refusing to purge ${plan.stateDir}: ${reasons.join('; ')}. Nothing was deleted.`, {
    exitCode: ExitCode.config,
    fix: `Check --state-dir / GLM_CODEX_HOME. Run \`${cli('uninstall')}\` without --purge, then delete the tool's own files there yourself (${[...OWN_STATE_FILES, ...OWN_STATE_DIRS.map((d) => `${d}/`), STATE_DIR_MARKER].join(', ')}).`,
  });
}

/** Deletes the planned entries, then the folder when it is empty. Returns true when the folder is gone. */
export async function executePurge(plan: PurgePlan): Promise<boolean> {
  const refusal = purgeRefusal(plan);
  if (refusal) throw refusal;
  if (!plan.exists) return false;
  for (const path of plan.delete) await rm(path, { recursive: true, force: true });
  try {
    await rmdir(plan.stateDir);
    return true;
  } catch (error) {
    // Something appeared meanwhile: it is not ours, so it stays (and the folder with it).
    if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
