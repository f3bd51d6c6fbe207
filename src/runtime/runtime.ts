/**
 * The local proxy's runtime: which LiteLLM serves (found before anything is written), the port
 * (checked before anything is written), and running the proxy (reuse, restart or start).
 */
import { parseSecrets } from '../config/secrets.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readTextIfExists } from '../fs/read.js';
import type { Manifest } from '../config/manifest.js';
import type { Paths } from '../paths.js';
import type { Output } from '../ui/output.js';
import type { Prompts } from '../ui/prompts.js';
import { waitForReady } from '../verify/validate.js';
import { chooseLiteLLM, detectLiteLLM, detectVenvLiteLLM, type LiteLLMInstall } from './litellm.js';
import { TESTED_LITELLM } from './litellm-versions.js';
import { stopFailureResponder } from './failure-responder.js';
import { findFreePort, findPortHolder, isPortFree } from './ports.js';
import { foreignPortHolder, foreignProgramError } from './port-owner.js';
import { printableCommand } from '../process/info.js';
import { withProxyLock } from '../fs/run-locks.js';
import { startCompileAhead } from './compile-ahead.js';
import { configHash, findOwnProxies, logTail, proxyProcessState, startProxy, stopOwnProxies, stopProxy, type PidRecord } from './proxy.js';
import { findPython, type PythonInstall } from './python.js';
import { isProcessAlive } from '../system.js';
import { cli } from '../invocation.js';
import { traceCount } from '../trace.js';

export interface RuntimePlan {
  chosen: LiteLLMInstall | null;
  /** The Python to install with, found before anything is written (only when an install is needed). */
  python: PythonInstall | null;
  found: LiteLLMInstall[];
  /** No LiteLLM that bridges, and this run installs one (never with --no-start). */
  needsInstall: boolean;
  /** The release an install would bring: --litellm-version, else the tested one. */
  version: string;
  warnings: string[];
}

export interface ProxyReport {
  pid: number;
  port: number;
  action: 'reused' | 'started' | 'restarted';
  readyMs: number | null;
  litellmVersion: string;
}

export const READY_TIMEOUT_MS = 180_000;

export function compromisedWarning(install: LiteLLMInstall): string {
  return (
    `SECURITY: LiteLLM ${install.version} (${install.source}: ${install.python}) is a compromised release that shipped a credential stealer ` +
    '(LiteLLM issue #24512, OSV MAL-2026-2144). glm-codex-setup will not run it. Uninstall it (pip uninstall litellm), ' +
    'rotate the API keys and cloud credentials this machine holds, and check for an unknown litellm_init.pth in site-packages.'
  );
}

/** The command-line choices that decide which LiteLLM serves (a slice of Options). */
export interface RuntimeChoices {
  start: boolean;
  dryRun: boolean;
  python?: string | undefined;
  litellmVersion?: string | undefined;
}

/** Which LiteLLM will serve: one that bridges, or an install is needed. Python is found before anything is written. */
export async function prepareRuntime(options: RuntimeChoices, state: { paths: Paths; manifest: Manifest }): Promise<RuntimePlan> {
  const venv = state.paths.venv;
  let found: LiteLLMInstall[];
  let python: PythonInstall | null = null;
  if (options.start) {
    python = await findPython(options.python ?? state.manifest.litellmPython).catch(() => null);
    found = await detectLiteLLM(venv, python);
  } else {
    found = [await detectVenvLiteLLM(venv)].filter((f): f is LiteLLMInstall => f !== null);
  }
  const warnings = found.filter((f) => f.verdict.kind === 'compromised').map(compromisedWarning);
  // --litellm-version: only that release will do; any other is replaced.
  const chosen = chooseLiteLLM(options.litellmVersion ? found.filter((f) => f.version === options.litellmVersion) : found);
  // Missing Python is reported before anything is written.
  if (options.start && !options.dryRun && chosen === null) python = await findPython(options.python);
  return { chosen, python, found, needsInstall: chosen === null && options.start, version: options.litellmVersion ?? TESTED_LITELLM, warnings };
}

/** Picks the proxy port before anything is written, so `base_url` names the port really used. */
export async function choosePort(requested: number, paths: Paths, ask: Prompts | null): Promise<number> {
  const current = await proxyProcessState(paths, { adopt: false });
  if (current.kind === 'running' && current.record.port === requested) return requested;
  if (await isPortFree(requested)) return requested;
  // The short-lived stand-in a failed auth command left there is ours: end it, as `start` does.
  if ((await stopFailureResponder(requested)) && (await isPortFree(requested))) return requested;
  const holder = await findPortHolder(requested);
  const who = holder?.pid ? `${printableCommand(holder.command)} (pid ${holder.pid})` : 'another program';
  const free = await findFreePort(requested + 1);
  if (ask && (await ask.confirm(`Port ${requested} is taken by ${who}. Use port ${free} for the proxy instead?`, true))) return free;
  throw new UserError('port-busy', `Port ${requested} on 127.0.0.1 is in use by ${who}; LiteLLM would silently move to a random port.`, {
    exitCode: ExitCode.proxy,
    fix: `Stop that program, or choose another port: --port ${free}`,
  });
}

/**
 * Starts the proxy unless ours already runs the same config on the same port. Call it through
 * ensureProxyRunning (under the proxy lock): what it sees must not change while it decides.
 */
export async function ensureProxy(input: {
  paths: Paths;
  litellm: LiteLLMInstall;
  port: number;
  out: Output;
}): Promise<ProxyReport> {
  const { paths, litellm, port, out } = input;
  const bridgeText = (await readTextIfExists(paths.bridgeConfig)) ?? '';
  const { secrets } = parseSecrets((await readTextIfExists(paths.secrets)) ?? '');
  const hash = configHash(bridgeText, secrets, litellm.launcher);
  const current = await proxyProcessState(paths);
  let action: ProxyReport['action'] = 'started';
  if (current.kind === 'running') {
    if (!current.adopted && current.record.port === port && current.record.configHash === hash) {
      try {
        await waitForReady(port, { timeoutMs: 5000 });
        // Any other proxy of ours (an orphan on another port) still holds the keys: end it.
        for (const other of await findOwnProxies(paths)) if (other.pid !== current.record.pid) await stopProxy(paths, other);
        return { pid: current.record.pid, port, action: 'reused', readyMs: null, litellmVersion: litellm.version };
      } catch {
        /* alive but not answering: restart it */
      }
    }
    const why = current.adopted
      ? 'it was running without a pid file (left by an interrupted run), so its configuration is unknown'
      : current.record.port !== port
        ? `port ${current.record.port} -> ${port}`
        : 'its configuration changed';
    out.step(`Restarting the proxy (pid ${current.record.pid}): ${why}`);
    action = 'restarted';
  }
  // Ends the recorded proxy, every orphan of ours, and forgets a stale pid file (never signalling it).
  await stopOwnProxies(paths);
  // A failed auth command leaves a short-lived stand-in on the port that explains the failure to Codex.
  await stopFailureResponder(port);
  if (!(await isPortFree(port))) {
    const foreign = await foreignPortHolder(port);
    if (foreign) throw await foreignProgramError(port, foreign);
    const holder = await findPortHolder(port);
    throw new UserError('port-busy', `Port ${port} on 127.0.0.1 is in use by ${holder?.pid ? printableCommand(holder.command) : 'another program'}${holder?.pid ? ` (pid ${holder.pid})` : ''}.`, {
      exitCode: ExitCode.proxy,
      fix: `Stop that program, or run ${cli(`--port ${await findFreePort(port + 1)}`)}`,
    });
  }
  const record: PidRecord = await startProxy({ paths, launcher: litellm.launcher, port, secrets, hash });
  const compiling = startCompileAhead(litellm.launcher, paths.venv, READY_TIMEOUT_MS);
  let readyMs: number;
  try {
    readyMs = await out.task(
      `Starting the LiteLLM proxy on 127.0.0.1:${port}`,
      () => waitForReady(port, { timeoutMs: READY_TIMEOUT_MS, isAlive: () => isProcessAlive(record.pid) }),
      (ms) => `Proxy ready on 127.0.0.1:${port} in ${(ms / 1000).toFixed(1)} s (pid ${record.pid})`,
      true,
    );
  } catch (error) {
    await compiling?.stop();
    const tail = await logTail(paths.logFile, 15);
    await stopProxy(paths, record, 3000);
    if (tail.some((line) => /address already in use|error while attempting to bind/i.test(line))) {
      throw new UserError('port-busy', `Port ${port} on 127.0.0.1 was taken by another program while the proxy started.`, {
        exitCode: ExitCode.proxy,
        fix: `Run ${cli()} again, or choose another port: --port ${await findFreePort(port + 1)}`,
      });
    }
    throw new UserError('proxy-not-ready', `The proxy did not become ready: ${(error as Error).message}. Last lines of ${paths.logFile}:\n${tail.join('\n')}`, {
      exitCode: ExitCode.proxy,
      fix: `Read the log above; \`${cli('doctor')}\` checks the usual causes.`,
    });
  }
  const compiled = await compiling?.stop();
  if (compiled != null) traceCount('compile-ahead-modules', compiled);
  return { pid: record.pid, port, action, readyMs: Math.round(readyMs), litellmVersion: litellm.version };
}

/** Long enough for a holder that is starting a proxy (READY_TIMEOUT_MS) to finish. */
export const PROXY_LOCK_WAIT_MS = READY_TIMEOUT_MS + 60_000;

/**
 * The one way to bring the proxy up, for setup, `start` and an on-demand start: take the proxy lock,
 * look again (a concurrent starter may have started it meanwhile: then it is reused), start, wait
 * until ready, release.
 */
export async function ensureProxyRunning(input: { paths: Paths; litellm: LiteLLMInstall; port: number; out: Output; waitMs?: number }): Promise<ProxyReport> {
  return withProxyLock(input.paths, `starting the proxy on port ${input.port}`, input.waitMs ?? PROXY_LOCK_WAIT_MS, () => ensureProxy(input));
}

/** Stops every proxy of this state dir under the proxy lock (stop, uninstall). */
export async function stopProxies(paths: Paths): Promise<{ stopped: number[]; stale: PidRecord | null }> {
  // The supervisor first, outside the lock (it may hold it, restarting the proxy): it must not start what this stops.
  await (await import('./supervisor.js')).stopSupervisor(paths);
  return withProxyLock(paths, 'stopping the proxy', PROXY_LOCK_WAIT_MS, () => stopOwnProxies(paths));
}
