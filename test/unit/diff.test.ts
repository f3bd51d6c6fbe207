/** The dry run's unified diff: correct hunks, and work linear in the file's size however far apart the edits are. */
import { describe, expect, it } from 'vitest';
import { diffWork, unifiedDiff } from '../../src/ui/diff.js';

/** Applies a unified diff (as unifiedDiff writes it) to `before`. */
function applyDiff(before: string, diff: string): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let at = 0;
  const lines = diff.split('\n').slice(2, -1);
  for (const line of lines) {
    const hunk = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(line);
    if (hunk) {
      const start = Number(hunk[2]) === 0 ? Number(hunk[1]) : Number(hunk[1]) - 1;
      while (at < start) out.push(a[at++]!);
    } else if (line.startsWith(' ')) {
      expect(a[at]).toBe(line.slice(1));
      out.push(a[at++]!);
    } else if (line.startsWith('-')) {
      expect(a[at]).toBe(line.slice(1));
      at++;
    } else if (line.startsWith('+')) out.push(line.slice(1));
    else throw new Error(`unexpected line ${JSON.stringify(line)}`);
  }
  while (at < a.length) out.push(a[at++]!);
  return out.length ? `${out.join('\n')}\n` : '';
}

function bigConfig(tables: number): string[] {
  const lines = ['model = "o3"', ''];
  for (let i = 0; i < tables; i++) lines.push(`[projects."/home/user/src/project-${i}"]`, 'trust_level = "trusted"', '');
  return lines;
}

describe('unifiedDiff', () => {
  it('shows a change with three lines of context and the hunk ranges', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(unifiedDiff('x.toml', before, after)).toBe('--- x.toml\n+++ x.toml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
    expect(unifiedDiff('x.toml', null, 'a\n')).toBe('--- /dev/null\n+++ x.toml\n@@ -0,0 +1,1 @@\n+a\n');
    expect(unifiedDiff('x.toml', 'a\n', 'a\n')).toBe('');
  });

  it('gives hunks that turn the old text into the new one', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const before = Array.from({ length: random(30) }, () => `line ${random(8)}`);
      const after = before.flatMap((line) => [[line], [], [`new ${random(8)}`, line], [`line ${random(8)}`]][random(4)]!);
      const a = before.length ? `${before.join('\n')}\n` : '';
      const b = after.length ? `${after.join('\n')}\n` : '';
      expect(applyDiff(a, unifiedDiff('f', a, b))).toBe(b);
    }
  });

  it('does work linear in the file for two edits far apart (--make-default on a large config.toml)', () => {
    const lines = bigConfig(60_000); // 180,000 lines, about 6 MB
    const before = `${lines.join('\n')}\n`;
    const edited = [...lines];
    edited.splice(1, 0, 'model_provider = "glm"'); // the top of the file
    edited.push('[model_providers.glm]', 'name = "GLM"', ''); // its end
    const after = `${edited.join('\n')}\n`;
    diffWork.steps = 0;
    const diff = unifiedDiff('config.toml', before, after);
    // The old LCS filled a cell for every pair of lines between the edits: 180,000 squared.
    expect(diffWork.steps).toBeLessThan(10 * lines.length);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,4 +1,5 @@\n model = "o3"\n+model_provider = "glm"\n \n');
    expect(diff).toMatch(/\+\[model_providers\.glm\]\n\+name = "GLM"\n( \n)?$/);
    expect(diff.match(/^[-+]/gm)).toHaveLength(4 + 2); // the --- and +++ lines, and the four added lines
    expect(applyDiff(before, diff)).toBe(after);
  });

  it('shows a long run without unique lines replaced whole rather than filling an unbounded table', () => {
    const before = `${Array.from({ length: 5000 }, (_, i) => (i % 2 ? 'x' : 'y')).join('\n')}\n`;
    const after = `${Array.from({ length: 5000 }, (_, i) => (i % 3 ? 'x' : 'y')).join('\n')}\n`;
    diffWork.steps = 0;
    const diff = unifiedDiff('f', before, after);
    expect(diffWork.steps).toBeLessThan(5_000_000);
    expect(applyDiff(before, diff)).toBe(after);
  });
});
