/**
 * Property tests: random valid config.toml documents (comments, blank lines, quoted and dotted
 * keys, inline tables, CRLF, with or without a final newline, with or without an existing
 * glm-litellm provider in any form), merged: the result is parse-equal outside the managed keys,
 * byte-identical outside the managed spans, and unchanged by a second run.
 */
import fc from 'fast-check';
import { parseTOML, type AST } from 'toml-eslint-parser';
import { describe, expect, it } from 'vitest';
import { localProvider } from '../../src/modes/local.js';
import { codexConfigEdits, providerSettings, type ProfileShape } from '../../src/config/codex-config.js';
import { getIn, tomlDataEqual } from '../../src/config/toml-data.js';
import { editToml, renderKey, renderValue } from '../../src/config/toml-edit.js';
import { parseTomlData, validateToml } from '../../src/config/toml-syntax.js';

const bareKey = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const quotedKey = fc.oneof(fc.constantFrom('/home/me/My Project', 'C:\\Users\\me', 'a.b', 'ümlaut', 'x"y', 'github@openai'), bareKey);
const scalar = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }),
  fc.boolean(),
  fc.string({ maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f\ud800-\udfff]/.test(s)),
);
const valueText = fc.oneof(
  scalar.map((v) => renderValue(v)),
  fc.array(scalar, { maxLength: 3 }).map((items) => `[${items.map((v) => renderValue(v)).join(', ')}]`),
  fc.array(fc.tuple(bareKey, scalar), { maxLength: 2 }).map((pairs) => `{ ${[...new Map(pairs)].map(([k, v]) => `${k} = ${renderValue(v)}`).join(', ')} }`),
  fc.constantFrom("'literal \\ string'", '"""\nmulti\nline"""', '1.5', '1979-05-27T07:32:00Z'),
);
const comment = fc.constantFrom('# a comment', '#no space', '# 日本語のコメント', '# [model_providers.commented]');
const kvLine = fc.tuple(quotedKey, valueText, fc.boolean()).map(([k, v, c]) => `${renderKey([k])} = ${v}${c ? ' # trailing' : ''}`);

type Existing = 'none' | 'header' | 'dotted-root' | 'dotted-parent' | 'inline';
const managedUserKey = fc.constantFrom('http_headers_note', 'query_params_note', 'custom_user_key');

const documentArb = fc
  .record({
    rootLines: fc.array(fc.oneof(kvLine, comment, fc.constant('')), { maxLength: 5 }),
    tables: fc.array(
      fc.record({
        path: fc.oneof(
          fc.tuple(fc.constant('model_providers'), bareKey.filter((k) => k !== 'glm-litellm')),
          fc.tuple(fc.constantFrom('projects', 'mcp_servers', 'profiles'), quotedKey),
          fc.tuple(fc.constantFrom('tui', 'features', 'notice')),
        ),
        lines: fc.array(fc.oneof(kvLine, comment, fc.constant('')), { maxLength: 4 }),
      }),
      { maxLength: 5 },
    ),
    existing: fc.constantFrom<Existing>('none', 'header', 'dotted-root', 'dotted-parent', 'inline'),
    existingBaseUrl: fc.constantFrom('http://127.0.0.1:4000/v1', 'http://localhost:9999/v1'),
    userKey: managedUserKey,
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
  })
  .map((doc) => {
    const lines: string[] = [...doc.rootLines];
    const provider = `base_url = ${renderValue(doc.existingBaseUrl)}`;
    const user = `${doc.userKey} = "mine"`;
    if (doc.existing === 'dotted-root') lines.push(`model_providers.glm-litellm.${provider}`, `model_providers.glm-litellm.${user}`);
    if (doc.existing === 'inline') lines.push(`model_providers = { glm-litellm = { ${provider}, ${user} } }`);
    for (const table of doc.tables) {
      if (doc.existing === 'inline' && table.path[0] === 'model_providers') continue;
      lines.push(`[${renderKey(table.path)}]`, ...table.lines);
    }
    if (doc.existing === 'header') lines.push('[model_providers.glm-litellm]', provider, user);
    if (doc.existing === 'dotted-parent') lines.push('[model_providers]', `glm-litellm.${provider}`, `glm-litellm.${user}`);
    const eol = doc.crlf ? '\r\n' : '\n';
    let text = lines.join(eol);
    if (doc.finalNewline && text) text += eol;
    return { text, userKey: doc.userKey, existing: doc.existing };
  })
  .filter(({ text }) => {
    try {
      validateToml(text, 'gen.toml');
      return true;
    } catch {
      return false;
    }
  });

const MANAGED_PROVIDER_KEYS = new Set(providerSettings(localProvider(4000)).map((s) => s.key));

function merge(text: string, shape: ProfileShape) {
  const data = parseTomlData(text, 'gen.toml');
  const edits = codexConfigEdits({ text, file: 'gen.toml', provider: localProvider(4000), model: 'glm-5.2', shape, defaults: { makeDefault: undefined, previous: null } }, data);
  return editToml(text, edits, 'gen.toml');
}

/** Source ranges of the values of managed keys in the original: the only bytes an edit may replace. */
function managedValueRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  const visit = (kv: AST.TOMLKeyValue, base: string[]) => {
    const path = [...base, ...kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))];
    if (path.length === 3 && path[0] === 'model_providers' && path[1] === 'glm-litellm' && MANAGED_PROVIDER_KEYS.has(path[2]!)) ranges.push(kv.value.range);
    if (kv.value.type === 'TOMLInlineTable') for (const child of kv.value.body) visit(child, path);
  };
  for (const item of parseTOML(text).body[0].body) {
    if (item.type === 'TOMLKeyValue') visit(item, []);
    else if (item.kind === 'standard') for (const kv of item.body) visit(kv, item.resolvedKey.map(String));
  }
  return ranges;
}

function removedOriginalOffsets(original: string, splices: { start: number; end: number; text: string }[]): number[] {
  const origin: (number | null)[] = original.split('').map((_, i) => i);
  const removed: number[] = [];
  for (const splice of splices) {
    const gone = origin.splice(splice.start, splice.end - splice.start, ...splice.text.split('').map(() => null));
    for (const index of gone) if (index !== null) removed.push(index);
  }
  return removed;
}

describe('merging random config.toml documents', () => {
  for (const shape of ['file', 'table'] as const) {
    it(`keeps everything the user owns (profile ${shape})`, () => {
      fc.assert(
        fc.property(documentArb, ({ text, userKey, existing }) => {
          const result = merge(text, shape);
          const before = validateToml(text, 'gen.toml');
          const after = validateToml(result.text, 'gen.toml');

          // Parse-equal outside the managed keys; the user's own key in our table survives.
          const strip = (data: Record<string, unknown>) => {
            const copy = structuredClone(data);
            const providers = copy.model_providers as Record<string, Record<string, unknown>> | undefined;
            if (providers?.['glm-litellm']) {
              for (const key of MANAGED_PROVIDER_KEYS) delete providers['glm-litellm'][key];
              if (Object.keys(providers['glm-litellm']).length === 0) delete providers['glm-litellm'];
              if (Object.keys(providers).length === 0) delete copy.model_providers;
            }
            const profiles = copy.profiles as Record<string, unknown> | undefined;
            if (profiles) {
              delete profiles.glm;
              if (Object.keys(profiles).length === 0) delete copy.profiles;
            }
            return copy;
          };
          expect(tomlDataEqual(strip(after), strip(before))).toBe(true);
          if (existing !== 'none') expect(getIn(after, ['model_providers', 'glm-litellm', userKey])).toBe('mine');
          expect(getIn(after, ['model_providers', 'glm-litellm', 'base_url'])).toBe('http://127.0.0.1:4000/v1');

          // Byte-identical outside the managed spans.
          const allowed = managedValueRanges(text);
          for (const offset of removedOriginalOffsets(text, result.splices)) {
            expect(allowed.some(([start, end]) => offset >= start && offset < end)).toBe(true);
          }

          // Idempotent.
          const again = merge(result.text, shape);
          expect(again.changed).toBe(false);
        }),
        { numRuns: 300 },
      );
    });
  }
});
