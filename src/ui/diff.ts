/** A small unified diff (LCS on the lines between the common prefix and suffix). */

type Line = { kind: ' ' | '-' | '+'; text: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function diffLines(a: string[], b: string[]): Line[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  // lcs[i][j] = LCS length of midA[i:] and midB[j:]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: Line[] = a.slice(0, start).map((text) => ({ kind: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      out.push({ kind: ' ', text: midA[i]! });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ kind: '+', text: midB[j++]! });
    } else {
      out.push({ kind: '-', text: midA[i++]! });
    }
  }
  for (const text of a.slice(endA)) out.push({ kind: ' ', text });
  return out;
}

export function unifiedDiff(path: string, before: string | null, after: string, context = 3): string {
  const lines = diffLines(splitLines(before ?? ''), splitLines(after));
  const header = `--- ${before === null ? '/dev/null' : path}\n+++ ${path}\n`;
  const changed = lines.map((line, index) => (line.kind !== ' ' ? index : -1)).filter((index) => index >= 0);
  if (changed.length === 0) return '';
  const hunks: string[] = [];
  let cursor = 0;
  while (cursor < changed.length) {
    const first = changed[cursor]!;
    let last = first;
    while (cursor + 1 < changed.length && changed[cursor + 1]! - last <= context * 2 + 1) last = changed[++cursor]!;
    cursor++;
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length, last + context + 1);
    const slice = lines.slice(from, to);
    const oldStart = lines.slice(0, from).filter((l) => l.kind !== '+').length + 1;
    const newStart = lines.slice(0, from).filter((l) => l.kind !== '-').length + 1;
    const oldCount = slice.filter((l) => l.kind !== '+').length;
    const newCount = slice.filter((l) => l.kind !== '-').length;
    const body = slice.map((l) => `${l.kind}${l.text.replace(/\r$/, '␍')}`).join('\n');
    hunks.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@\n${body}`);
  }
  return `${header}${hunks.join('\n')}\n`;
}
