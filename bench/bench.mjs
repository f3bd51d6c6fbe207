#!/usr/bin/env node
/**
 * The benchmark (`npm run bench`, `npm run bench -- --quick` in CI). Each figure is measured against
 * its baseline in the same run, as a median of several runs, and printed as a table:
 *   start-up           `--version` / `--help` vs `node -e 0`
 *   package            `npm pack` then `npm install` of the tarball in an empty folder: size, packages
 *   proxy readiness    LiteLLM's own first 200 on /health/readiness vs when `start` reported ready
 *   proxy latency      /v1/responses through the proxy vs chat/completions straight to the upstream
 *   healthy re-run     `glm-codex-setup --non-interactive` on a machine that is already set up
 *   fresh setup        a clean HOME to a validated setup, LiteLLM already installed (its download excluded)
 *   LiteLLM import     `import litellm.proxy.proxy_server` alone, local cost map (what the tool sets) and remote
 *   fresh machine      new HOME, no uv, no cache, non-interactive local mode against the fake Z.ai: total and
 *                      its split (uv fetch, venv, install, proxy start, validation, Codex check); full mode only
 *                      (or --quick --fresh-machine)
 *   large config.toml  1, 4 and 10 MB of the user's own tables, and 100,000 one-line tables: time and peak
 *                      RSS of doctor before any setup, a fresh `--no-start` setup, a no-op re-run, doctor and uninstall, Codex on PATH
 *                      (bench/large-config.mjs)
 *   usage              `usage` on a year of Codex session logs, wall and CPU time (bench/usage-logs.mjs)
 * Needs a LiteLLM venv (GLM_TEST_LITELLM_LATEST, as `npm test` prepares) and the fake Z.ai from test/.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { benchLargeConfig } from './large-config.mjs';
import { benchUsage } from './usage-logs.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/glm-codex-setup.js');
const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 15;
// The tested release is named once, in the source; scripts/test.sh prepares its venv under this name.
const tested = /^export const TESTED_LITELLM = '([0-9.]+)';$/m.exec(readFileSync(join(ROOT, 'src/runtime/litellm-versions.ts'), 'utf8'))[1];
const venv = process.env.GLM_TEST_LITELLM_LATEST ?? join(process.env.HOME ?? '', `.cache/glm-codex-setup-test/litellm-${tested}`);
const rows = [];
const temps = [];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const temp = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
function timeCommand(file, args, options = {}) {
  const started = performance.now();
  const result = spawnSync(file, args, { stdio: 'ignore', ...options });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}
/** Async, so the fake upstream running in this process keeps answering while the CLI runs. */
function runAsync(file, args, options = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}
async function medianAsync(count, fn) {
  const values = [];
  for (let i = 0; i < count; i++) values.push(await fn());
  return median(values);
}
function row(what, value, baseline, target) {
  rows.push({ what, value, baseline, target });
}

// ---------------------------------------------------------------- start-up
spawnSync(process.execPath, [BIN, '--version']); // warm the file cache
const nodeBaseline = median(Array.from({ length: runs }, () => timeCommand(process.execPath, ['-e', '0'])));
for (const flag of ['--version', '--help']) {
  const ms = median(Array.from({ length: runs }, () => timeCommand(process.execPath, [BIN, flag])));
  row(`${flag}`, `${fmt(ms)} (${(ms / nodeBaseline).toFixed(2)}x)`, `node -e 0: ${fmt(nodeBaseline)}`, '<= 1.5x');
}

// ---------------------------------------------------------------- package
{
  const packDir = temp('glm-bench-pack-');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz')));
  const installDir = temp('glm-bench-install-');
  execFileSync('npm', ['init', '-y'], { cwd: installDir, stdio: 'ignore' });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], { cwd: installDir, stdio: 'ignore' });
  const lock = JSON.parse(readFileSync(join(installDir, 'package-lock.json'), 'utf8'));
  const packages = Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/')).length;
  const du = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? du(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
  const bytes = du(join(installDir, 'node_modules'));
  row('installed package', `${(bytes / 1024 / 1024).toFixed(2)} MB, ${packages} package(s)`, `tarball ${(statSync(tarball).size / 1024).toFixed(0)} kB`, '<= 1.5 MB, <= 3 packages');
  const version = spawnSync(join(installDir, 'node_modules/.bin/glm-codex-setup'), ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error('the installed package does not run');
}

// ---------------------------------------------------------------- with the proxy
if (!existsSync(join(venv, 'bin', 'litellm'))) {
  row('proxy figures', 'skipped', `no LiteLLM venv at ${venv}`, 'run `npm test` first');
} else {
  const fakeBundle = join(temp('glm-bench-fake-'), 'fake.mjs');
  await build({ entryPoints: [join(ROOT, 'test/fake-zai/server.ts')], bundle: true, platform: 'node', format: 'esm', outfile: fakeBundle, logLevel: 'error' });
  const { startFakeZai } = await import(fakeBundle);
  const key = 'zai-bench-key.0123456789';
  const fake = await startFakeZai({ apiKey: key });
  const home = temp('glm-bench-home-');
  const port = 28000 + Math.floor(Math.random() * 900);
  const env = {
    ...process.env,
    HOME: home,
    CODEX_HOME: join(home, '.codex'),
    GLM_CODEX_HOME: join(home, '.glm-codex'),
    ZAI_API_KEY: key,
    PATH: `${join(venv, 'bin')}:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    NO_COLOR: '1',
  };
  const cli = (args) => runAsync(process.execPath, [BIN, ...args], { env });
  const setupArgs = ['--non-interactive', '--json', '--endpoint', fake.codingBase, '--port', String(port)];
  try {
    // Fresh setup, LiteLLM already present: everything the tool itself adds, proxy start included.
    const first = await cli(setupArgs);
    const freshMs = first.ms;
    if (first.status !== 0) throw new Error(`setup failed: ${first.stderr.slice(-2000)}`);
    const firstJson = JSON.parse(first.stdout);
    row('fresh setup (LiteLLM present)', fmt(freshMs), `of which LiteLLM start ${fmt(firstJson.proxy.readyMs)}; ${fmt(freshMs - firstJson.proxy.readyMs)} is the tool, validation and codex exec`, '<= 10 s (uv) / 20 s (pip) beyond the install');

    // Healthy re-run.
    const rerun = await medianAsync(quick ? 2 : 7, async () => {
      const result = await cli(setupArgs);
      if (result.status !== 0) throw new Error(`re-run failed: ${result.stderr.slice(-1000)}`);
      return result.ms;
    });
    row('healthy re-run', fmt(rerun), 'proxy reused, validation + codex exec included', '<= 1.5 s');

    // Readiness: a tight poller (5 ms) sees LiteLLM's own first 200; `start` with GLM_CODEX_TRACE=1
    // prints the wall-clock moment it saw ready. Both clocks are Date.now() on this machine.
    const readiness = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      await cli(['stop']);
      let firstOkAt = null;
      let done = false;
      const poll = (async () => {
        while (!done && firstOkAt === null) {
          try {
            const response = await fetch(`http://127.0.0.1:${port}/health/readiness`);
            await response.text();
            if (response.status === 200) firstOkAt = Date.now();
          } catch {
            /* not up yet */
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const started = await runAsync(process.execPath, [BIN, 'start', '--json'], { env: { ...env, GLM_CODEX_TRACE: '1' } });
      const exitedAt = Date.now();
      done = true;
      await poll;
      const detectedAt = Number(/ready-detected (\d+)/.exec(started.stderr)?.[1] ?? Number.NaN);
      readiness.push({ litellm: JSON.parse(started.stdout).proxy.readyMs, detection: detectedAt - (firstOkAt ?? Number.NaN), exit: exitedAt - detectedAt });
    }
    row('proxy start (LiteLLM itself)', fmt(median(readiness.map((r) => r.litellm))), 'spawn to ready on /health/readiness', "LiteLLM's own");
    row('readiness detection delay', `${median(readiness.map((r) => r.detection)).toFixed(0)} ms`, "after LiteLLM's own first 200 (negative: we saw it first)", '<= 150 ms');
    row('then exiting `start`', fmt(median(readiness.map((r) => r.exit))), 'output flushed, process gone', 'information');

    // Latency the proxy adds.
    const secrets = readFileSync(join(home, '.glm-codex', 'secrets.env'), 'utf8');
    const master = /LITELLM_MASTER_KEY='?([^'\s]+)/.exec(secrets)[1];
    const timeFetch = async (url, headers, body) => {
      const t = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      await response.text();
      if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
      return performance.now() - t;
    };
    const through = [];
    const direct = [];
    for (let i = 0; i < (quick ? 3 : 20); i++) {
      through.push(await timeFetch(`http://127.0.0.1:${port}/v1/responses`, { authorization: `Bearer ${master}` }, { model: 'glm-5.2', input: 'Reply with OK' }));
      direct.push(await timeFetch(`${fake.codingBase}/chat/completions`, { authorization: `Bearer ${key}` }, { model: 'glm-5.2', messages: [{ role: 'user', content: 'Reply with OK' }] }));
    }
    row('validation round trip', `${fmt(median(through))} through the proxy`, `${fmt(median(direct))} straight to the upstream: +${fmt(median(through) - median(direct))} added`, 'information');

    // LiteLLM's start is mostly its imports: timed alone, with the cost map the tool asks for (local)
    // and with LiteLLM's default (a fetch from GitHub at import, retried three times when unreachable).
    const importMs = (extra, before = '') => {
      const started = performance.now();
      const result = spawnSync(join(venv, 'bin', 'python'), ['-c', `${before}import litellm.proxy.proxy_server`], { stdio: 'ignore', env: { ...process.env, ...extra } });
      if (result.status !== 0) throw new Error('import litellm.proxy.proxy_server failed');
      return performance.now() - started;
    };
    // The proxy runs with a larger first-generation GC threshold (src/runtime/proxy-launch.ts): the same
    // import with it, alternated with Python's default so the host's speed moves both alike.
    const threshold = /^export const PROXY_GC_THRESHOLD = ([\d_]+);$/m.exec(readFileSync(join(ROOT, 'src/runtime/proxy-launch.ts'), 'utf8'))?.[1]?.replace(/_/g, '');
    if (!threshold) throw new Error('cannot read PROXY_GC_THRESHOLD from src/runtime/proxy-launch.ts');
    const plain = [];
    const tuned = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      plain.push(importMs({ LITELLM_LOCAL_MODEL_COST_MAP: 'True' }));
      tuned.push(importMs({ LITELLM_LOCAL_MODEL_COST_MAP: 'True' }, `import gc; gc.set_threshold(${threshold}, 10, 10); `));
    }
    const local = median(plain);
    const python = timeCommand(join(venv, 'bin', 'python'), ['-c', 'pass']);
    row('LiteLLM import (proxy_server)', fmt(local), `python alone ${fmt(python)}; the rest of the start (config, router, uvicorn) is proxy start minus this`, "LiteLLM's own");
    row(`  with the proxy's GC threshold (${threshold})`, fmt(median(tuned)), `${Math.round((100 * (local - median(tuned))) / local)}% less than Python's default (700), alternated`, 'the tool sets it');
    if (!quick) {
      const remote = importMs({ LITELLM_LOCAL_MODEL_COST_MAP: '' });
      row('  with the remote cost map', fmt(remote), `+${fmt(remote - local)}: what LITELLM_LOCAL_MODEL_COST_MAP=True saves offline`, 'the tool sets it');
    }

    // A brand-new machine: new HOME, no uv on PATH, no uv or pip cache, LiteLLM not installed.
    if (!quick || process.argv.includes('--fresh-machine')) {
      const newHome = temp('glm-bench-new-');
      const newEnv = {
        HOME: newHome,
        CODEX_HOME: join(newHome, '.codex'),
        GLM_CODEX_HOME: join(newHome, '.glm-codex'),
        ZAI_API_KEY: key,
        PATH: `${join(ROOT, 'node_modules/.bin')}:/usr/bin:/bin`,
        NO_COLOR: '1',
        GLM_CODEX_TRACE: '1',
      };
      const newPort = port + 50;
      // The steps above wrote hundreds of MB (venvs, configs): flushed first, so their writeback does not land in this install's time.
      spawnSync('sync');
      const fresh = await runAsync(process.execPath, [BIN, '--non-interactive', '--json', '--endpoint', fake.codingBase, '--port', String(newPort)], { env: newEnv });
      await runAsync(process.execPath, [BIN, 'stop'], { env: newEnv });
      if (fresh.status !== 0) throw new Error(`fresh-machine setup failed: ${fresh.stderr.slice(-2000)}`);
      const json = JSON.parse(fresh.stdout);
      const step = (name) => Number(new RegExp(`^trace ${name} (\\d+)$`, 'm').exec(fresh.stderr)?.[1] ?? Number.NaN);
      const validation = json.validation.reduce((sum, v) => sum + v.roundTripMs, 0);
      const split = [
        `uv fetch ${fmt(step('uv-fetch'))}`,
        `venv ${fmt(step('venv'))}`,
        `install ${fmt(step('install'))}`,
        `proxy start ${fmt(json.proxy.readyMs)} (${Number.isNaN(step('compile-ahead-modules')) ? 'no compile-ahead' : `${step('compile-ahead-modules')} modules compiled ahead of it`})`,
        `validation ${fmt(validation)}`,
        `Codex check ${fmt(json.codexCheck?.durationMs ?? Number.NaN)}`,
      ];
      row('fresh machine to validated', fmt(fresh.ms), split.join(', '), '<= 20 s (quiet machine)');
    }
  } finally {
    await cli(['stop']);
    await fake.close();
  }
}

// ---------------------------------------------------------------- large config.toml
rows.push(...benchLargeConfig(quick ? [1] : [1, 4, 10], !quick, quick ? [] : [10]));

// ---------------------------------------------------------------- usage on a year of session logs
rows.push(...(await benchUsage({ runs: quick ? 3 : 7 })));

for (const dir of temps) rmSync(dir, { recursive: true, force: true });
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
console.log(`\nglm-codex-setup benchmark${quick ? ' (quick)' : ''}: ${machine}, median of ${runs} for start-up\n`);
const widths = ['what', 'value', 'baseline', 'target'].map((key) => Math.max(key.length, ...rows.map((r) => String(r[key]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(['what', 'value', 'baseline', 'target']));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line([r.what, r.value, r.baseline, r.target]));
