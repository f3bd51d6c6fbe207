/** The user's legacy profiles moved out of config.toml: byte for byte, never over an existing file. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { legacyProfilesInText, migrateLegacyProfiles } from '../../src/config/legacy-profiles.js';
import { moveTableOut } from '../../src/config/toml-edit.js';
import { legacyProfilesIn } from '../../src/config/legacy-profiles.js';
import { parseTomlData, splitBom, tomlParseStats } from '../../src/config/toml-syntax.js';
import { corpusFiles, fixture } from '../helpers/corpus.js';

const same = (path: string) => path;

describe('moveTableOut', () => {
  it('moves a table and its sub-tables with their comments, keys in order, headers without the prefix', () => {
    const text = readFileSync(fixture('user-profiles-table.toml'), 'utf8');
    const result = moveTableOut(text, ['profiles', 'careful'], 'config.toml')!;
    expect(result.moved).toBe(
      [
        '# A stricter profile for repositories I do not own.',
        'approval_policy = "untrusted"',
        'sandbox_mode = "workspace-write"',
        'model_reasoning_effort = "high"',
        '',
        '[sandbox_workspace_write]',
        'writable_roots = [',
        '  "/home/tomas/review",',
        '  "/home/tomas/.cache/pip",',
        ']',
        'network_access = false',
        '',
        '[shell_environment_policy]',
        'inherit = "core"',
        'exclude = ["*TOKEN*", "*SECRET*", "AWS_*"]',
        'set = { PAGER = "cat", GIT_PAGER = "cat" }',
        '',
      ].join('\n'),
    );
    // The rest is the original up to the moved part, unchanged.
    expect(text.startsWith(result.rest)).toBe(true);
    expect(result.rest.endsWith('"hide_gpt-5.1-codex_migration_prompt" = true\n')).toBe(true);
  });

  it('keeps CRLF and a comment after the header', () => {
    const text = 'model = "a"\r\n\r\n[profiles.w] # mine\r\nmodel = "b"\r\n\r\n[features]\r\nx = true\r\n';
    const result = moveTableOut(text, ['profiles', 'w'], 'c.toml')!;
    expect(result.moved).toBe('# mine\r\nmodel = "b"\r\n');
    expect(result.rest).toBe('model = "a"\r\n\r\n[features]\r\nx = true\r\n');
  });

  it('moves a table of a large document through its excerpt: the same bytes, no syntax tree of the whole, one parse of the rest', () => {
    const projects = (from: number) => Array.from({ length: 4_000 }, (_, i) => `[projects."/home/u/p-${from + i}"]\ntrust_level = "trusted"\n\n`).join('');
    const text = `profile = "w"\nmodel = "a"\n\n${projects(0)}# my profile\n[profiles.w]\nmodel = "b" # kept\n\n[profiles.w.tools]\nx = 1\n\n${projects(4_000)}[profiles.other]\nmodel = "c"\n\n${projects(8_000)}`;
    expect(text.length).toBeGreaterThan(256 * 1024);
    const whole = moveTableOut(text, ['profiles', 'w'], 'c.toml', { excerpt: false })!;
    const data = parseTomlData(text, 'c.toml');
    const before = { ...tomlParseStats };
    const viaExcerpt = moveTableOut(text, ['profiles', 'w'], 'c.toml', { data })!;
    const after = { ...tomlParseStats };
    expect(viaExcerpt.moved).toBe('# my profile\nmodel = "b" # kept\n\n[tools]\nx = 1\n');
    expect(viaExcerpt.moved).toBe(whole.moved);
    expect(viaExcerpt.rest).toBe(whole.rest);
    expect(viaExcerpt.rest).toBe(text.replace('# my profile\n[profiles.w]\nmodel = "b" # kept\n\n[profiles.w.tools]\nx = 1\n\n', ''));
    expect(viaExcerpt.restData).toEqual(parseTomlData(viaExcerpt.rest, 'c.toml'));
    // The trees cover the excerpt (root keys, the [profiles.*] tables and their neighbours), not the file;
    // the data parsers read the rest once (and the small excerpt and moved table).
    expect(after.treeChars - before.treeChars).toBeLessThan(text.length / 20);
    expect(after.dataChars - before.dataChars).toBeGreaterThanOrEqual(viaExcerpt.rest.length);
    expect(after.dataChars - before.dataChars).toBeLessThan(viaExcerpt.rest.length + text.length / 20);
  });

  it('refuses a table written with dotted keys or inline (its text cannot move as it is)', () => {
    expect(moveTableOut('profiles.w.model = "b"\n', ['profiles', 'w'], 'c.toml')).toBeNull();
    expect(moveTableOut('[profiles]\nw = { model = "b" }\n', ['profiles', 'w'], 'c.toml')).toBeNull();
  });
});

describe('migrateLegacyProfiles', () => {
  const text = readFileSync(fixture('legacy-profile-selector.toml'), 'utf8');
  const legacy = legacyProfilesInText(text, 'config.toml', 'glm');

  it('finds the tables and the selector, not the tool\'s own profile', () => {
    expect(legacyProfilesInText(`${text}\n[profiles.glm]\nmodel = "glm-5.2"\n`, 'c', 'glm')).toEqual({ names: ['work', 'quick'], selector: 'work' });
  });

  it('moves each table into <name>.config.toml and removes the selector', () => {
    const result = migrateLegacyProfiles(text, '/h/.codex/config.toml', '/h/.codex', legacy, { work: null, quick: null }, same);
    expect(result.files.map((f) => f.path)).toEqual(['/h/.codex/work.config.toml', '/h/.codex/quick.config.toml']);
    expect(result.files[0]!.text).toBe(
      '# Moved here from [profiles.work] in /h/.codex/config.toml by glm-codex-setup: `codex --profile work` reads it.\nmodel = "gpt-5.1-codex"\nmodel_reasoning_effort = "high"\napproval_policy = "on-request"\n',
    );
    expect(result.text).toBe('# Written for Codex 0.12x: the active profile chosen in the file itself.\nmodel = "gpt-5.1-codex"\n');
    expect(result.selectorRemoved).toBe('work');
    expect(result.kept).toEqual([]);
  });

  it('never overwrites an existing profile file: that table stays and the reason is given', () => {
    const result = migrateLegacyProfiles(text, '/h/.codex/config.toml', '/h/.codex', legacy, { work: 'model = "mine"\n', quick: null }, same);
    expect(result.files.map((f) => f.name)).toEqual(['quick']);
    expect(result.kept).toEqual([{ name: 'work', why: expect.stringMatching(/\/h\/\.codex\/work\.config\.toml already exists and is never overwritten/) }]);
    expect(result.text).toContain('[profiles.work]');
    expect(result.text).not.toContain('[profiles.quick]');
  });
});

describe('legacyProfilesInText', () => {
  it('finds what a parse of the whole file finds, in every corpus file that parses', () => {
    for (const file of corpusFiles().filter((f) => !f.invalid)) {
      const text = readFileSync(file.path, 'utf8');
      for (const variant of [text, `profile = "work"\n${text}\n[profiles.work]\nmodel = "o3"\n[profiles.work.sub]\nx = 1\n`]) {
        let whole;
        try {
          whole = legacyProfilesIn(parseTomlData(splitBom(variant).body, file.name), 'glm');
        } catch {
          continue; // the variant collides with the file's own keys
        }
        expect(legacyProfilesInText(variant, file.name, 'glm'), file.name).toEqual(whole);
      }
    }
  });

  it('finds tables, dotted keys, an inline [profiles] table and the selector without parsing the other tables', () => {
    const other = Array.from({ length: 2000 }, (_, i) => `[projects."/p/${i}"]\ntrust_level = "trusted"\n`).join('\n');
    const text = `profile = "a"\n\n${other}\n[profiles]\nb.model = "x"\nc = { model = "y" }\n\n${other.replaceAll('/p/', '/q/')}\n[profiles.d] # mine\nmodel = "z"\n`;
    const before = tomlParseStats.dataChars;
    expect(legacyProfilesInText(text, 'c.toml', 'glm')).toEqual({ names: ['b', 'c', 'd'], selector: 'a' });
    expect(tomlParseStats.dataChars - before).toBeLessThan(200);
  });

  it('reports none when the part that holds profiles does not parse', () => {
    expect(legacyProfilesInText('profile = "a"\nprofile = "b"\n[profiles.x]\n', 'c.toml', 'glm')).toEqual({ names: [], selector: null });
  });
});
