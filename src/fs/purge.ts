/**
 * `uninstall --purge`: delete the tool's own entries in the state dir, and the folder itself when
 * nothing else is left. A folder the tool did not make (no marker, no state.json of the tool) or
 * one that holds anything foreign at its top level is refused as a whole: nothing is deleted, the
 * foreign entries are named. `--state-dir ~` must never cost anyone their home folder. Inside the
 * folders the tool fills (app/, venv/, backups/<run>/) only what it recorded goes, file by file (the
 * app copy's and the venv's record, a backup run's INDEX; the app copy also by its bytes): anything
 * else stays and is named.
 */
import { readRegularText, readRegularFile } from './read.js';
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { appCopyFiles } from './app-copy.js';
import { sortTree, type SortedTree } from './made-record.js';
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
  /** Folders inside the tool's folders, deepest first: removed once empty. */
  dirs: string[];
  /** Files inside the tool's folders that it did not record (relative to the state dir): they stay. */
  kept: string[];
  /** Entries that are not the tool's (relative to the state dir). Non-empty: purge is refused. */
  foreign: string[];
  /** Why the folder as a whole is not recognised as the tool's, or null. */
  notOurs: string | null;
}

const OWN_FILES = new Set<string>([...OWN_STATE_FILES, STATE_DIR_MARKER]);
const BACKUP_RUN = /^\d{8}T\d{6}Z$/;
const HOOKS_BYTECODE = /^glm_codex_hooks\.[a-z0-9_-]+(\.opt-\d)?\.pyc$/;

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
  const plan: PurgePlan = { stateDir, exists: false, delete: [], dirs: [], kept: [], foreign: [], notOurs: null };
  const take = (name: string, sorted: SortedTree) => {
    plan.delete.push(...sorted.own);
    plan.dirs.push(...sorted.dirs, join(stateDir, name));
    plan.kept.push(...sorted.foreign.map((rel) => `${name}/${rel}`));
  };
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
      if (name === 'state.json' && type === 'file') manifest = isToolManifest(await readRegularText(path).catch(() => ''));
      plan.delete.push(path);
    } else if (tempOf !== null && OWN_FILES.has(tempOf) && type === 'file') {
      plan.delete.push(path);
    } else if (name === 'venv' && type === 'dir') {
      // The folders the tool fills are sorted file by file: what it did not record stays, whatever the folder is called.
      take(name, await sortTree(path));
    } else if (name === 'uv' && type === 'dir') {
      // The uv the tool fetched, sorted like the venv: what it did not record stays.
      take(name, await sortTree(path));
    } else if (/^app(\.(new|old)-\d+)?$/.test(name) && type === 'dir') {
      // The tool's own copy for Codex's auth command (and what an interrupted swap of it left).
      take(name, await sortAppCopy(path));
    } else if (name === '__pycache__' && type === 'dir') {
      // Python's bytecode of the tool's glm_codex_hooks.py, written when LiteLLM imports it; anything else stays.
      for (const entry of await list(path)) {
        if (HOOKS_BYTECODE.test(entry) && (await kind(join(path, entry))) === 'file') plan.delete.push(join(path, entry));
        else plan.kept.push(`${name}/${entry}`);
      }
      plan.dirs.push(path);
    } else if (name === 'backups' && type === 'dir') {
      for (const run of await list(path)) {
        const runPath = join(path, run);
        if (BACKUP_RUN.test(run) && (await kind(runPath)) === 'dir') take(`backups/${run}`, await sortBackupRun(runPath));
        else plan.kept.push(`backups/${run}`);
      }
      plan.dirs.push(path);
    } else {
      plan.foreign.push(type === 'dir' ? `${name}/` : name);
    }
  }
  if (!marked && !manifest) plan.notOurs = `${stateDir} was not created by glm-codex-setup (it has neither the ${STATE_DIR_MARKER} marker nor the tool's state.json)`;
  plan.delete.sort((a, b) => Number(a.endsWith(`/${STATE_DIR_MARKER}`)) - Number(b.endsWith(`/${STATE_DIR_MARKER}`)));
  return plan;
}

/** The app copy: by its record, else file by file against the running build's own bytes. */
export async function sortAppCopy(dir: string): Promise<SortedTree> {
  const sorted = await sortTree(dir);
  if (sorted.recorded) return sorted;
  const build = new Map((await appCopyFiles().catch(() => [])).map((file) => [file.relativePath, file.content]));
  const own: string[] = [];
  const foreign: string[] = [];
  for (const rel of sorted.foreign) {
    const path = join(dir, ...rel.split('/'));
    const content = (await kind(path)) === 'file' ? await readRegularFile(path).catch(() => null) : null;
    const wanted = build.get(rel);
    if (content && wanted && content.equals(wanted)) own.push(path);
    else foreign.push(rel);
  }
  return { ...sorted, own, foreign };
}

/** A backup run: its INDEX and the copies it names; anything else is not the tool's. */
async function sortBackupRun(dir: string): Promise<SortedTree> {
  const index = await readRegularText(join(dir, 'INDEX')).catch(() => '');
  const named = new Set(index.split('\n').filter(Boolean).map((line) => line.split('\t')[0]!));
  const own: string[] = [];
  const foreign: string[] = [];
  for (const name of await list(dir)) {
    const type = await kind(join(dir, name));
    if (type === 'file' && (name === 'INDEX' ? index !== '' : named.has(name))) own.push(join(dir, name));
    else foreign.push(type === 'dir' ? `${name}/` : name);
  }
  return { own, dirs: [], foreign, recorded: index !== '' };
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

/** Removes the app copy's own files (uninstall), file by file; returns what stays (relative to the copy). */
export async function removeAppCopyFiles(dir: string): Promise<string[]> {
  if ((await kind(dir)) !== 'dir') return [];
  const sorted = await sortAppCopy(dir);
  for (const path of sorted.own) await rm(path, { force: true });
  for (const sub of [...sorted.dirs, dir]) {
    await rmdir(sub).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST' && error.code !== 'ENOENT') throw error;
    });
  }
  return sorted.foreign;
}

/** Deletes the planned entries, then the folder when it is empty. Returns true when the folder is gone. */
export async function executePurge(plan: PurgePlan): Promise<boolean> {
  const refusal = purgeRefusal(plan);
  if (refusal) throw refusal;
  if (!plan.exists) return false;
  for (const path of plan.delete) await rm(path, { force: true });
  for (const dir of plan.dirs) {
    await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
      // What the tool did not make is still in it: it stays, and the folder with it.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST' && error.code !== 'ENOENT') throw error;
    });
  }
  try {
    await rmdir(plan.stateDir);
    return true;
  } catch (error) {
    // Something appeared meanwhile: it is not ours, so it stays (and the folder with it).
    if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
