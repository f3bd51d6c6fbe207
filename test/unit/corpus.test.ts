/**
 * The corpus of config.toml files (the project's fixtures, plus real users' files when ../shared is
 * present): the merge must keep every byte of each valid one and refuse the invalid ones.
 * "Keep every byte" is checked literally: all the edits are insertions
 * (or replace a value the tool owns), so deleting the inserted text gives back the original.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { localProvider } from '../../src/modes/local.js';
import { codexConfigEdits, type ProfileShape } from '../../src/config/codex-config.js';
import { deleteIn, pruneEmptyAncestors, tomlDataEqual } from '../../src/config/toml-data.js';
import { editToml } from '../../src/config/toml-edit.js';
import { parseTomlData, TomlSyntaxError, validateToml } from '../../src/config/toml-syntax.js';
import { corpusFiles, FIXTURE_COUNT, fixtureFiles, SHARED_COUNT, sharedFiles } from '../helpers/corpus.js';

const corpus = corpusFiles();

function merge(text: string, shape: ProfileShape, makeDefault?: boolean) {
  const data = parseTomlData(text.replace(/^\uFEFF/, ''), 'config.toml');
  const edits = codexConfigEdits({ text, file: 'config.toml', provider: localProvider(4000), model: 'glm-5.2', shape, defaults: { makeDefault, previous: null } }, data);
  return editToml(text, edits, 'config.toml');
}

function withoutManaged(data: Record<string, unknown>): Record<string, unknown> {
  let out = deleteIn(data, ['model_providers', 'glm-litellm']);
  out = pruneEmptyAncestors(out, ['model_providers', 'glm-litellm']);
  out = deleteIn(out, ['profiles', 'glm']);
  return pruneEmptyAncestors(out, ['profiles', 'glm']);
}

describe('the corpus of config.toml files', () => {
  it(`has the ${FIXTURE_COUNT} fixtures, one of them invalid (and the ${SHARED_COUNT} shared files when present)`, () => {
    const fixtures = fixtureFiles();
    expect(fixtures).toHaveLength(FIXTURE_COUNT);
    expect(fixtures.filter((f) => f.invalid)).toHaveLength(1);
    const shared = sharedFiles();
    if (shared.length > 0) expect(shared).toHaveLength(SHARED_COUNT);
  });

  const valid = corpus.filter((file) => !file.invalid);
  const variants: [string, (t: string) => string][] = [
    ['as is', (t) => t],
    ['CRLF', (t) => t.replace(/\r?\n/g, '\r\n')],
    ['BOM', (t) => (t.startsWith('\uFEFF') ? t : `\uFEFF${t}`)],
    ['no final newline', (t) => t.replace(/(\r?\n)+$/, '')],
  ];

  for (const { name, path } of valid) {
    for (const [variant, transform] of variants) {
      for (const shape of ['file', 'table'] as const) {
        it(`${name} (${variant}, profile ${shape}): merges losslessly and idempotently`, () => {
          const original = transform(readFileSync(path, 'utf8'));
          const first = merge(original, shape);
          expect(first.changed).toBe(true);

          // Every byte of the original survives, in order: the edits only insert.
          for (const splice of first.splices) expect(splice.end).toBe(splice.start);
          expect(undoInsertions(original, first.splices, first.text)).toBe(original);

          // Outside the managed keys the data is the same.
          const before = validateToml(original, name);
          const after = validateToml(first.text, name);
          expect(tomlDataEqual(withoutManaged(after), withoutManaged(before))).toBe(true);
          expect((after.model_providers as Record<string, Record<string, unknown>>)['glm-litellm']).toMatchObject({
            base_url: 'http://127.0.0.1:4000/v1',
            env_key: 'LITELLM_API_KEY',
            wire_api: 'responses',
          });
          if (shape === 'table') expect((after.profiles as Record<string, Record<string, unknown>>).glm).toMatchObject({ model: 'glm-5.2', model_provider: 'glm-litellm' });
          if (variant === 'CRLF') expect(first.text.replace(/\r\n/g, '')).not.toMatch(/\n/);

          // A second run changes nothing.
          const second = merge(first.text, shape);
          expect(second.changed).toBe(false);
          expect(second.text).toBe(first.text);
        });
      }
    }

    it(`${name}: --make-default sets the top-level keys and nothing else`, () => {
      const original = readFileSync(path, 'utf8');
      const result = merge(original, 'file', true);
      const after = validateToml(result.text, name);
      expect(after.model).toBe('glm-5.2');
      expect(after.model_provider).toBe('glm-litellm');
      const before = validateToml(original, name);
      const strip = (d: Record<string, unknown>) => deleteIn(deleteIn(withoutManaged(d), ['model']), ['model_provider']);
      expect(tomlDataEqual(strip(after), strip(before))).toBe(true);
    });
  }

  for (const { name, path, invalid } of corpus.filter((file) => file.invalid)) {
    it(`${name}: is refused at line ${invalid!.line}, and nothing is produced`, () => {
      const original = readFileSync(path, 'utf8');
      let caught: unknown;
      try {
        merge(original, 'file');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TomlSyntaxError);
      const problem = (caught as TomlSyntaxError).problem;
      expect(problem.line).toBe(invalid!.line);
      const lines = original.split(/\r?\n/);
      expect(lines[problem.line - 1]).toMatch(new RegExp(`^\\s*${invalid!.key}\\s*=`));
      expect(lines.filter((l) => new RegExp(`^\\s*${invalid!.key}\\s*=`).test(l))).toHaveLength(2);
    });
  }
});

/** Removes the inserted texts (applied in order to the evolving text) and returns what is left. */
function undoInsertions(original: string, splices: { start: number; end: number; text: string }[], final: string): string {
  // Splice offsets are UTF-16 offsets into the BOM-less text as it was at that edit: replay them on a
  // copy whose every code unit remembers whether it came from the original.
  const bom = original.startsWith('\uFEFF') ? '\uFEFF' : '';
  const chars = original.slice(bom.length).split('').map((c) => ({ c, inserted: false }));
  for (const splice of splices) {
    chars.splice(splice.start, splice.end - splice.start, ...splice.text.split('').map((c) => ({ c, inserted: true })));
  }
  expect(bom + chars.map((x) => x.c).join('')).toBe(final);
  return bom + chars.filter((x) => !x.inserted).map((x) => x.c).join('');
}
