/** A value a newer Codex refuses in a moved profile: rewritten byte for byte where it keeps its meaning, else kept and named. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { legacyProfilesInText, migrateLegacyProfiles } from '../../src/config/legacy-profiles.js';
import { fixRetiredSettings, refusesUntrusted } from '../../src/config/retired-settings.js';
import { fixture } from '../helpers/corpus.js';

const same = (path: string) => path;

describe('fixRetiredSettings', () => {
  it('changes only the value of approval_policy = "untrusted": comments, spacing, CRLF and every other line stay', () => {
    const text = '# careful\r\napproval_policy   =  "untrusted"   # ask first\r\nsandbox_mode = "workspace-write"\r\n\r\n[shell_environment_policy]\r\ninherit = "core"\r\n';
    const result = fixRetiredSettings(text, 'x.config.toml', null, '0.171.0');
    expect(result.text).toBe(text.replace('"untrusted"', '"on-request"'));
    expect(result.settings).toEqual([{ line: 2, from: 'approval_policy = "untrusted"', to: 'approval_policy = "on-request"', why: expect.stringContaining('sandbox_mode = "workspace-write"') }]);
    expect(result.settings[0]!.why).toContain('approval_policy = "untrusted" is no longer supported; remove this setting');
  });

  it('a literal string is rewritten too; the line number counts from the top', () => {
    const result = fixRetiredSettings("model = \"o3\"\n\napproval_policy = 'untrusted'\n", 'x.config.toml', 'read-only', '0.169.0');
    expect(result.text).toBe('model = "o3"\n\napproval_policy = "on-request"\n');
    expect(result.settings[0]!.line).toBe(3);
    expect(result.settings[0]!.why).toContain('sandbox_mode = "read-only"');
  });

  it('with danger-full-access (its own or config.toml\'s) there is no faithful value: the text stays and the line is named', () => {
    const own = 'sandbox_mode = "danger-full-access"\napproval_policy = "untrusted"\n';
    expect(fixRetiredSettings(own, 'x', null, '0.171.0')).toEqual({ text: own, settings: [{ line: 2, from: 'approval_policy = "untrusted"', to: null, why: expect.stringContaining('"on-request" would never ask') }] });
    const inherited = 'approval_policy = "untrusted"\n';
    const result = fixRetiredSettings(inherited, 'x', 'danger-full-access', '0.171.0');
    expect(result.text).toBe(inherited);
    expect(result.settings[0]).toMatchObject({ line: 1, to: null, why: expect.stringContaining('(from config.toml)') });
    // The profile's own sandbox wins over config.toml's.
    expect(fixRetiredSettings('approval_policy = "untrusted"\nsandbox_mode = "workspace-write"\n', 'x', 'danger-full-access', '0.171.0').settings[0]!.to).toBe('approval_policy = "on-request"');
  });

  it('leaves every value Codex accepts, a Codex before 0.149, and "untrusted" inside another table alone', () => {
    for (const text of [
      'approval_policy = "on-failure"\n',
      'approval_policy = "on-request"\n',
      'approval_policy = "never"\n',
      'approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = true, request_permissions = false, skill_approval = false } }\n',
      '[approval_policy.granular]\nsandbox_approval = true\nrules = false\nmcp_elicitations = false\n',
      '[projects."/src/x"]\ntrust_level = "untrusted"\n',
      'sandbox_mode = "read-only"\n# approval_policy = "untrusted"\n',
    ]) {
      expect(fixRetiredSettings(text, 'x', null, '0.171.0'), text).toEqual({ text, settings: [] });
    }
    expect(fixRetiredSettings('approval_policy = "untrusted"\n', 'x', null, '0.148.2').settings).toEqual([]);
    expect([refusesUntrusted('0.148.9'), refusesUntrusted('0.149.0'), refusesUntrusted('1.0.0'), refusesUntrusted(null)]).toEqual([false, true, true, true]);
  });
});

describe('migrateLegacyProfiles with a refused value', () => {
  const text = readFileSync(fixture('user-profiles-table.toml'), 'utf8');
  const legacy = legacyProfilesInText(text, 'config.toml', 'glm');

  it('the moved file differs from the table only in the value and the header, which names the line', () => {
    const result = migrateLegacyProfiles(text, '/h/.codex/config.toml', '/h/.codex', legacy, { careful: null }, same, { codexVersion: '0.171.0', baseSandbox: 'danger-full-access' });
    const file = result.files[0]!;
    const lines = file.text.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      '# Moved here from [profiles.careful] in /h/.codex/config.toml by glm-codex-setup: `codex --profile careful` reads it.',
      '# approval_policy = "untrusted" became approval_policy = "on-request" (line 4): Codex 0.171.0 refuses "untrusted".',
    ]);
    expect(lines[3]).toBe('approval_policy = "on-request"');
    expect(file.retired).toEqual([expect.objectContaining({ line: 4, to: 'approval_policy = "on-request"' })]);
    const unchanged = migrateLegacyProfiles(text, '/h/.codex/config.toml', '/h/.codex', legacy, { careful: null }, same, { codexVersion: '0.148.0', baseSandbox: null }).files[0]!;
    expect(lines.slice(2).join('\n')).toBe(unchanged.text.split('\n').slice(1).join('\n').replace('"untrusted"', '"on-request"'));
    expect(unchanged.retired).toEqual([]);
  });
});
