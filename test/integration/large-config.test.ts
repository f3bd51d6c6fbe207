/**
 * A large config.toml costs each command one data parse of it (one more of the result when written or planned)
 * and no syntax tree of the whole file: the parsers are counted (GLM_CODEX_TRACE prints tomlParseStats
 * at exit), not timed, so a second parse or a tree of the whole file coming back fails here. The
 * times and peak memory are in the benchmark (bench/large-config.mjs).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandbox } from '../helpers/cli.js';

const SETUP = ['--non-interactive', '--no-start', '--no-shell-rc', '--endpoint', 'general', '--port', '31900'];

/** About 1 MB: projects and MCP servers, with a [model_providers] family in the middle and, when asked, legacy profiles. */
function bigConfig(withProfiles: boolean): string {
  const parts = [withProfiles ? 'model = "o3"\nprofile = "work"\n\n' : 'model = "o3"\n\n'];
  for (let i = 0; i < 14_000; i++) {
    if (i === 7_000) parts.push('[model_providers.other]\nname = "other"\nbase_url = "http://127.0.0.1:1/v1"\n\n');
    if (i === 7_000 && withProfiles) parts.push('[profiles.work]\nmodel = "o3"\n\n');
    parts.push(i % 5 === 0 ? `[mcp_servers.s${i}]\ncommand = "npx"\nargs = ["-y", "@example/mcp-${i}"]\n\n` : `[projects."/home/user/src/project-${i}"]\ntrust_level = "trusted"\n\n`);
  }
  return parts.join('');
}

function parses(stderr: string): { treeCalls: number; treeChars: number; dataCalls: number; dataChars: number } {
  const line = stderr.split('\n').find((l) => l.startsWith('toml-parses '));
  if (!line) throw new Error(`no toml-parses line in:\n${stderr.slice(-2000)}`);
  return JSON.parse(line.slice('toml-parses '.length));
}

describe.each([
  ['without legacy profiles', false],
  // inspect's legacy-profile scan parses only the root keys and the [profiles.*] tables: no extra whole parse.
  ['with [profiles.work] and profile = "work"', true],
])('a 1 MB config.toml %s', (_name, withProfiles) => {
  it('setup, a re-run, doctor and uninstall parse it a bounded number of times, never into a tree', async () => {
    const box = await sandbox();
    const config = join(box.codexHome, 'config.toml');
    const text = bigConfig(withProfiles);
    await writeFile(config, text);
    const size = text.length;
    const env = { ZAI_API_KEY: 'zai-test-key.0123456789abcdef', GLM_CODEX_TRACE: '1' };
    const runs: [string, string[], number][] = [
      // Nothing of the tool's there: "No setup found" after one data parse (is config.toml readable?), no tree.
      ['doctor before setup', ['doctor'], 1],
      ['fresh setup', SETUP, 2], // the ownership check and the merge share one; the result is checked once
      ['re-run', SETUP, 1], // nothing to write
      ['doctor', ['doctor'], 1], // its own check and the fresh plan that must change nothing share one
      ['uninstall', ['uninstall', '--non-interactive'], 2], // the plan, and the result checked once
    ];
    for (const [what, args, wholeParses] of runs) {
      const result = await runCli(box, args, { env });
      if (!what.startsWith('doctor')) expect(result.exitCode, `${what}: ${result.all.slice(-2000)}`).toBe(0);
      if (what === 'doctor before setup') expect(result.all, what).toContain('No setup found');
      const stats = parses(result.stderr);
      // The syntax tree covers an excerpt (the root keys and the tool's table families), a few kB.
      expect(stats.treeChars, what).toBeLessThan(size / 50);
      // Small files (glm.config.toml, the catalog) add a little; a second whole parse would add `size`.
      expect(stats.dataChars, what).toBeGreaterThanOrEqual(size);
      expect(stats.dataChars, what).toBeLessThan(wholeParses * size + size / 2);
    }
    expect(await readFile(config, 'utf8')).toBe(text);
  });
});

describe('a 1 MB config.toml with legacy profiles, migrated', () => {
  it('--migrate-profiles moves the table and the selector with no syntax tree of the whole file and a bounded number of parses', async () => {
    const box = await sandbox();
    const config = join(box.codexHome, 'config.toml');
    const text = bigConfig(true);
    await writeFile(config, text);
    const env = { ZAI_API_KEY: 'zai-test-key.0123456789abcdef', GLM_CODEX_TRACE: '1' };
    const result = await runCli(box, [...SETUP, '--migrate-profiles'], { env });
    expect(result.exitCode, result.all.slice(-2000)).toBe(0);
    const stats = parses(result.stderr);
    expect(stats.treeChars).toBeLessThan(text.length / 50);
    // The plan's parse, the rest after the move, after the selector's removal, after the tool's table.
    expect(stats.dataChars).toBeLessThan(4 * text.length + text.length / 2);
    expect(await readFile(join(box.codexHome, 'work.config.toml'), 'utf8')).toMatch(/^# Moved here from \[profiles\.work\].*\nmodel = "o3"\n$/);
    const after = await readFile(config, 'utf8');
    // The user's own bytes, less the table and the selector; the tool's table joins its family.
    const own = after.replace(/\[model_providers\.glm-litellm\]\n[\s\S]*?\n\n(?=\[)/, '');
    expect(own.length).toBeLessThan(after.length);
    expect(own).toBe(text.replace('profile = "work"\n', '').replace('[profiles.work]\nmodel = "o3"\n\n', ''));
  });
});
