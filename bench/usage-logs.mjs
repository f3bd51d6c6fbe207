#!/usr/bin/env node
/**
 * `usage` on a year of Codex session logs: 365 day folders of rollouts in Codex's shape
 * (test/helpers/rollouts.ts: a 20 KB session_meta, turns with answers of a few KB, one big tool output
 * now and then), a third of them another provider's, in a temporary CODEX_HOME; the quota API is the
 * stand-in's, on loopback. Measured: `usage --json` (the default 7 days) against `node -e 0`, and the quota
 * call alone; `--days 365` for information. Run on its own (`node bench/usage-logs.mjs`) or from bench.mjs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/glm-codex-setup.js');
const KEY = 'zai-bench-usage.0123456789abcdef';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Runs the CLI; `cpuMs` is its own user+system time (written at exit by a preload): on a loaded machine the wall time mostly waits for a core. */
function run(args, env, preload) {
  return new Promise((done) => {
    const started = performance.now();
    const cpuFile = `${preload}.${Math.random().toString(16).slice(2)}`;
    const child = spawn(process.execPath, ['--import', preload, BIN, ...args], { env: { ...env, GLM_BENCH_CPU_FILE: cpuFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => {
      const ms = performance.now() - started;
      let cpuMs = Number.NaN;
      try {
        cpuMs = Number(readFileSync(cpuFile, 'utf8'));
      } catch {
        /* the process died before exit */
      }
      done({ status, stdout, stderr, ms, cpuMs });
    });
  });
}

/** A deterministic pseudo-random sequence, so every run writes the same year. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function writeYear(codexHome, writeRollout, now) {
  const next = random(18);
  let files = 0;
  let bytes = 0;
  for (let dayBack = 364; dayBack >= 0; dayBack--) {
    const sessions = 1 + Math.floor(next() * 6);
    for (let s = 0; s < sessions; s++) {
      const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - dayBack, 8 + Math.floor(next() * 12), Math.floor(next() * 60));
      if (start > now) continue;
      const turns = [];
      const count = 3 + Math.floor(next() * 30);
      for (let t = 0; t < count; t++) {
        turns.push({
          at: new Date(start.getTime() + t * 90_000),
          model: next() < 0.7 ? 'glm-5.2' : 'glm-5.3',
          input: 8_000 + Math.floor(next() * 60_000),
          cached: Math.floor(next() * 6_000),
          output: 200 + Math.floor(next() * 4_000),
          reasoning: Math.floor(next() * 1_000),
          textBytes: next() < 0.03 ? 400_000 : 500 + Math.floor(next() * 6_000),
        });
      }
      const path = writeRollout(codexHome, { id: `bench-${dayBack}-${s}`, provider: next() < 0.33 ? 'openai' : 'glm-zai', start, turns });
      // A file's time is its last write, as on a real machine (a resumed old session is newer).
      const last = turns.at(-1).at;
      utimesSync(path, last, last);
      files++;
      bytes += statSync(path).size;
    }
  }
  return { files, bytes };
}

export async function benchUsage({ runs = 7 } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'glm-bench-usage-'));
  const rows = [];
  try {
    const bundle = (entry, name) => build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', outfile: join(work, name), logLevel: 'error' });
    await bundle('test/fake-zai/server.ts', 'fake.mjs');
    await bundle('test/helpers/rollouts.ts', 'rollouts.mjs');
    const preload = join(work, 'cpu-preload.mjs');
    writeFileSync(preload, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.GLM_BENCH_CPU_FILE, String((u.user + u.system) / 1000)); });\n");
    const { startFakeZai } = await import(join(work, 'fake.mjs'));
    const { writeRollout } = await import(join(work, 'rollouts.mjs'));
    const fake = await startFakeZai({ apiKey: KEY });
    try {
      const home = join(work, 'home');
      const env = { PATH: process.env.PATH, HOME: home, CODEX_HOME: join(home, '.codex'), GLM_CODEX_HOME: join(home, '.glm-codex'), NO_COLOR: '1', GLM_CODEX_AUTH: 'env' };
      const setup = await run(['--non-interactive', '--no-start', '--no-shell-rc', '--mode', 'direct', '--endpoint', fake.responsesBase], { ...env, ZAI_API_KEY: KEY }, preload);
      if (setup.status !== 0) throw new Error(`setup failed: ${setup.stderr.slice(-1000)}`);
      const generated = performance.now();
      const year = writeYear(env.CODEX_HOME, writeRollout, new Date());
      const genMs = performance.now() - generated;

      const nodeRuns = [];
      for (let i = 0; i < runs; i++) nodeRuns.push(await new Promise((done) => {
        const started = performance.now();
        const cpuFile = `${preload}.node${i}`;
        spawn(process.execPath, ['--import', preload, '-e', '0'], { env: { ...env, GLM_BENCH_CPU_FILE: cpuFile }, stdio: 'ignore' }).on('exit', () => done({ ms: performance.now() - started, cpuMs: Number(readFileSync(cpuFile, 'utf8')) }));
      }));
      const node = { ms: median(nodeRuns.map((r) => r.ms)), cpuMs: median(nodeRuns.map((r) => r.cpuMs)) };
      const times = async (args) => {
        const values = [];
        let last;
        for (let i = 0; i < runs; i++) {
          last = await run(args, env, preload);
          if (last.status !== 0) throw new Error(`usage failed: ${last.stderr.slice(-1000)}`);
          values.push(last);
        }
        return { ms: median(values.map((v) => v.ms)), cpuMs: median(values.map((v) => v.cpuMs)), json: JSON.parse(last.stdout) };
      };
      const week = await times(['usage', '--json']);
      const quotaMs = median(await Promise.all(Array.from({ length: runs }, async () => {
        const started = performance.now();
        const response = await fetch(`${fake.origin}/api/monitor/usage/quota/limit`, { headers: { authorization: KEY } });
        await response.text();
        return performance.now() - started;
      })));
      if (!week.json.quota) throw new Error('usage got no quota from the stand-in');
      const all = await times(['usage', '--json', '--days', '365']);
      const data = `a year: ${year.files} rollout files, ${(year.bytes / 2 ** 20).toFixed(0)} MB (written in ${fmt(genMs)})`;
      const figures = (r) => `${fmt(r.ms)} wall, ${fmt(r.cpuMs)} CPU`;
      rows.push({ what: 'usage (7 days) on a year of logs', value: `${figures(week)} (${week.json.tokens.total.sessions} sessions; quota call alone ${fmt(quotaMs)})`, baseline: `node -e 0: ${figures(node)}; ${data}`, target: '< 1 s plus the quota call' });
      rows.push({ what: 'usage --days 365', value: `${figures(all)} (${all.json.tokens.total.sessions} sessions)`, baseline: 'the whole year read', target: 'information' });
    } finally {
      await fake.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchUsage()) console.log(`${r.what.padEnd(34)} ${r.value.padEnd(48)} ${r.baseline}  [${r.target}]`);
}
