/**
 * A large config.toml is edited through an excerpt (src/config/toml-segments.ts): the result must be
 * byte for byte what editing the whole document gives, and the cost must stay one syntax tree of the
 * excerpt, not of the file: the parsers are counted (tomlParseStats), not timed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codexConfigEdits, type ProfileShape } from '../../src/config/codex-config.js';
import { localProvider } from '../../src/modes/local.js';
import { editToml, type TomlEdit } from '../../src/config/toml-edit.js';
import { splitTopLevel } from '../../src/config/toml-segments.js';
import { parseTomlData, tomlParseStats } from '../../src/config/toml-syntax.js';
import { fixtureFiles } from '../helpers/corpus.js';

const FILLER = (n: number, eol: string) =>
  Array.from({ length: n }, (_, i) => `[zz_filler."t ${i}"]${eol}x = ${i}${eol}s = """a${eol}[not.a.header]${eol}"""${eol}${eol}`).join('');

/** The fixture with filler tables before its first header and after its end: same data for the tool's tables. */
function padded(text: string): string[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = text.replace(/^\uFEFF/, '');
  const bom = text.length === body.length ? '' : '\uFEFF';
  const segments = splitTopLevel(body);
  if (!segments) throw new Error('the scan refused a valid fixture');
  const first = segments[1]?.start ?? body.length;
  const end = body.length === 0 || /\n$/.test(body) ? '' : eol;
  return [
    bom + body + end + FILLER(60, eol),
    bom + body.slice(0, first) + (first === body.length ? end : '') + FILLER(60, eol) + body.slice(first),
  ];
}

function editSets(text: string): TomlEdit[][] {
  const data = parseTomlData(text.replace(/^\uFEFF/, ''), 'config.toml');
  const sets: TomlEdit[][] = [];
  for (const shape of ['file', 'table'] as ProfileShape[]) {
    for (const makeDefault of [false, true]) {
      sets.push(codexConfigEdits({ text, file: 'config.toml', provider: localProvider(4000), model: 'glm-5.2', shape, defaults: { makeDefault, previous: null } }, data));
    }
  }
  sets.push([
    { op: 'delete-table', path: ['model_providers', 'glm-litellm'] },
    { op: 'delete-key', path: ['model'] },
    { op: 'delete-table', path: ['profiles', 'glm'] },
  ]);
  return sets;
}

function outcome(run: () => { text: string }): string {
  try {
    return run().text;
  } catch (error) {
    return `throws ${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('editing through an excerpt', () => {
  const valid = fixtureFiles().filter((file) => !file.invalid);
  for (const fixture of valid) {
    it(`${fixture.name}: the same bytes as editing the whole document, before and after an edit`, () => {
      for (const text of padded(readFileSync(fixture.path, "utf8"))) {
        for (const edits of editSets(text)) {
          const whole = outcome(() => editToml(text, edits, 'config.toml', { excerpt: false }));
          Object.assign(tomlParseStats, { treeCalls: 0, treeChars: 0 });
          const excerpt = outcome(() => editToml(text, edits, 'config.toml', { excerpt: true }));
          expect(excerpt).toBe(whole);
          // The excerpt was used: no syntax tree of the whole padded document was built.
          if (!whole.startsWith('throws') && whole !== text) expect(tomlParseStats.treeChars / tomlParseStats.treeCalls).toBeLessThan(text.length);
          if (whole.startsWith('throws')) continue;
          // And the way back (what uninstall does) from the edited file.
          const undo: TomlEdit[] = [{ op: 'delete-table', path: ['model_providers', 'glm-litellm'] }, { op: 'delete-key', path: ['model_provider'] }];
          expect(outcome(() => editToml(whole, undo, 'config.toml', { excerpt: true }))).toBe(outcome(() => editToml(whole, undo, 'config.toml', { excerpt: false })));
        }
      }
    });
  }

  it('the scan finds exactly the headers the TOML parser sees (strings, comments, arrays over lines)', () => {
    const text = [
      'a = """',
      '[not.a.header]',
      '"""',
      "b = '''",
      "[nor.this]'''",
      'c = [',
      '  [1, 2],',
      '  [3],',
      ']',
      '# [a.comment]',
      'd = "[x]"',
      '[t."dotted.key".u]',
      '  [[arr]]',
      "[ 'lit' . b ]",
      'e = { f = [1, [2]] }',
      '["\\u0041"]',
      '',
    ].join('\n');
    expect(splitTopLevel(text)?.map((segment) => segment.path)).toEqual([null, ['t', 'dotted.key', 'u'], ['arr'], ['lit', 'b'], ['A']]);
    expect(splitTopLevel('a = "unterminated\n[b]\n')).toBeNull();
    expect(splitTopLevel('a = [1,\n')).toBeNull();
  });

  it('a 1 MB file costs one syntax tree of a small excerpt and two data parses, whatever the edits', () => {
    const text = `model = "o3"\n\n[model_providers.openai]\nname = "x"\n\n${FILLER(17_000, '\n')}[profiles.work]\nmodel = "o3"\n`;
    expect(text.length).toBeGreaterThan(1_000_000);
    for (const edits of editSets(text)) {
      const data = parseTomlData(text, 'config.toml');
      Object.assign(tomlParseStats, { treeCalls: 0, treeChars: 0, dataCalls: 0, dataChars: 0 });
      const result = editToml(text, edits, 'config.toml', { data });
      expect(result.changed).toBe(true);
      // The excerpt is a few hundred bytes; the sequential replay may parse it a few times.
      expect(tomlParseStats.treeChars).toBeLessThan(20_000);
      // The data parser reads the whole result once to check it (the caller parsed the original).
      expect(tomlParseStats.dataChars).toBeLessThan(text.length * 1.1 + 20_000);
    }
  });
});
