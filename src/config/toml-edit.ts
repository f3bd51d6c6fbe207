/**
 * Lossless TOML editing: every change is a splice of the original text at source ranges from a
 * CST, so comments, order, quoting, blank lines, CRLF, a BOM and a missing final newline outside
 * the edited spans stay byte-identical. After all edits the result is parsed again and compared
 * with the intended data; any difference aborts the edit before anything is written.
 */
import type { AST } from 'toml-eslint-parser';
import { cli } from '../invocation.js';
import { getStaticTOMLValue } from 'toml-eslint-parser';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseTomlData, parseTree, reclaimParserMemory, splitBom, type TomlData } from './toml-syntax.js';

/** Above this many characters, the planning tree is collected before the verifying parse. */
const LARGE_DOCUMENT = 1_000_000;
/** Above this many characters, a document is edited through its excerpt (no syntax tree of the whole). */
const EXCERPT_ABOVE = 256 * 1024;
import { excerptFor, restoreExcerpt, type TomlExcerpt } from './toml-segments.js';
import { tomlDataEqual, deleteIn, getIn, setIn, pruneEmptyAncestors } from './toml-data.js';

/** What the tool writes: scalars, and arrays of strings (a command's arguments). */
export type TomlScalar = string | number | boolean | readonly string[];
export type KeyPath = readonly string[];

export type TomlEdit =
  | { op: 'set'; path: KeyPath; value: TomlScalar }
  | { op: 'delete-key'; path: KeyPath }
  | { op: 'delete-table'; path: KeyPath };

interface KeyValueEntry {
  path: string[];
  /** Path of the table that holds the key-value (a header's key, [] at top level, or an inline table's path). */
  base: string[];
  node: AST.TOMLKeyValue;
  inline: AST.TOMLInlineTable | null;
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

export interface TomlEditResult {
  text: string;
  changed: boolean;
  /** The ranges of the ORIGINAL text that were replaced, in order; used by tests and diffs. */
  splices: Splice[];
  /** The result's data, when the edit had it at hand (the check's parse of a large document, or no change). */
  data?: TomlData;
}

export class TomlEditConflict extends UserError {
  constructor(file: string, what: string) {
    super('toml-conflict', `${file}: ${what}. The file was not changed.`, {
      exitCode: ExitCode.config,
      fix: `Edit ${file} by hand (or move the conflicting entry aside), then run ${cli()} again.`,
    });
  }
}

/**
 * Applies `edits` to `text` and returns the new text; throws without side effects on any doubt.
 * The document is parsed once per edit plan, not once per edit: all splices are planned against one
 * tree (edits that create a table or a first root key are merged into one block) and applied in one
 * pass; only a plan whose splices would touch each other is replayed edit by edit. `options.data` is
 * the already parsed data of `text`, when the caller has it.
 */
export function editToml(text: string, edits: readonly TomlEdit[], file: string, options: { data?: TomlData; excerpt?: boolean; eol?: string } = {}): TomlEditResult {
  const { bom, body: originalBody } = splitBom(text);
  const eol = options.eol ?? detectEol(originalBody);
  const original = options.data ?? parseTomlData(originalBody, file);
  // An edit that changes no data changes no text: a re-run with nothing to do parses nothing more.
  const effective = edits.filter((edit) => !isNoOp(original, edit));
  if (effective.length === 0) return { text, changed: false, splices: [], data: original };

  let expected = original;
  const deleted: KeyPath[] = [];
  for (const edit of effective) {
    if (edit.op === 'set') expected = setIn(expected, edit.path, edit.value);
    else {
      expected = deleteIn(expected, edit.path);
      deleted.push(edit.path);
    }
  }

  if (options.excerpt ?? originalBody.length > EXCERPT_ABOVE) {
    const viaExcerpt = editThroughExcerpt(originalBody, effective, eol, file, expected, deleted);
    if (viaExcerpt) return { text: bom + viaExcerpt.body, changed: viaExcerpt.body !== originalBody, splices: viaExcerpt.splices, data: viaExcerpt.data };
  }

  // Planned in a function of its own so the tree is garbage before the verifying parse (peak memory is one tree).
  let planned = planEdits(originalBody, effective, eol, file, 'batch');
  if (originalBody.length > LARGE_DOCUMENT) reclaimParserMemory();
  let problem = verifyPlanned(planned.body, expected, deleted, file);
  if (problem && planned.batched) {
    // The one-pass plan missed an interaction (edits creating keys inside a table that is itself new
    // in an inline table): replay edit by edit, as before the one-pass plan existed.
    planned = planEdits(originalBody, effective, eol, file, 'sequential');
    problem = verifyPlanned(planned.body, expected, deleted, file);
  }
  if (problem) throw problem;
  return { text: bom + planned.body, changed: planned.body !== originalBody, splices: planned.splices };
}

/**
 * A large document is edited through its excerpt (toml-segments.ts): the syntax trees are built for
 * the excerpt only, which is planned and verified by both parsers as any document is; the whole
 * result is then checked once more against the intended data. Null when the excerpt cannot be used.
 */
function editThroughExcerpt(body: string, edits: readonly TomlEdit[], eol: string, file: string, intended: TomlData, deleted: readonly KeyPath[]): { body: string; splices: Splice[]; data: TomlData } | null {
  const excerpt = excerptFor(body, new Set(edits.map((edit) => String(edit.path[0]))), eol);
  if (!excerpt) return null;
  const edited = editToml(excerpt.text, edits, file, { excerpt: false, eol });
  const restored = restoreExcerpt(body, excerpt, edited.text);
  if (!restored) return null;
  let expected = intended;
  let parsed: TomlData;
  reclaimParserMemory();
  try {
    parsed = parseTomlData(restored.body, file);
  } catch {
    return null;
  }
  let actual = parsed;
  for (const path of deleted) {
    expected = pruneEmptyAncestors(expected, path);
    actual = pruneEmptyAncestors(actual, path);
  }
  if (!tomlDataEqual(expected, actual)) return null;
  // One splice per changed run, in original offsets, last first (as planBatch reports them).
  const splices: Splice[] = [];
  for (const run of restored.runs) {
    if (run.original === run.edited) continue;
    let head = 0;
    while (head < run.original.length && head < run.edited.length && run.original[head] === run.edited[head]) head++;
    let tail = 0;
    while (tail < run.original.length - head && tail < run.edited.length - head && run.original[run.original.length - 1 - tail] === run.edited[run.edited.length - 1 - tail]) tail++;
    splices.push({ start: run.start + head, end: run.start + run.original.length - tail, text: run.edited.slice(head, run.edited.length - tail) });
  }
  return { body: restored.body, splices: splices.reverse(), data: parsed };
}

function verifyPlanned(body: string, intended: TomlData, deleted: readonly KeyPath[], file: string): UserError | null {
  let expected = intended;
  let actual: TomlData;
  try {
    parseTree(body, file);
    actual = parseTomlData(body, file);
  } catch {
    return new UserError('toml-verify', `${file}: the planned edit would not parse; refusing to write it.`, {
      exitCode: ExitCode.internal,
      fix: 'This is a bug in glm-codex-setup: please report it with the file (secrets removed).',
    });
  }
  for (const path of deleted) {
    expected = pruneEmptyAncestors(expected, path);
    actual = pruneEmptyAncestors(actual, path);
  }
  if (!tomlDataEqual(expected, actual)) {
    return new UserError('toml-verify', `${file}: the planned edit did not produce the intended data; refusing to write it.`, {
      exitCode: ExitCode.internal,
      fix: 'This is a bug in glm-codex-setup: please report it with the file (secrets removed).',
    });
  }
  return null;
}

function planEdits(body: string, edits: readonly TomlEdit[], eol: string, file: string, how: 'batch' | 'sequential'): { body: string; splices: Splice[]; batched: boolean } {
  const tree = parseTree(body, file);
  const batch = how === 'batch' ? planBatch(body, tree, edits, eol, file) : null;
  return batch ? { ...batch, batched: true } : { ...planSequential(body, tree, edits, eol, file), batched: false };
}

function isNoOp(data: TomlData, edit: TomlEdit): boolean {
  const current = getIn(data, edit.path);
  if (edit.op !== 'set') return current === undefined;
  return sameValue(current, edit.value);
}

function sameValue(current: unknown, value: TomlScalar): boolean {
  if (typeof current === 'bigint') return typeof value === 'number' && BigInt(value) === current;
  if (Array.isArray(value)) return Array.isArray(current) && current.length === value.length && value.every((item, index) => current[index] === item);
  return current === value;
}

interface PlannedSplice extends Splice {
  order: number;
  /** A new table or first root key: later keys of the same table are added to its lines. */
  block?: { prefix: string; lines: string[]; suffix: string };
}

/** All splices against one tree; null when two of them would touch (then the plan is replayed edit by edit). */
function planBatch(body: string, tree: AST.TOMLProgram, edits: readonly TomlEdit[], eol: string, file: string): { body: string; splices: Splice[] } | null {
  const top = tree.body[0];
  const entries = indexKeyValues(top);
  const planned: PlannedSplice[] = [];
  const blocks = new Map<string, PlannedSplice>();
  const touched: KeyPath[] = [];
  for (const [order, edit] of edits.entries()) {
    const tablePath = edit.op === 'set' ? edit.path.slice(0, -1) : edit.path;
    const exists = entries.some((e) => samePath(e.path, edit.path));
    if (edit.op === 'set' && !exists) {
      const open = blocks.get(JSON.stringify(tablePath));
      if (open) {
        open.block!.lines.push(`${renderKey([edit.path[edit.path.length - 1]!])} = ${renderValue(edit.value)}`);
        continue;
      }
    }
    // An edit under (or above) a path an earlier edit of this plan added or removed depends on it.
    if (touched.some((path) => startsWith(edit.path, path) || (tablePath.length > 0 && startsWith(path, tablePath)))) return null;
    if (edit.op === 'delete-table' && tableOccurrences(top, entries, edit.path) > 1) return null;
    const splice: (Splice & { block?: BlockParts }) | null = edit.op === 'set' ? planSet(body, top, entries, edit.path, edit.value, eol, file) : planSplice(body, tree, edit, eol, file, entries);
    if (!splice) continue;
    const entry: PlannedSplice = { ...splice, order };
    planned.push(entry);
    if (splice.block) {
      entry.block = { ...splice.block, lines: [...splice.block.lines] };
      blocks.set(JSON.stringify(tablePath), entry);
      touched.push(tablePath);
    } else if (edit.op !== 'set') touched.push(edit.path);
  }
  for (const entry of planned) if (entry.block) entry.text = entry.block.prefix + entry.block.lines.join(eol) + entry.block.suffix;

  const ordered = [...planned].sort((a, b) => a.start - b.start || a.order - b.order);
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1]!;
    const b = ordered[i]!;
    const removes = (s: Splice) => s.end > s.start && s.text === '';
    if (b.start < a.end || (b.start === a.end && (removes(a) || removes(b)))) return null;
    // Two inserts at one place where one opens a new block: what follows a new [table] header belongs to it.
    if (b.start === a.start && (a.block || b.block)) return null;
  }
  const parts: string[] = [];
  let at = 0;
  for (const s of ordered) {
    parts.push(body.slice(at, s.start), s.text);
    at = s.end;
  }
  parts.push(body.slice(at));
  // Reported so that applying them in order to the evolving text replays the edit: last position first.
  const splices = [...ordered].reverse().map(({ start, end, text }) => ({ start, end, text }));
  return { body: parts.join(''), splices };
}

function tableOccurrences(top: AST.TOMLTopLevelTable, entries: KeyValueEntry[], tablePath: KeyPath): number {
  const headers = top.body.filter((item) => item.type === 'TOMLTable' && startsWith(item.resolvedKey, tablePath)).length;
  const defining = entries.filter((e) => startsWith(e.path, tablePath) && e.base.length < tablePath.length).length;
  return headers + defining;
}

/** Edit by edit, parsing again after each change (the plan's edits depend on each other). */
function planSequential(originalBody: string, originalTree: AST.TOMLProgram, edits: readonly TomlEdit[], eol: string, file: string): { body: string; splices: Splice[] } {
  let body = originalBody;
  let tree = originalTree;
  let treeBody = body;
  const splices: Splice[] = [];
  const current = () => {
    if (treeBody !== body) {
      tree = parseTree(body, file);
      treeBody = body;
    }
    return tree;
  };
  for (const edit of edits) {
    const splice = planSplice(body, current(), edit, eol, file);
    if (!splice) continue;
    body = body.slice(0, splice.start) + splice.text + body.slice(splice.end);
    splices.push({ start: splice.start, end: splice.end, text: splice.text });
    // A delete may need several splices (a table in several places); repeat until gone.
    if (edit.op !== 'set') {
      for (let guard = 0; guard < 1000; guard++) {
        const again = planSplice(body, current(), edit, eol, file);
        if (!again) break;
        body = body.slice(0, again.start) + again.text + body.slice(again.end);
        splices.push(again);
      }
    }
  }
  return { body, splices };
}

function planSplice(body: string, tree: AST.TOMLProgram, edit: TomlEdit, eol: string, file: string, index?: KeyValueEntry[]): Splice | null {
  const top = tree.body[0];
  const entries = index ?? indexKeyValues(top);
  switch (edit.op) {
    case 'set':
      return planSet(body, top, entries, edit.path, edit.value, eol, file);
    case 'delete-key': {
      const entry = entries.find((e) => samePath(e.path, edit.path));
      return entry ? removeKeyValue(body, entry) : null;
    }
    case 'delete-table':
      return planDeleteTable(body, top, entries, edit.path);
  }
}

// ---------------------------------------------------------------- index

function indexKeyValues(top: AST.TOMLTopLevelTable): KeyValueEntry[] {
  const entries: KeyValueEntry[] = [];
  const visit = (kv: AST.TOMLKeyValue, base: string[], inline: AST.TOMLInlineTable | null): void => {
    const path = [...base, ...keySegments(kv.key)];
    entries.push({ path, base, node: kv, inline });
    if (kv.value.type === 'TOMLInlineTable') {
      for (const child of kv.value.body) visit(child, path, kv.value);
    }
  };
  for (const item of top.body) {
    if (item.type === 'TOMLKeyValue') visit(item, [], null);
    else if (item.kind === 'standard') {
      for (const kv of item.body) visit(kv, item.resolvedKey.map(String), null);
    }
    // Keys inside [[array]] tables live in array elements: never ours, never matched.
  }
  return entries;
}

function keySegments(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((segment, i) => String(segment) === String(b[i]));
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return path.length >= prefix.length && prefix.every((segment, i) => String(path[i]) === String(segment));
}

function standardTables(top: AST.TOMLTopLevelTable): AST.TOMLTable[] {
  return top.body.filter((item): item is AST.TOMLTable => item.type === 'TOMLTable' && item.kind === 'standard');
}

// ---------------------------------------------------------------- set

function planSet(
  body: string,
  top: AST.TOMLTopLevelTable,
  entries: KeyValueEntry[],
  path: KeyPath,
  value: TomlScalar,
  eol: string,
  file: string,
): (Splice & { block?: BlockParts }) | null {
  const rendered = renderValue(value);
  const existing = entries.find((e) => samePath(e.path, path));
  if (existing) {
    const current = existing.node.value;
    if (current.type !== 'TOMLArray' && current.type !== 'TOMLInlineTable' && scalarEquals(current, value)) return null;
    return { start: current.range[0], end: current.range[1], text: rendered };
  }

  // A value (not a table) somewhere on the path blocks the edit: never overwrite user data with a table.
  for (let i = 1; i < path.length; i++) {
    const blocker = entries.find((e) => samePath(e.path, path.slice(0, i)));
    if (blocker && blocker.node.value.type !== 'TOMLInlineTable') {
      throw new TomlEditConflict(file, `\`${path.slice(0, i).join('.')}\` is a value, not a table, so \`${path.join('.')}\` cannot be set`);
    }
  }

  // An array of tables ([[x]]) on the path: Codex wants [x.<id>] tables there, and TOML cannot mix the two.
  for (let i = 1; i < path.length; i++) {
    const arrayTable = top.body.find((item): item is AST.TOMLTable => item.type === 'TOMLTable' && item.kind === 'array' && samePath(keySegments(item.key), path.slice(0, i)));
    if (arrayTable) {
      const key = renderKey(path.slice(0, i));
      throw new TomlEditConflict(
        `${file}:${arrayTable.loc.start.line}:${arrayTable.loc.start.column + 1}`,
        `[[${key}]] makes \`${key}\` an array of tables, so [${renderKey(path.slice(0, -1))}] cannot be added (Codex expects [${key}.<id>] tables)`,
      );
    }
  }

  const tablePath = path.slice(0, -1);
  const leaf = path[path.length - 1]!;

  // 1. The table has a [header]: add the key after its last key-value.
  const header = standardTables(top).find((t) => samePath(t.resolvedKey, tablePath));
  if (header) {
    const last = header.body[header.body.length - 1];
    const anchor = last ?? header;
    const at = endOfLine(body, anchor.range[1]);
    const indent = last ? lineIndent(body, last.range[0]) : '';
    return { start: at, end: at, text: `${eol}${indent}${renderKey([leaf])} = ${rendered}` };
  }
  if (tablePath.length === 0) return insertRootKey(body, top, `${renderKey([leaf])} = ${rendered}`, eol);

  // 2. The table, or one of its ancestors, is an inline table: extend it in place.
  for (let depth = tablePath.length; depth >= 1; depth--) {
    const owner = entries.find((e) => samePath(e.path, tablePath.slice(0, depth)) && e.node.value.type === 'TOMLInlineTable');
    if (owner) {
      const rest = path.slice(depth);
      const pair =
        rest.length === 1
          ? `${renderKey(rest)} = ${rendered}`
          : `${renderKey(rest.slice(0, -1))} = { ${renderKey([leaf])} = ${rendered} }`;
      return extendInlineTable(owner.node.value as AST.TOMLInlineTable, pair);
    }
  }

  // 3. The table exists only through dotted keys: add one more dotted key beside the last of them.
  const dotted = entries.filter(
    (e) => e.path.length > tablePath.length && startsWith(e.path, tablePath) && e.base.length < tablePath.length,
  );
  const lastDotted = dotted[dotted.length - 1];
  if (lastDotted) {
    const relative = path.slice(lastDotted.base.length);
    const pair = `${renderKey(relative)} = ${rendered}`;
    if (lastDotted.inline) return extendInlineTable(lastDotted.inline, pair);
    const at = endOfLine(body, lastDotted.node.range[1]);
    return { start: at, end: at, text: `${eol}${lineIndent(body, lastDotted.node.range[0])}${pair}` };
  }

  // 4. A new [table]: after the last table of the same family (e.g. model_providers.*), else at the end.
  const headerLine = `[${renderKey(tablePath)}]${eol}`;
  const pair = `${renderKey([leaf])} = ${rendered}`;
  const family = top.body.filter(
    (item): item is AST.TOMLTable => item.type === 'TOMLTable' && startsWith(item.resolvedKey, tablePath.slice(0, 1)),
  );
  const lastOfFamily = family[family.length - 1];
  if (lastOfFamily) {
    const at = endOfLine(body, lastContentEnd(lastOfFamily));
    return blockSplice(at, { prefix: `${eol}${eol}${headerLine}`, lines: [pair], suffix: '' });
  }
  const end = appendPoint(body, eol);
  return blockSplice(end.at, { prefix: end.prefix + headerLine, lines: [pair], suffix: end.suffix });
}

/** A new block of key-values (a table, or the first root keys): more keys of the same table may join its lines. */
interface BlockParts {
  prefix: string;
  lines: string[];
  suffix: string;
}

function blockSplice(at: number, block: BlockParts): Splice & { block: BlockParts } {
  return { start: at, end: at, text: block.prefix + block.lines.join('') + block.suffix, block };
}

function insertRootKey(body: string, top: AST.TOMLTopLevelTable, pair: string, eol: string): Splice & { block?: BlockParts } {
  const rootKeys = top.body.filter((item): item is AST.TOMLKeyValue => item.type === 'TOMLKeyValue');
  const lastRoot = rootKeys[rootKeys.length - 1];
  if (lastRoot) {
    const at = endOfLine(body, lastRoot.range[1]);
    return { start: at, end: at, text: `${eol}${pair}` };
  }
  const firstTable = top.body.find((item) => item.type === 'TOMLTable');
  if (firstTable) {
    // Comments directly above the first header describe that table: insert above them.
    const at = startOfCommentBlock(body, startOfLine(body, firstTable.range[0]));
    return blockSplice(at, { prefix: '', lines: [pair], suffix: `${eol}${eol}` });
  }
  const end = appendPoint(body, eol);
  return blockSplice(end.at, { prefix: end.prefix, lines: [pair], suffix: end.suffix });
}

function extendInlineTable(table: AST.TOMLInlineTable, pair: string): Splice {
  const last = table.body[table.body.length - 1];
  if (last) return { start: last.range[1], end: last.range[1], text: `, ${pair}` };
  return { start: table.range[0], end: table.range[1], text: `{ ${pair} }` };
}

/** Where a block goes at the end of the file, and what separates it from what is there. */
function appendPoint(body: string, eol: string): { at: number; prefix: string; suffix: string } {
  if (body.length === 0) return { at: 0, prefix: '', suffix: eol };
  // Only whitespace: the block starts on a line of its own (a file of " " has no line break yet).
  // Without a final line break the block gets none either (as below), so removing it gives the bytes back.
  if (/^\s*$/.test(body)) return /\n$/.test(body) ? { at: body.length, prefix: '', suffix: eol } : { at: body.length, prefix: eol, suffix: '' };
  // Keep the file's choice about a final newline: insert after the last line's content.
  const trimmedEnd = body.replace(/(\r?\n)+$/, '').length;
  const hadFinalNewline = trimmedEnd !== body.length;
  if (!hadFinalNewline) return { at: body.length, prefix: `${eol}${eol}`, suffix: '' };
  return { at: trimmedEnd, prefix: `${eol}${eol}`, suffix: '' };
}

// ---------------------------------------------------------------- delete

function planDeleteTable(
  body: string,
  top: AST.TOMLTopLevelTable,
  entries: KeyValueEntry[],
  tablePath: KeyPath,
): Splice | null {
  const header = top.body.find(
    (item): item is AST.TOMLTable => item.type === 'TOMLTable' && startsWith(item.resolvedKey, tablePath),
  );
  if (header) return removeTableBlock(body, header);
  const defining = entries.find(
    (e) => startsWith(e.path, tablePath) && e.base.length < tablePath.length,
  );
  if (defining) return removeKeyValue(body, defining);
  return null;
}

function removeTableBlock(body: string, table: AST.TOMLTable): Splice {
  let start = startOfLine(body, table.range[0]);
  const contentEnd = endOfLine(body, lastContentEnd(table));
  if (/^\s*$/.test(body.slice(contentEnd))) {
    const before = body.slice(0, start);
    if (before.length > 0 && /^\s*$/.test(before)) {
      // Appended to a file of white space only (appendPoint): give those bytes back exactly. One without
      // a final line break got a line break before the block and none after it.
      const cut = /\n$/.test(body) ? start : start - (/\r\n$/.test(before) ? 2 : 1);
      return { start: cut, end: body.length, text: '' };
    }
    // The last thing in the file: drop the separator before it, keep the file's own ending.
    const kept = before.replace(/(\r?\n)+$/, '');
    if (kept.length === 0) return { start: 0, end: body.length, text: '' };
    return { start: kept.length, end: contentEnd, text: '' };
  }
  let end = afterEol(body, contentEnd);
  const blankBefore = /(\r?\n)(\r?\n)$/.exec(body.slice(0, start));
  if (blankBefore) start -= blankBefore[2]!.length;
  else if (start === 0) end = skipBlankLines(body, end);
  return { start, end, text: '' };
}

function removeKeyValue(body: string, entry: KeyValueEntry): Splice {
  const { node, inline } = entry;
  if (inline) {
    const after = body.slice(node.range[1], inline.range[1]);
    const comma = /^\s*,\s*/.exec(after);
    if (comma) return { start: node.range[0], end: node.range[1] + comma[0].length, text: '' };
    const before = body.slice(inline.range[0], node.range[0]);
    const prevComma = /\s*,\s*$/.exec(before);
    if (prevComma) return { start: node.range[0] - prevComma[0].length, end: node.range[1], text: '' };
    return { start: inline.range[0], end: inline.range[1], text: '{}' };
  }
  const start = startOfLine(body, node.range[0]);
  const lineEnd = endOfLine(body, node.range[1]);
  if (lineEnd === body.length) {
    return { start: body.slice(0, start).replace(/\r?\n$/, '').length, end: lineEnd, text: '' };
  }
  let end = afterEol(body, lineEnd);
  // A key alone at the top, set off by a blank line: take the blank line with it.
  const atTop = start === 0 || /(\r?\n)(\r?\n)$/.test(body.slice(0, start)) || /^(\s*#[^\n]*\n)*$/.test(body.slice(0, start));
  if (atTop && entry.base.length === 0) {
    const blank = /^[ \t]*\r?\n/.exec(body.slice(end));
    if (blank) end += blank[0].length;
  }
  return { start, end, text: '' };
}

// ---------------------------------------------------------------- moving a table out

export interface MovedTable {
  /** The table as a document of its own: its keys at the top, its sub-tables' headers without the prefix. */
  moved: string;
  /** The source without it. */
  rest: string;
  /** `rest` parsed (the check's own parse), for the next edit of it. */
  restData: TomlData;
}

/**
 * Moves the table at `path` (written as `[path]` and `[path.sub]` headers) out of `text`, byte for
 * byte: the comment lines directly above each header and everything up to the next table's go with
 * it, so comments and key order are kept. Null when the table is written another way (dotted keys,
 * an inline table, an array of tables) or when the two parsed results are not exactly the table and
 * the rest: the caller then leaves the file alone.
 */
export function moveTableOut(text: string, path: KeyPath, file: string, options: { data?: TomlData; excerpt?: boolean } = {}): MovedTable | null {
  const { bom, body } = splitBom(text);
  const eol = detectEol(body);
  if (options.excerpt ?? body.length > EXCERPT_ABOVE) {
    const excerpt = excerptFor(body, new Set([String(path[0])]), eol);
    if (excerpt) return moveThroughExcerpt(body, bom, excerpt, path, file, options.data);
  }
  const data = options.data ?? parseTomlData(body, file);
  const table = getIn(data, path);
  if (table === undefined || table === null || typeof table !== 'object' || Array.isArray(table)) return null;
  const top = parseTree(body, file).body[0];
  if (indexKeyValues(top).some((e) => startsWith(e.path, path) && e.base.length < path.length)) return null;
  const tables = top.body.filter((item): item is AST.TOMLTable => item.type === 'TOMLTable');
  if (tables.some((t) => t.kind === 'array' && t.resolvedKey.length <= path.length && startsWith(path, t.resolvedKey))) return null;
  const spans = tables.map((t, i) => ({
    table: t,
    start: startOfCommentBlock(body, startOfLine(body, t.range[0])),
    end: i + 1 < tables.length ? startOfCommentBlock(body, startOfLine(body, tables[i + 1]!.range[0])) : body.length,
  }));
  const ours = spans.filter((span) => startsWith(span.table.resolvedKey, path));
  if (ours.length === 0) return null;
  const blocks = ours.map(({ table, start, end }) => {
    const own = samePath(table.resolvedKey, path);
    const headerEnd = table.key.range[1] + /^\s*\]\]?/.exec(body.slice(table.key.range[1]))![0].length;
    const before = body.slice(start, table.range[0]);
    let after = body.slice(headerEnd, end);
    let header: string;
    if (own) {
      header = '';
      // The header line goes; a comment after it stays, on its own line.
      if (/^[ \t]*\r?\n/.test(after)) after = after.replace(/^[ \t]*\r?\n/, '');
      else after = after.replace(/^[ \t]*/, '');
    } else {
      const rest = table.resolvedKey.slice(path.length).map(String);
      header = table.kind === 'array' ? `[[${renderKey(rest)}]]` : `[${renderKey(rest)}]`;
    }
    return { own, text: before + header + after };
  });
  // The table's own keys first: after a sub-table header they would belong to that sub-table.
  const ordered = [...blocks.filter((b) => b.own), ...blocks.filter((b) => !b.own)];
  let moved = ordered.map((b) => b.text.replace(/(\r?\n)*$/, '')).join(eol + eol) + eol;
  moved = moved.replace(/^(\r?\n)+/, '');
  let rest = '';
  let at = 0;
  for (const span of ours) {
    rest += body.slice(at, span.start);
    at = span.end;
  }
  rest += body.slice(at);
  if (at === body.length) rest = rest.replace(/(\r?\n)+$/, '') + (/\n$/.test(body) && rest.trim() !== '' ? eol : '');
  const expectedRest = pruneEmptyAncestors(deleteIn(data, path), path);
  let restData: TomlData;
  try {
    if (!tomlDataEqual(parseTomlData(moved, file), table)) return null;
    restData = parseTomlData(rest, file);
    if (!tomlDataEqual(pruneEmptyAncestors(restData, path), expectedRest)) return null;
  } catch {
    return null;
  }
  return { moved, rest: bom + rest, restData };
}

/**
 * A large document's table moved through its excerpt (every table of the family, the root keys and
 * their neighbours: toml-segments.ts), so no syntax tree of the whole is built; the whole rest is then
 * parsed once and checked against the intended data, as the excerpt was.
 */
function moveThroughExcerpt(body: string, bom: string, excerpt: TomlExcerpt, path: KeyPath, file: string, given: TomlData | undefined): MovedTable | null {
  const inner = moveTableOut(excerpt.text, path, file, { excerpt: false });
  if (!inner) return null;
  const restored = restoreExcerpt(body, excerpt, inner.rest);
  if (!restored) return null;
  const data = given ?? parseTomlData(body, file);
  const table = getIn(data, path);
  const expectedRest = pruneEmptyAncestors(deleteIn(data, path), path);
  let restData: TomlData;
  try {
    if (!tomlDataEqual(parseTomlData(inner.moved, file), table)) return null;
    restData = parseTomlData(restored.body, file);
  } catch {
    return null;
  }
  if (!tomlDataEqual(pruneEmptyAncestors(restData, path), expectedRest)) return null;
  return { moved: inner.moved, rest: bom + restored.body, restData };
}

// ---------------------------------------------------------------- text helpers

export function detectEol(text: string): string {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

function startOfLine(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** Index of the line break that ends the line holding `index` (or the text's length). */
function endOfLine(text: string, index: number): number {
  const newline = text.indexOf('\n', index);
  if (newline === -1) return text.length;
  return text[newline - 1] === '\r' ? newline - 1 : newline;
}

function afterEol(text: string, index: number): number {
  if (text.startsWith('\r\n', index)) return index + 2;
  if (text[index] === '\n') return index + 1;
  return index;
}

function skipBlankLines(text: string, index: number): number {
  const match = /^(?:[ \t]*\r?\n)*/.exec(text.slice(index));
  return index + (match ? match[0].length : 0);
}

function lineIndent(text: string, index: number): string {
  const start = startOfLine(text, index);
  return /^[ \t]*/.exec(text.slice(start, index))![0];
}

function startOfCommentBlock(text: string, lineStart: number): number {
  let start = lineStart;
  while (start > 0) {
    const previousStart = startOfLine(text, start - 1);
    const previousLine = text.slice(previousStart, start).trim();
    if (!previousLine.startsWith('#')) break;
    start = previousStart;
  }
  return start;
}

function lastContentEnd(table: AST.TOMLTable): number {
  const last = table.body[table.body.length - 1];
  return last ? last.range[1] : table.range[1];
}

// ---------------------------------------------------------------- rendering

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function renderKey(path: readonly string[]): string {
  return path.map((segment) => (BARE_KEY.test(segment) ? segment : renderString(segment))).join('.');
}

export function renderValue(value: TomlScalar): string {
  if (typeof value === 'string') return renderString(value);
  if (Array.isArray(value)) return `[${value.map((item) => renderString(item)).join(', ')}]`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isSafeInteger(value)) throw new Error(`only integers are written, got ${value}`);
  return String(value);
}

function renderString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function scalarEquals(node: AST.TOMLValue, value: TomlScalar): boolean {
  return sameValue(getStaticTOMLValue(node), value);
}
