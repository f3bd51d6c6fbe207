/**
 * A small unified diff whose cost stays linear in the texts' size (a dry run on a 10 MB config.toml
 * with two edits far apart): the common prefix and suffix are skipped, lines unique to both sides
 * anchor the rest (patience diff), and only the short runs between anchors get an exact LCS, within a
 * fixed budget of cells; past it, a run is shown as removed and added whole (still a correct diff).
 */

/** Lines compared or counted, and LCS cells filled: a test holds this linear in the file's size. */
export const diffWork = { steps: 0 };

/** A run of lines `a[a0, a1)` replaced by `b[b0, b1)`; everything between two changes is equal. */
interface Change {
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

/** Anchoring rounds before a run goes to the LCS (each round looks at every line once). */
const MAX_DEPTH = 8;
/** LCS cells one diff may fill in all (4 bytes each, one run at a time). */
const LCS_BUDGET = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

class Differ {
  readonly changes: Change[] = [];
  private budget = LCS_BUDGET;

  constructor(
    private readonly a: string[],
    private readonly b: string[],
  ) {}

  private push(a0: number, a1: number, b0: number, b1: number): void {
    if (a0 === a1 && b0 === b1) return;
    const last = this.changes[this.changes.length - 1];
    if (last && last.a1 === a0 && last.b1 === b0) {
      last.a1 = a1;
      last.b1 = b1;
    } else this.changes.push({ a0, a1, b0, b1 });
  }

  run(a0: number, a1: number, b0: number, b1: number, depth: number): void {
    const { a, b } = this;
    while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) {
      a0++;
      b0++;
      diffWork.steps++;
    }
    while (a1 > a0 && b1 > b0 && a[a1 - 1] === b[b1 - 1]) {
      a1--;
      b1--;
      diffWork.steps++;
    }
    if (a0 === a1 || b0 === b1) return this.push(a0, a1, b0, b1);
    const anchors = depth < MAX_DEPTH ? this.anchors(a0, a1, b0, b1) : [];
    if (anchors.length === 0) return this.lcs(a0, a1, b0, b1);
    let i = a0;
    let j = b0;
    for (const [ai, bj] of anchors) {
      this.run(i, ai, j, bj, depth + 1);
      i = ai + 1;
      j = bj + 1;
    }
    this.run(i, a1, j, b1, depth + 1);
  }

  /** Lines found once in each side, as (a index, b index), the longest chain increasing on both. */
  private anchors(a0: number, a1: number, b0: number, b1: number): [number, number][] {
    const seen = new Map<string, { inA: number; inB: number; at: number; bAt: number }>();
    for (let i = a0; i < a1; i++) {
      const entry = seen.get(this.a[i]!);
      if (entry) entry.inA++;
      else seen.set(this.a[i]!, { inA: 1, inB: 0, at: i, bAt: -1 });
    }
    for (let j = b0; j < b1; j++) {
      const entry = seen.get(this.b[j]!);
      if (entry) {
        entry.inB++;
        entry.bAt = j;
      }
    }
    diffWork.steps += a1 - a0 + (b1 - b0);
    const pairs: [number, number][] = [];
    for (const entry of seen.values()) if (entry.inA === 1 && entry.inB === 1) pairs.push([entry.at, entry.bAt]);
    // `seen` keeps a's order; the longest increasing run of b indexes (patience sorting).
    const tails: number[] = [];
    const previous: number[] = [];
    pairs.forEach(([, bj], index) => {
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pairs[tails[mid]!]![1] < bj) lo = mid + 1;
        else hi = mid;
      }
      previous[index] = lo > 0 ? tails[lo - 1]! : -1;
      tails[lo] = index;
    });
    diffWork.steps += pairs.length;
    const chain: [number, number][] = [];
    for (let index = tails.length ? tails[tails.length - 1]! : -1; index !== -1; index = previous[index]!) chain.push(pairs[index]!);
    return chain.reverse();
  }

  /** The exact LCS of a short run; a run past the budget is shown replaced whole. */
  private lcs(a0: number, a1: number, b0: number, b1: number): void {
    const n = a1 - a0;
    const m = b1 - b0;
    const cells = (n + 1) * (m + 1);
    if (cells > this.budget) return this.push(a0, a1, b0, b1);
    this.budget -= cells;
    diffWork.steps += cells;
    const { a, b } = this;
    // table[i * (m + 1) + j] = LCS length of a[a0 + i:a1] and b[b0 + j:b1]
    const width = m + 1;
    const table = new Uint32Array(cells);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i * width + j] = a[a0 + i] === b[b0 + j] ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[a0 + i] === b[b0 + j]) {
        i++;
        j++;
      } else if (i < n && (j === m || table[(i + 1) * width + j]! >= table[i * width + j + 1]!)) {
        this.push(a0 + i, a0 + i + 1, b0 + j, b0 + j);
        i++;
      } else {
        this.push(a0 + i, a0 + i, b0 + j, b0 + j + 1);
        j++;
      }
    }
  }
}

const shown = (kind: string, line: string): string => `${kind}${line.replace(/\r$/, '␍')}`;

export function unifiedDiff(path: string, before: string | null, after: string, context = 3): string {
  const a = splitLines(before ?? '');
  const b = splitLines(after);
  const differ = new Differ(a, b);
  differ.run(0, a.length, 0, b.length, 0);
  const { changes } = differ;
  if (changes.length === 0) return '';
  const hunks: string[] = [];
  for (let first = 0; first < changes.length; ) {
    let last = first;
    while (last + 1 < changes.length && changes[last + 1]!.a0 - changes[last]!.a1 <= context * 2) last++;
    const start = changes[first]!;
    const end = changes[last]!;
    const aFrom = Math.max(0, start.a0 - context);
    const bFrom = start.b0 - (start.a0 - aFrom);
    const aTo = Math.min(a.length, end.a1 + context);
    const bTo = end.b1 + (aTo - end.a1);
    const body: string[] = [];
    let i = aFrom;
    for (let k = first; k <= last; k++) {
      const change = changes[k]!;
      for (; i < change.a0; i++) body.push(shown(' ', a[i]!));
      for (; i < change.a1; i++) body.push(shown('-', a[i]!));
      for (let j = change.b0; j < change.b1; j++) body.push(shown('+', b[j]!));
    }
    for (; i < aTo; i++) body.push(shown(' ', a[i]!));
    const oldCount = aTo - aFrom;
    const newCount = bTo - bFrom;
    hunks.push(`@@ -${oldCount === 0 ? aFrom : aFrom + 1},${oldCount} +${newCount === 0 ? bFrom : bFrom + 1},${newCount} @@\n${body.join('\n')}`);
    first = last + 1;
  }
  return `--- ${before === null ? '/dev/null' : path}\n+++ ${path}\n${hunks.join('\n')}\n`;
}
