/** start, stop, status, logs: the proxy on its own, from the files setup wrote. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseManifest } from '../config/manifest.js';
import { storedMode } from '../modes/index.js';
import { parseSecrets } from '../config/secrets.js';
import { bridgeYaml11Problems } from '../config/bridge-yaml11.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readTextIfExists } from '../fs/read.js';
import { DEFAULT_PORT } from '../options.js';
import type { Paths } from '../paths.js';
import { chooseLiteLLM, detectLiteLLM } from '../runtime/litellm.js';
import { findPython } from '../runtime/python.js';
import { ensureProxyRunning, stopProxies } from '../runtime/runtime.js';
import { logTail, proxyProcessState, sleep } from '../runtime/proxy.js';
import type { Context } from '../context.js';
import { cli } from '../invocation.js';
import { tildify } from '../paths.js';

async function requireSetup(paths: Paths) {
  const manifest = parseManifest(await readTextIfExists(paths.manifest));
  const mode = storedMode({ manifest });
  if (mode && !mode.localRuntime) {
    throw new UserError('no-proxy-in-mode', `This setup (${mode.id} mode) reaches GLM ${mode.title}: it runs no proxy on this machine, so there is nothing to start.`, {
      exitCode: ExitCode.usage,
      fix: `Run \`codex --profile glm\` as it is; for the local proxy instead, run ${cli('--mode local')}.`,
    });
  }
  const bridge = await readTextIfExists(paths.bridgeConfig);
  const { secrets } = parseSecrets((await readTextIfExists(paths.secrets)) ?? '');
  if (!bridge || !secrets.LITELLM_MASTER_KEY) {
    throw new UserError('not-set-up', `No setup found in ${paths.stateDir}.`, { exitCode: ExitCode.usage, fix: `Run ${cli()} first.` });
  }
  return { manifest, secrets, bridge };
}

/**
 * Before anything is stopped: a glm-bridge.yaml LiteLLM cannot load would turn a serving proxy into
 * none. Read as LiteLLM reads it (PyYAML, with the Python of the LiteLLM that would run it).
 */
async function requireLoadableBridge(paths: Paths, bridge: string, models: string[], python: string): Promise<void> {
  const problems: string[] = [];
  for (const model of models.length > 0 ? models : [undefined]) problems.push(...(await bridgeYaml11Problems(bridge, model, python)));
  if (problems.length === 0) return;
  const running = await proxyProcessState(paths, { adopt: false });
  const left = running.kind === 'running' ? `The proxy was left running (pid ${running.record.pid}, still serving the configuration it started with).` : 'Nothing was started.';
  throw new UserError('bridge-unloadable', `${tildify(paths.bridgeConfig)} is broken: ${[...new Set(problems)].join('; ')}. ${left}`, {
    exitCode: ExitCode.config,
    fix: `Re-run ${cli()}: it backs up the broken file and writes it anew (your valid edits are kept), then restarts the proxy.`,
  });
}

export async function runStart(ctx: Context): Promise<number> {
  const { options, paths } = ctx;
  const { manifest, secrets, bridge } = await requireSetup(paths);
  for (const value of Object.values(secrets)) ctx.addSecret(value);
  const python = await findPython(options.python ?? manifest.litellmPython).catch(() => null);
  const litellm = chooseLiteLLM(await detectLiteLLM(paths.venv, python));
  if (!litellm) {
    throw new UserError('litellm-missing', 'No LiteLLM that bridges is installed.', { exitCode: ExitCode.prerequisite, fix: `Run ${cli()} to install it.` });
  }
  await requireLoadableBridge(paths, bridge, manifest.models ?? (manifest.model ? [manifest.model] : []), litellm.python);
  const port = options.given.port ?? manifest.port ?? DEFAULT_PORT;
  const proxy = await ensureProxyRunning({ paths, litellm, port, out: ctx.out });
  await (await import('../runtime/supervisor.js')).ensureSupervisor(paths);
  if (proxy.action === 'reused') ctx.out.success(`Proxy already running (pid ${proxy.pid}, port ${port})`);
  ctx.out.result({ ok: true, command: 'start', proxy });
  return ExitCode.ok;
}

export async function runStop(ctx: Context): Promise<number> {
  const { paths } = ctx;
  const { stopped, stale } = await stopProxies(paths);
  for (const pid of stopped) ctx.out.success(`Stopped the proxy (pid ${pid})`);
  if (stale) ctx.out.info(`The proxy was not running; removed its stale pid file (pid ${stale.pid}).`);
  else if (stopped.length === 0) ctx.out.info('The proxy is not running.');
  ctx.out.result({ ok: true, command: 'stop', stopped: stopped[0] ?? null, stoppedAll: stopped });
  return ExitCode.ok;
}

export async function runStatus(ctx: Context): Promise<number> {
  const { options, paths } = ctx;
  // The windows are asked while the proxy is looked at (their own 5 s deadline).
  const [state, spend] = await Promise.all([proxyProcessState(paths, { adopt: false }), import('./spend-summary.js').then((m) => m.spendSummary(ctx))]);
  if (state.kind === 'running') {
    ctx.out.success(
      state.adopted
        ? `Proxy running: pid ${state.record.pid}, http://127.0.0.1:${state.record.port}, without a pid file (left by an interrupted run; \`${cli('start')}\` takes it over)`
        : `Proxy running: pid ${state.record.pid}, http://127.0.0.1:${state.record.port}, since ${state.record.startedAt}`,
    );
  } else if (state.kind === 'stale') {
    ctx.out.warn(`Proxy not running (stale pid file for pid ${state.record.pid}). Start it with: ${cli('start')}`);
  } else {
    ctx.out.info(`Proxy not running. Start it with: ${cli('start')}`);
  }
  if (spend.line) ctx.out.info(spend.line);
  ctx.out.result({
    ok: state.kind === 'running',
    command: 'status',
    running: state.kind === 'running',
    pid: state.kind === 'running' ? state.record.pid : null,
    port: state.kind === 'none' ? null : state.record.port,
    startedAt: state.kind === 'running' ? state.record.startedAt : null,
    log: paths.logFile,
    ...spend.data,
  });
  return state.kind === 'running' ? ExitCode.ok : ExitCode.unhealthy;
}

const LOG_LINES = 50;

export async function runLogs(ctx: Context): Promise<number> {
  const { options, paths } = ctx;
  const { secrets } = parseSecrets((await readTextIfExists(paths.secrets)) ?? '');
  for (const value of Object.values(secrets)) ctx.addSecret(value);
  const tail = await logTail(paths.logFile, LOG_LINES);
  // The header goes to stderr: stdout stays the log's own lines, ready for a pipe.
  process.stderr.write(`${tail.length === 0 ? `No log yet at ${tildify(paths.logFile)}` : `Last ${tail.length} lines of ${tildify(paths.logFile)}`}${options.follow ? ' (following; Ctrl-C stops)' : ''}:\n`);
  for (const line of tail) ctx.out.info(line);
  if (!options.follow) return ExitCode.ok;
  (await import('../interrupt.js')).endQuietlyOnInterrupt();
  let offset = await stat(paths.logFile).then((s) => s.size, () => 0);
  for (;;) {
    await sleep(500);
    const size = await stat(paths.logFile).then((s) => s.size, () => 0);
    if (size < offset) offset = 0;
    if (size > offset) {
      const chunk = await new Promise<string>((resolve, reject) => {
        let data = '';
        createReadStream(paths.logFile, { start: offset, end: size - 1, encoding: 'utf8' })
          .on('data', (part) => (data += part))
          .on('end', () => resolve(data))
          .on('error', reject);
      });
      ctx.out.raw(chunk);
      offset = size;
    }
  }
}
