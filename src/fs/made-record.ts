/**
 * What the tool itself made in a folder it fills (the app copy, the LiteLLM venv): a record of every
 * file and link written there, kept in the folder, so `uninstall --purge` deletes exactly those,
 * file by file, and keeps (and names) anything else: a file the user added, or a folder someone
 * passed off as the tool's with a marker. Python's own byte-code caches of recorded sources count as
 * made by the tool too (Python writes them from those files).
 */
import { readRegularText } from './read.js';
import { lstatSync, readdirSync, readlinkSync, type Dirent } from 'node:fs';
import { lstat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

export const RECORD_FILE = '.glm-codex-setup-files';

type Entry = ['f', number, string] | ['l', string, string];

/**
 * Synchronous on purpose: a venv holds about 30,000 entries, and one awaited lstat each costs a thread-pool
 * round trip (0.7-1.2 s for a LiteLLM venv, against about 0.15 s this way).
 */
function walk(root: string, rel: string, into: Entry[], dirs: string[]): void {
  const dir = rel === '' ? root : `${root}/${rel}`;
  let children: Dirent[];
  try {
    children = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return;
  }
  for (const child of children) {
    const path = rel === '' ? child.name : `${rel}/${child.name}`;
    if (path === RECORD_FILE) continue;
    const full = `${dir}/${child.name}`;
    try {
      if (child.isSymbolicLink()) into.push(['l', readlinkSync(full), path]);
      else if (child.isDirectory()) {
        dirs.push(path);
        walk(root, path, into, dirs);
      } else if (child.isFile()) into.push(['f', lstatSync(full).size, path]);
      else into.push(['f', -1, path]);
    } catch {
      /* gone meanwhile */
    }
  }
}

/** Records every file and link under `root` as the tool's (call right after the tool filled it). */
export async function recordTree(root: string): Promise<void> {
  const entries: Entry[] = [];
  walk(root, '', entries, []);
  await writeFile(join(root, RECORD_FILE), entries.map((e) => JSON.stringify(e)).join('\n') + '\n', { mode: 0o600 });
}

async function readRecord(root: string): Promise<Map<string, Entry> | null> {
  const info = await lstat(join(root, RECORD_FILE)).catch(() => null);
  if (!info?.isFile()) return null;
  const text = await readRegularText(join(root, RECORD_FILE)).catch(() => null);
  if (text === null) return null;
  const map = new Map<string, Entry>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as Entry;
      if (Array.isArray(entry) && entry.length === 3 && typeof entry[2] === 'string') map.set(entry[2], entry);
    } catch {
      /* a damaged line names nothing */
    }
  }
  return map;
}

export interface SortedTree {
  /** Files and links the record names and that still match it (absolute). */
  own: string[];
  /** Every folder under root, deepest first (absolute): removed when empty. */
  dirs: string[];
  /** What the record does not name, or no longer matches (relative to root, with `/`). */
  foreign: string[];
  /** False when the folder has no record at all. */
  recorded: boolean;
}

/** A `__pycache__/<stem>.<tag>[.opt-N].pyc` of a recorded `<stem>.py`. */
function isCacheOfRecorded(path: string, record: Map<string, Entry>): boolean {
  const match = /^(?:(.*)\/)?__pycache__\/([^/]+?)\.[^./]+(?:\.opt-\d)?\.pyc$/.exec(path);
  if (!match) return false;
  const source = match[1] ? posix.join(match[1], `${match[2]}.py`) : `${match[2]}.py`;
  return record.get(source)?.[0] === 'f';
}

/** Sorts what is under `root` into the tool's (per its record) and the rest. Reads only. */
export async function sortTree(root: string): Promise<SortedTree> {
  const record = await readRecord(root);
  const entries: Entry[] = [];
  const dirs: string[] = [];
  walk(root, '', entries, dirs);
  const sorted: SortedTree = { own: [], dirs: [...dirs].sort((a, b) => b.split('/').length - a.split('/').length).map((d) => join(root, d)), foreign: [], recorded: record !== null };
  for (const entry of entries) {
    const wanted = record?.get(entry[2]);
    const same = wanted !== undefined && wanted[0] === entry[0] && wanted[1] === entry[1] && entry[1] !== -1;
    if (same || (record !== null && entry[0] === 'f' && entry[1] !== -1 && isCacheOfRecorded(entry[2], record))) sorted.own.push(join(root, entry[2]));
    else sorted.foreign.push(entry[2]);
  }
  if (record !== null) sorted.own.push(join(root, RECORD_FILE));
  return sorted;
}
