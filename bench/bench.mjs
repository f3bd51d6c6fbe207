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
 * Needs a LiteLLM venv (GLM_TEST_LITELLM_LATEST, as `npm test` prepares) and the fake Z.ai from test/.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/glm-codex-setup.js');
const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 15;
const venv = process.env.GLM_TEST_LITELLM_LATEST ?? join(process.env.HOME ?? '', '.cache/glm-codex-setup-test/litellm-1.108.7');
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
  const port = 45900 + Math.floor(Math.random() * 80);
  const env = {
    ...process.env,
    HOME: home,
    CODEX_HOME: join(home, '.codex'),
    GLM_CODEX_HOME: join(home, '.glm-codex'),
    ZAI_API_KEY: key,
    PATH: `${join(venv, 'bin')}:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    NO_COLOR: '1',
  };
  const cli = (args) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const setupArgs = ['--non-interactive', '--json', '--endpoint', fake.codingBase, '--port', String(port)];
  try {
    // Fresh setup, LiteLLM already present: everything the tool itself adds, proxy start included.
    const started = performance.now();
    const first = cli(setupArgs);
    const freshMs = performance.now() - started;
    if (first.status !== 0) throw new Error(`setup failed: ${first.stderr.slice(-2000)}`);
    const firstJson = JSON.parse(first.stdout);
    row('fresh setup (LiteLLM present)', fmt(freshMs), `of which LiteLLM start ${fmt(firstJson.proxy.readyMs)}; ${fmt(freshMs - firstJson.proxy.readyMs)} is the tool, validation and codex exec`, '<= 10 s (uv) / 20 s (pip) beyond the install');

    // Healthy re-run.
    const rerun = median(Array.from({ length: quick ? 2 : 7 }, () => timeCommand(process.execPath, [BIN, ...setupArgs], { env })));
    row('healthy re-run', fmt(rerun), 'proxy reused, validation + codex exec included', '<= 1.5 s');

    // Readiness: a tight poller sees LiteLLM's own first 200; `start` reports when it saw it.
    const readiness = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      cli(['stop']);
      const t0 = performance.now();
      let firstOk = null;
      let done = false;
      const poll = (async () => {
        while (!done && firstOk === null) {
          try {
            const response = await fetch(`http://127.0.0.1:${port}/health/readiness`);
            if (response.status === 200) firstOk = performance.now() - t0;
          } catch {
            /* not up yet */
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const child = spawn(process.execPath, [BIN, 'start', '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exitedAt = await new Promise((r) => child.on('exit', () => r(performance.now())));
      done = true;
      await poll;
      const reported = JSON.parse(out).proxy.readyMs;
      // From LiteLLM's first 200 to our `start` having exited: detection, plus printing and exiting.
      const detection = firstOk === null ? Number.NaN : exitedAt - (t0 + firstOk);
      readiness.push({ litellm: reported - detection, detection });
    }
    row('proxy start (LiteLLM itself)', fmt(median(readiness.map((r) => r.litellm))), 'spawn to its first 200 on /health/readiness', "LiteLLM's own");
    row('readiness detection delay', fmt(median(readiness.map((r) => r.detection))), 'LiteLLM ready (5 ms poller) to `start` exited', '<= 150 ms');

    // Latency the proxy adds.
    const secrets = readFileSync(join(home, '.glm-codex', 'secrets.env'), 'utf8');
    const master = /LITELLM_MASTER_KEY=(\S+)/.exec(secrets)[1];
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
  } finally {
    cli(['stop']);
    await fake.close();
  }
}

for (const dir of temps) rmSync(dir, { recursive: true, force: true });
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
console.log(`\nglm-codex-setup benchmark${quick ? ' (quick)' : ''}: ${machine}, median of ${runs} for start-up\n`);
const widths = ['what', 'value', 'baseline', 'target'].map((key) => Math.max(key.length, ...rows.map((r) => String(r[key]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(['what', 'value', 'baseline', 'target']));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line([r.what, r.value, r.baseline, r.target]));
