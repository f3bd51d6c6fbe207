#!/usr/bin/env node
/**
 * Time and peak memory (max RSS of the CLI process) with a large config.toml: 1, 4 and 10 MB of a
 * user's own tables. For each size: a fresh `--non-interactive --no-start` setup, a no-op re-run,
 * and `doctor`. Run on its own (`node bench/large-config.mjs [MB...]`) or from bench.mjs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

export function benchLargeConfig(sizesMb = [1, 4, 10]) {
  const rows = [];
  const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  for (const mb of sizesMb) {
    const home = mkdtempSync(join(tmpdir(), 'glm-bench-large-'));
    try {
      mkdirSync(join(home, '.codex'));
      writeFileSync(join(home, '.codex', 'config.toml'), largeConfig(mb * 1024 * 1024));
      const env = { PATH: process.env.PATH, HOME: home, CODEX_HOME: join(home, '.codex'), GLM_CODEX_HOME: join(home, '.glm-codex'), ZAI_API_KEY: 'zai-bench-key.0123456789', NO_COLOR: '1' };
      const args = ['--non-interactive', '--no-start', '--no-shell-rc', '--endpoint', 'general', '--port', '28999'];
      const runs = { 'fresh setup': measure(args, env), 'no-op re-run': measure(args, env), doctor: measure(['doctor'], env) };
      for (const [what, r] of Object.entries(runs)) {
        if (what !== 'doctor' && r.status !== 0) throw new Error(`${what} with ${mb} MB exited ${r.status}: ${r.stderr.slice(-1000)}`);
        rows.push({ what: `${mb} MB config.toml: ${what}`, value: `${fmt(r.ms)}, ${r.rssMb.toFixed(0)} MB RSS`, baseline: what === 'doctor' ? `exit ${r.status} (no proxy)` : '--no-start', target: 'linear in the size' });
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const r of benchLargeConfig(sizes.length ? sizes : undefined)) console.log(`${r.what.padEnd(36)} ${r.value.padEnd(24)} ${r.baseline}`);
}
