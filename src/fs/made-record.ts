/**
 * What the tool itself made in a folder it fills (the app copy, the LiteLLM venv): a record of every
 * file and link written there, kept in the folder, so `uninstall --purge` deletes exactly those,
 * file by file, and keeps (and names) anything else: a file the user added, or a folder someone
 * passed off as the tool's with a marker. Python's own byte-code caches of recorded sources count as
 * made by the tool too (Python writes them from those files).
 */
import { readRegularText } from './read.js';
import { lstat, readdir, readlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

export const RECORD_FILE = '.glm-codex-setup-files';

type Entry = ['f', number, string] | ['l', string, string];

async function walk(root: string, rel: string, into: Entry[], dirs: string[]): Promise<void> {
  for (const name of (await readdir(join(root, rel)).catch(() => [] as string[])).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (path === RECORD_FILE) continue;
    const info = await lstat(join(root, path)).catch(() => null);
    if (!info) continue;
    if (info.isSymbolicLink()) into.push(['l', await readlink(join(root, path)), path]);
    else if (info.isDirectory()) {
      dirs.push(path);
      await walk(root, path, into, dirs);
    } else if (info.isFile()) into.push(['f', info.size, path]);
    else into.push(['f', -1, path]);
  }
}

/** Records every file and link under `root` as the tool's (call right after the tool filled it). */
export async function recordTree(root: string): Promise<void> {
  const entries: Entry[] = [];
  await walk(root, '', entries, []);
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
  await walk(root, '', entries, dirs);
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
