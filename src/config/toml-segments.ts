/**
 * A large config.toml is mostly the user's own tables (projects, MCP servers). The syntax tree the
 * lossless editor needs costs about 110 MB per MB of TOML, so it is built only for an excerpt: the
 * root keys, every table of the families an edit touches (`[model_providers.*]`, `[profiles.*]`), the
 * first table, the last one and each kept table's predecessor, in their original order. One linear
 * scan finds where each `[table]` header starts (outside strings, comments and multi-line arrays);
 * anything it is unsure of returns null and the caller uses the whole document.
 */

export interface TomlSegment {
  /** Offset of the header line's start (0 for the root segment). */
  start: number;
  end: number;
  /** The header's key path; null for the root keys before the first header. */
  path: string[] | null;
}

const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const QUOTE = 34;
const APOSTROPHE = 39;
const HASH = 35;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const BACKSLASH = 92;

/** End (exclusive) of the string starting at `i`, or -1 when it is not a well-formed TOML 1.0 string. */
function stringEnd(body: string, i: number): number {
  const quote = body.charCodeAt(i);
  const escapes = quote === QUOTE;
  const triple = body.charCodeAt(i + 1) === quote && body.charCodeAt(i + 2) === quote;
  if (triple) {
    const delimiter = quote === QUOTE ? '"""' : "'''";
    let j = i + 3;
    for (;;) {
      const next = body.indexOf(delimiter, j);
      if (next === -1) return -1;
      if (escapes) {
        // A closing delimiter preceded by an odd number of backslashes is escaped.
        let slashes = 0;
        for (let k = next - 1; k >= i + 3 && body.charCodeAt(k) === BACKSLASH; k--) slashes++;
        if (slashes % 2 === 1) {
          j = next + 1;
          continue;
        }
      }
      let end = next + 3;
      // Up to two more quotes right before the closing delimiter belong to the content.
      for (let extra = 0; extra < 2 && body.charCodeAt(end) === quote; extra++) end++;
      return end;
    }
  }
  for (let j = i + 1; j < body.length; j++) {
    const c = body.charCodeAt(j);
    if (c === NEWLINE) return -1;
    if (escapes && c === BACKSLASH) {
      j++;
      continue;
    }
    if (c === quote) return j + 1;
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

function unescapeBasic(raw: string): string | null {
  // Most keys have no escape: built char by char, each would cost a string node per character.
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    if (e === undefined) return null;
    if (SIMPLE_ESCAPES[e] !== undefined) out += SIMPLE_ESCAPES[e];
    else if (e === 'u' || e === 'U') {
      const width = e === 'u' ? 4 : 8;
      const hex = raw.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(hex)) return null;
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
      out += String.fromCodePoint(code);
      i += width;
    } else return null;
  }
  return out;
}

/** A header's key (`a."b.c".'d'`), from `i` (after the brackets) to the closing bracket: the path and the closing offset. */
function headerKey(body: string, i: number): { path: string[]; close: number } | null {
  const path: string[] = [];
  let j = i;
  const skipSpace = () => {
    while (body.charCodeAt(j) === SPACE || body.charCodeAt(j) === TAB) j++;
  };
  for (;;) {
    skipSpace();
    const c = body.charCodeAt(j);
    if (c === QUOTE || c === APOSTROPHE) {
      if (body.charCodeAt(j + 1) === c && body.charCodeAt(j + 2) === c) return null; // no multi-line keys
      const end = stringEnd(body, j);
      if (end === -1) return null;
      const raw = body.slice(j + 1, end - 1);
      const key = c === QUOTE ? unescapeBasic(raw) : raw;
      if (key === null) return null;
      path.push(key);
      j = end;
    } else {
      const start = j;
      while (/[A-Za-z0-9_-]/.test(body[j] ?? '')) j++;
      if (j === start) return null;
      path.push(body.slice(start, j));
    }
    skipSpace();
    const next = body.charCodeAt(j);
    if (next === CLOSE_BRACKET) return { path, close: j };
    if (next !== 46 /* . */) return null;
    j++;
  }
}

/** The document cut at each top-level `[header]` line; null when the scan is unsure (then parse it whole). */
export function splitTopLevel(body: string): TomlSegment[] | null {
  const segments: TomlSegment[] = [{ start: 0, end: body.length, path: null }];
  let depth = 0;
  let lineStart = 0;
  let onlySpaceSoFar = true;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === NEWLINE) {
      lineStart = i + 1;
      onlySpaceSoFar = true;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR) continue;
    const atLineStart = onlySpaceSoFar;
    onlySpaceSoFar = false;
    if (c === HASH) {
      const eol = body.indexOf('\n', i);
      i = (eol === -1 ? body.length : eol) - 1;
    } else if (c === QUOTE || c === APOSTROPHE) {
      const end = stringEnd(body, i);
      if (end === -1) return null;
      i = end - 1;
    } else if (c === OPEN_BRACKET && depth === 0 && atLineStart) {
      const array = body.charCodeAt(i + 1) === OPEN_BRACKET;
      const key = headerKey(body, i + (array ? 2 : 1));
      if (!key) return null;
      if (array && body.charCodeAt(key.close + 1) !== CLOSE_BRACKET) return null;
      segments[segments.length - 1]!.end = lineStart;
      segments.push({ start: lineStart, end: body.length, path: key.path });
      i = key.close + (array ? 1 : 0);
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (--depth < 0) return null;
    }
  }
  return depth === 0 ? segments : null;
}

export interface TomlExcerpt {
  text: string;
  /** The kept runs of neighbouring segments: where each is in the original and in the excerpt. */
  runs: { start: number; end: number; at: number }[];
  /** Each elided run stands in the excerpt as one empty table `[<tag>-<n>]` (n from 0, in order). */
  tag: string;
  eol: string;
}

/**
 * The excerpt of `body` an edit of these top-level families needs (see the file's comment); what is
 * left out is replaced by one placeholder table per gap, so the excerpt is a valid document whose
 * layout around the kept tables is the original's. Null when the scan is unsure or the excerpt would
 * be most of the document anyway.
 */
export function excerptFor(body: string, families: ReadonlySet<string>, eol: string): TomlExcerpt | null {
  const segments = splitTopLevel(body);
  if (!segments || segments.length < 4) return null;
  const primary = new Set<number>([0, 1, segments.length - 1]);
  segments.forEach((segment, index) => {
    if (segment.path && families.has(segment.path[0]!)) primary.add(index);
  });
  const keep = new Set<number>(primary);
  for (const index of primary) if (index > 0) keep.add(index - 1);
  let tag = 'glm-codex-setup-elided';
  while (body.includes(tag)) tag += '-x';
  const runs: TomlExcerpt['runs'] = [];
  const pieces: string[] = [];
  let at = 0;
  let gaps = 0;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (keep.has(index)) {
      const last = runs[runs.length - 1];
      if (last && last.end === segment.start && keep.has(index - 1)) last.end = segment.end;
      else runs.push({ start: segment.start, end: segment.end, at });
      pieces.push(body.slice(segment.start, segment.end));
      at += segment.end - segment.start;
    } else if (keep.has(index - 1)) {
      const placeholder = `[${tag}-${gaps++}]${eol}`;
      pieces.push(placeholder);
      at += placeholder.length;
    }
  }
  if (at > body.length / 2) return null;
  return { text: pieces.join(''), runs, tag, eol };
}

/** The original offset of an excerpt offset inside a kept run (null inside a placeholder). */
export function originalOffset(excerpt: TomlExcerpt, offset: number): number | null {
  for (const run of excerpt.runs) {
    if (offset >= run.at && offset <= run.at + (run.end - run.start)) return run.start + offset - run.at;
  }
  return null;
}

/**
 * The whole document from an edited excerpt: each placeholder replaced by the text it stood for.
 * Null when a placeholder is missing, repeated or out of order (the edit touched what it elided).
 */
export function restoreExcerpt(body: string, excerpt: TomlExcerpt, edited: string): { body: string; runs: { original: string; edited: string; start: number }[] } | null {
  const gaps = excerpt.runs.length - 1 + (excerpt.runs[excerpt.runs.length - 1]!.end === body.length ? 0 : 1);
  const parts: string[] = [];
  const runs: { original: string; edited: string; start: number }[] = [];
  let from = 0;
  for (let gap = 0; gap <= gaps; gap++) {
    const run = excerpt.runs[gap];
    const placeholder = `[${excerpt.tag}-${gap}]${excerpt.eol}`;
    const found = gap < gaps ? edited.indexOf(placeholder, from) : edited.length;
    if (found === -1 || (gap < gaps && edited.indexOf(placeholder, found + 1) !== -1)) return null;
    const piece = edited.slice(from, found);
    if (!run) {
      if (piece !== '') return null;
    } else {
      runs.push({ original: body.slice(run.start, run.end), edited: piece, start: run.start });
      parts.push(piece);
      const next = excerpt.runs[gap + 1];
      if (gap < gaps) parts.push(body.slice(run.end, next ? next.start : body.length));
    }
    from = found + placeholder.length;
  }
  return { body: parts.join(''), runs };
}
