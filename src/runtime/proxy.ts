/**
 * The LiteLLM proxy process: started detached on 127.0.0.1 from the state dir (LiteLLM reads a
 * .env from its working directory), secrets through the environment only, output to a log file.
 * A pid file records pid, port, start time and a hash of the configuration it was started with.
 */
import { readRegularText } from '../fs/read.js';
import { cli } from '../invocation.js';
import { createHash } from 'node:crypto';
import { sep } from 'node:path';
import { closeSync, openSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { errorMessage, UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { proxyLaunch } from './proxy-launch.js';
import { runner } from '../process/run.js';
import type { Paths } from '../paths.js';
import type { Secrets } from '../config/secrets.js';
import { isProcessAlive } from '../system.js';
import { isProcessRunning, launcherExecutable, listProcesses, processArgv, processExe, processGroup, processStartTime, runsAsThisUser } from '../process/info.js';
import { parseManifest } from '../config/manifest.js';
import { venvLauncher } from './litellm.js';
import { hooksFingerprint } from '../config/bridge-hooks.js';

export interface PidRecord {
  pid: number;
  port: number;
  startedAt: string;
  configHash: string;
  command: string[];
  /** The process's start time (see processStartTime): tells our proxy from a later process with the same pid. */
  processStartTime?: string | null;
  /** The executable the kernel ran (/proc/<pid>/exe): the launcher's interpreter, not what argv claims. */
  exe?: string | null;
}

/** The configHash of a proxy found running without a pid file: what it was started with is unknown, so it is restarted. */
export const ADOPTED_HASH = 'unknown (adopted)';

export const LOG_LIMIT_BYTES = 5 * 1024 * 1024;

/** Changes when anything the proxy reads at start changes: its YAML, the keys, the launcher, the callbacks the tool writes. */
export function configHash(bridgeYaml: string, secrets: Secrets, launcher: string[]): string {
  return createHash('sha256')
    .update(bridgeYaml)
    .update('\0')
    .update(secrets.ZAI_API_KEY ?? '')
    .update('\0')
    .update(secrets.LITELLM_MASTER_KEY ?? '')
    .update('\0')
    .update(launcher.join('\0'))
    .update('\0')
    .update(hooksFingerprint())
    .digest('hex')
    .slice(0, 32);
}

export async function readPidRecord(paths: Paths): Promise<PidRecord | null> {
  const text = await readRegularText(paths.pidFile).catch(() => null);
  if (!text) return null;
  try {
    const data = JSON.parse(text) as PidRecord;
    return Number.isInteger(data.pid) && Number.isInteger(data.port) ? data : null;
  } catch {
    return null;
  }
}

function argAfter(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
}

/** A LiteLLM started by this tool for this state dir: its argv names our glm-bridge.yaml after --config. */
export function isOwnProxyArgv(argv: readonly string[], bridgeConfig: string): boolean {
  return argAfter(argv, '--config') === bridgeConfig && argv.some((arg) => /litellm/.test(arg));
}

/**
 * The executables a proxy of this state dir runs as: the interpreter of the venv's launcher and of
 * the launcher state.json remembers (resolved, as /proc/<pid>/exe shows them).
 */
export async function ownProxyExecutables(paths: Pick<Paths, 'venv' | 'manifest'>): Promise<Set<string>> {
  const manifest = parseManifest(await readRegularText(paths.manifest).catch(() => null));
  const launchers = [venvLauncher(paths.venv)[0]!, manifest.litellmLauncher?.[0]].filter((l): l is string => Boolean(l));
  const exes = await Promise.all(launchers.map(launcherExecutable));
  return new Set(exes.filter((e): e is string => e !== null));
}

/**
 * Identity by what another program cannot forge: the process runs as this user (every uid) and runs
 * the executable we started (recorded), or one of this setup's launchers. Argv is only a filter on top.
 */
async function isOwnIdentity(pid: number, allowedExes: ReadonlySet<string> | null, recordedExe?: string | null): Promise<boolean> {
  if (!(await runsAsThisUser(pid))) return false;
  const exe = await processExe(pid);
  if (exe === null) return process.platform !== 'linux';
  if (recordedExe) return exe === recordedExe;
  // No launcher of this setup to compare with (its venv gone, no state.json): any Python of this user.
  return allowedExes === null || allowedExes.size === 0 ? /python/i.test(exe.split('/').pop() ?? '') : allowedExes.has(exe);
}

/** A process found on the proxy's port (no pid file of ours) is this setup's proxy: this user, this setup's launcher. */
export async function isOwnProxyPid(paths: Pick<Paths, 'venv' | 'manifest'>, pid: number): Promise<boolean> {
  return isOwnIdentity(pid, await ownProxyExecutables(paths));
}

/** Our proxy is running: the pid is alive, started when we recorded, runs as this user the executable we started, AND its command line is the one we started (pids get reused). */
export async function isOurProcess(record: PidRecord): Promise<boolean> {
  if (!(await isProcessRunning(record.pid))) return false;
  if (record.processStartTime) {
    const started = await processStartTime(record.pid);
    if (started !== null && started !== record.processStartTime) return false;
  }
  if (!(await isOwnIdentity(record.pid, null, record.exe))) return false;
  const argv = await processArgv(record.pid);
  if (argv === null) return process.platform !== 'linux';
  const config = argAfter(record.command, '--config');
  return argv.some((arg) => /litellm/.test(arg)) && argAfter(argv, '--port') === String(record.port) && (config === undefined || argAfter(argv, '--config') === config);
}

/**
 * Every LiteLLM running from this state dir's glm-bridge.yaml, recorded or not (an orphan of a
 * crashed or racing run). Child processes of one of them are left out: the group leader stands for them.
 */
export async function findOwnProxies(paths: Pick<Paths, 'bridgeConfig' | 'venv' | 'manifest'>): Promise<PidRecord[]> {
  const named = (await listProcesses()).filter((p) => p.pid !== process.pid && isOwnProxyArgv(p.argv, paths.bridgeConfig));
  const exes = named.length > 0 ? await ownProxyExecutables(paths) : new Set<string>();
  const own = [];
  for (const p of named) if (await isOwnIdentity(p.pid, exes)) own.push(p);
  const pids = new Set(own.map((p) => p.pid));
  const records: PidRecord[] = [];
  for (const p of own) {
    if (pids.has(p.ppid)) continue;
    const port = Number(argAfter(p.argv, '--port'));
    if (!Number.isInteger(port)) continue;
    records.push({ pid: p.pid, port, startedAt: 'unknown', configHash: ADOPTED_HASH, command: p.argv, processStartTime: await processStartTime(p.pid), exe: await processExe(p.pid) });
  }
  return records;
}

export type ProxyProcessState =
  | { kind: 'none' }
  | { kind: 'stale'; record: PidRecord }
  | { kind: 'running'; record: PidRecord; adopted?: boolean };

/**
 * The proxy as the pid file records it; when that names no live proxy of ours, a LiteLLM running
 * our glm-bridge.yaml anyway is adopted: the pid file is rewritten to name it (unless `adopt` is false,
 * for read-only callers such as doctor), so stop, uninstall and the next start can manage it.
 */
export async function proxyProcessState(paths: Paths, options: { adopt?: boolean } = {}): Promise<ProxyProcessState> {
  const record = await readPidRecord(paths);
  if (record && (await isOurProcess(record))) return { kind: 'running', record };
  const orphans = await findOwnProxies(paths);
  const orphan = orphans.find((o) => o.port === record?.port) ?? orphans[0];
  if (orphan) {
    if (options.adopt !== false) await writePidRecord(paths, orphan);
    return { kind: 'running', record: orphan, adopted: true };
  }
  return record ? { kind: 'stale', record } : { kind: 'none' };
}

async function writePidRecord(paths: Paths, record: PidRecord): Promise<void> {
  await writeFileAtomic(paths.pidFile, `${JSON.stringify(record, null, 2)}\n`, { newFileMode: 0o600 });
}

async function rotateLog(path: string): Promise<void> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size > LOG_LIMIT_BYTES) await rename(path, `${path}.1`).catch(() => undefined);
}

export interface StartOptions {
  paths: Paths;
  launcher: string[];
  port: number;
  secrets: Secrets;
  hash: string;
}

/** The launcher is in the tool's own venv (else the LiteLLM is the user's, and so are its bytecode settings). */
export function runsFromVenv(launcher: readonly string[], venv: string): boolean {
  return launcher[0]?.startsWith(venv + sep) ?? false;
}

/**
 * The environment the proxy inherits. A LiteLLM in the tool's own venv always keeps the bytecode its
 * first start compiles (the install does not compile: see UV_INSTALL_FLAGS), even where the user's
 * shell sets PYTHONDONTWRITEBYTECODE, or every start would pay that compile again.
 */
export function proxyBaseEnv(launcher: readonly string[], venv: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!runsFromVenv(launcher, venv)) return { ...env };
  const { PYTHONDONTWRITEBYTECODE: _kept, ...rest } = env;
  return rest;
}

export async function startProxy(options: StartOptions): Promise<PidRecord> {
  const { paths, launcher, port, secrets } = options;
  await rotateLog(paths.logFile);
  const log = openSync(paths.logFile, 'a', 0o600);
  const launch = await proxyLaunch(launcher, ['--config', paths.bridgeConfig, '--host', '127.0.0.1', '--port', String(port)]);
  let pid: number;
  try {
    pid = await runner.startDetached(launch.file, launch.args, {
      cwd: paths.stateDir,
      logFd: log,
      env: {
        ...proxyBaseEnv(launcher, paths.venv),
        ZAI_API_KEY: secrets.ZAI_API_KEY ?? '',
        LITELLM_MASTER_KEY: secrets.LITELLM_MASTER_KEY ?? '',
        PYTHONUNBUFFERED: '1',
        // No telemetry, no cost-map download at start: the proxy must start offline and fast.
        LITELLM_LOCAL_MODEL_COST_MAP: 'True',
        LITELLM_TELEMETRY: 'False',
        // The callbacks' fix for a refused key names the setup command as this user runs it.
        GLM_CODEX_SETUP_COMMAND: cli(),
      },
    });
  } catch (error) {
    throw new UserError('proxy-spawn', `Could not start LiteLLM (${launcher[0]}): ${errorMessage(error)}.`, {
      exitCode: ExitCode.proxy,
      fix: `Run ${cli()} again to reinstall LiteLLM.`,
    });
  } finally {
    closeSync(log);
  }
  const record: PidRecord = {
    pid,
    port,
    startedAt: new Date().toISOString(),
    configHash: options.hash,
    command: [launch.file, ...launch.args],
    processStartTime: await processStartTime(pid),
    // The kernel has exec'd the launcher by the 'spawn' event: this is its interpreter.
    exe: await processExe(pid),
  };
  await writePidRecord(paths, record);
  return record;
}

/**
 * SIGTERM, wait, then SIGKILL; removes the pid file. Only a process that is still ours is signalled
 * (checked again before each signal: the pid may have been reused meanwhile), and its process group
 * only when it leads one (we start the proxy detached, so it does).
 */
export async function stopProxy(paths: Paths, record: PidRecord, timeoutMs = 10_000): Promise<void> {
  const signal = async (sig: NodeJS.Signals) => {
    if (!(await isOurProcess(record))) return;
    const group = await processGroup(record.pid);
    try {
      if (group === record.pid || (group === null && process.platform !== 'linux')) process.kill(-record.pid, sig);
      else process.kill(record.pid, sig);
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  await signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while ((await isOurProcess(record)) && Date.now() < deadline) await sleep(100);
  if (await isOurProcess(record)) {
    await signal('SIGKILL');
    while ((await isOurProcess(record)) && Date.now() < deadline + 5000) await sleep(50);
  }
  // Exited; give whoever reaps it (its parent, or init) a moment, so "stopped" also means gone from the process table.
  const reaped = Date.now() + 3000;
  while (isProcessAlive(record.pid) && !(await isOurProcess(record)) && Date.now() < reaped) await sleep(50);
  const recorded = await readPidRecord(paths);
  if (recorded === null || recorded.pid === record.pid) await rm(paths.pidFile, { force: true });
}

/** Stops every proxy of this state dir (the recorded one and any orphan); returns their pids. */
export async function stopOwnProxies(paths: Paths): Promise<{ stopped: number[]; stale: PidRecord | null }> {
  const record = await readPidRecord(paths);
  const recordedIsOurs = record !== null && (await isOurProcess(record));
  const targets = [...(recordedIsOurs ? [record] : []), ...(await findOwnProxies(paths)).filter((o) => o.pid !== record?.pid)];
  for (const target of targets) await stopProxy(paths, target);
  if (record && !recordedIsOurs) await forgetPidFile(paths);
  return { stopped: targets.map((t) => t.pid), stale: record && !recordedIsOurs ? record : null };
}

/** Forgets a stale pid file. Never signals: that pid may now belong to another program. */
export async function forgetPidFile(paths: Paths): Promise<void> {
  await rm(paths.pidFile, { force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function logTail(path: string, lines = 20): Promise<string[]> {
  const text = await readRegularText(path).catch(() => '');
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').slice(-lines);
}
