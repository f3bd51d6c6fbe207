#!/usr/bin/env node
/**
 * Time and peak memory (max RSS of the CLI process itself, not of the Codex it runs) with a large
 * config.toml: 1, 4 and 10 MB of a user's own tables, and 100,000 one-line tables. For each: a fresh
 * `--non-interactive --no-start` setup, a no-op re-run, `doctor` and `uninstall`, with Codex on PATH
 * (and `doctor` once before the setup: the user's file alone, legacy profiles unmigrated).
 * Targets: each command at most 5x doctor's time and under 400 MB. Run on its own
 * (`node bench/large-config.mjs [MB...]`) or from bench.mjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/glm-codex-setup.js');

/** A user's config.toml of about `bytes`: trusted projects, MCP servers, comments, the usual mix. */
export function largeConfig(bytes) {
  const parts = ['# my codex config\nmodel = "gpt-5"\napproval_policy = "on-request"\n\n'];
  let size = parts[0].length;
  for (let i = 0; size < bytes; i++) {
    const block =
      i % 5 === 0
        ? `# server ${i}\n[mcp_servers.server_${i}]\ncommand = "npx"\nargs = ["-y", "@example/mcp-${i}", "--flag", "value ${i}"]\nenv = { TOKEN_NAME = "T${i}", LEVEL = ${i} }\n\n`
        : `[projects."/home/user/src/project-${i}"]\ntrust_level = "trusted"\n\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

function measure(args, env) {
  const rssFile = join(env.HOME, `rss-${Math.random().toString(16).slice(2)}`);
  const preload = join(env.HOME, 'rss-preload.mjs');
  writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', preload, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  const rssKb = Number(readFileSync(rssFile, 'utf8'));
  return { ms, rssMb: rssKb / 1024, status: result.status, stderr: String(result.stderr) };
}

/** 100,000 one-line tables (`[table_000001]`): the most headers per byte. */
export function oneLineTables(count) {
  const parts = ['model = "gpt-5"\n\n'];
  for (let i = 0; i < count; i++) parts.push(`[table_${String(i).padStart(6, '0')}]\n`);
  return parts.join('');
}

/** Codex on PATH, as a user has it: the tool then checks the catalog with it and reads its version. */
const CODEX_BIN = join(ROOT, 'node_modules/codex-newest/bin/codex.js');

/** The same file with the user's legacy profiles (`profile = "work"`, a `[profiles.work]` table in the middle). */
export function withLegacyProfiles(text) {
  const middle = text.indexOf('\n[', text.length >> 1) + 1;
  return `profile = "work"\n${text.slice(0, middle)}[profiles.work]\nmodel = "o3"\n\n${text.slice(middle)}`;
}

export function benchLargeConfig(sizesMb = [1, 4, 10], withOneLineTables = true, withProfilesMb = [10]) {
  const rows = [];
  const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  const cases = sizesMb.map((mb) => [`${mb} MB config.toml`, () => largeConfig(mb * 1024 * 1024)]);
  for (const mb of withProfilesMb) cases.push([`${mb} MB with [profiles.work]`, () => withLegacyProfiles(largeConfig(mb * 1024 * 1024))]);
  if (withOneLineTables) cases.push(['100,000 one-line tables', () => oneLineTables(100_000)]);
  for (const [name, make] of cases) {
    const home = mkdtempSync(join(tmpdir(), 'glm-bench-large-'));
    try {
      mkdirSync(join(home, '.codex'));
      mkdirSync(join(home, 'bin'));
      symlinkSync(CODEX_BIN, join(home, 'bin', 'codex'));
      writeFileSync(join(home, '.codex', 'config.toml'), make());
      const env = { PATH: `${join(home, 'bin')}:${process.env.PATH}`, HOME: home, CODEX_HOME: join(home, '.codex'), GLM_CODEX_HOME: join(home, '.glm-codex'), ZAI_API_KEY: 'zai-bench-key.0123456789', NO_COLOR: '1' };
      const args = ['--non-interactive', '--no-start', '--no-shell-rc', '--endpoint', 'general', '--port', '28999'];
      const runs = { 'doctor before setup': measure(['doctor'], env), 'fresh setup': measure(args, env), 'no-op re-run': measure(args, env), doctor: measure(['doctor'], env), uninstall: measure(['uninstall', '--non-interactive'], env) };
      for (const [what, r] of Object.entries(runs)) {
        if (!what.startsWith('doctor') && r.status !== 0) throw new Error(`${what} with ${name} exited ${r.status}: ${r.stderr.slice(-1000)}`);
        const ratio = what.startsWith('doctor') ? `exit ${r.status} (no proxy)` : `${(r.ms / runs.doctor.ms).toFixed(1)}x doctor`;
        rows.push({ what: `${name}: ${what}`, value: `${fmt(r.ms)}, ${r.rssMb.toFixed(0)} MB RSS`, baseline: ratio, target: '<= 5x doctor, < 400 MB' });
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  // `node bench/large-config.mjs 10 --profiles`: the given sizes, each also with legacy profiles (no one-line tables).
  const profiles = process.argv.includes('--profiles');
  const rows = sizes.length ? benchLargeConfig(sizes, !profiles, profiles ? sizes : []) : benchLargeConfig();
  for (const r of rows) console.log(`${r.what.padEnd(44)} ${r.value.padEnd(24)} ${r.baseline}`);
}
