/**
 * The local proxy's supervisor: a small detached Node process (`supervise --state-dir DIR`, run from the
 * app copy in the state dir like Codex's auth command) that starts LiteLLM again when it exits without
 * `stop` (kill -9, a crash), with the same start code and under the same proxy lock as setup, `start`
 * and the auth command. It acts only on a proxy that was running and died: its pid file still names it
 * (`stop` removes the pid file, and ends the supervisor first). A start that fails is retried after 2 s,
 * 4 s, 8 s ... at most 60 s apart, and its reason (LiteLLM's last log lines) is left in proxy-failure.json
 * for doctor and the auth command. Where --autostart set up a service manager, that is the supervisor.
 */
import { withoutKeys } from '../config/secrets.js';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseManifest } from '../config/manifest.js';
import { modeFacts } from '../config/mode-registry.js';
import { errorMessage, UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readTextIfExists } from '../fs/read.js';
import type { Paths } from '../paths.js';
import { runner } from '../process/run.js';
import { packageRoot } from '../templates.js';
import { appCopyBin } from '../fs/app-copy.js';
import { isProcessRunning, processStartTime } from '../process/info.js';
import { isOurProcess, readPidRecord, sleep } from './proxy.js';

export const SUPERVISOR_FILE = 'supervisor.json';
export const SUPERVISOR_LOG = 'supervisor.log';
export const FAILURE_FILE = 'proxy-failure.json';
/** GLM_CODEX_SUPERVISOR=off: no supervisor of the tool's own (the proxy then comes back on Codex's next request only). */
export const SUPERVISOR_ENV = 'GLM_CODEX_SUPERVISOR';

const POLL_MS = 250;
const FIRST_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 60_000;

export interface SupervisorRecord {
  pid: number;
  /** The process's start time: a pid whose start time differs is another process and is never signalled. */
  processStartTime: string | null;
  startedAt: string;
}

export interface ProxyFailure {
  /** When the last start failed (ISO 8601). */
  at: string;
  /** Failed starts in a row. */
  attempts: number;
  /** When the supervisor tries again (ISO 8601). */
  nextAttemptAt: string;
  code: string;
  /** The cause, with LiteLLM's last log lines. */
  reason: string;
}

export function supervisorFile(paths: Pick<Paths, 'stateDir'>): string {
  return join(paths.stateDir, SUPERVISOR_FILE);
}
export function failureFile(paths: Pick<Paths, 'stateDir'>): string {
  return join(paths.stateDir, FAILURE_FILE);
}

export async function readSupervisorRecord(paths: Pick<Paths, 'stateDir'>): Promise<SupervisorRecord | null> {
  const text = await readFile(supervisorFile(paths), 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const data = JSON.parse(text) as SupervisorRecord;
    return Number.isInteger(data.pid) && data.pid > 0 ? data : null;
  } catch {
    return null;
  }
}

/** The recorded supervisor, when that very process (same pid AND same start time) still runs. */
export async function runningSupervisor(paths: Pick<Paths, 'stateDir'>): Promise<SupervisorRecord | null> {
  const record = await readSupervisorRecord(paths);
  if (!record?.processStartTime || !(await isProcessRunning(record.pid))) return null;
  return (await processStartTime(record.pid)) === record.processStartTime ? record : null;
}

export async function readProxyFailure(paths: Pick<Paths, 'stateDir'>): Promise<ProxyFailure | null> {
  const text = await readFile(failureFile(paths), 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const data = JSON.parse(text) as ProxyFailure;
    return typeof data.reason === 'string' && typeof data.at === 'string' ? data : null;
  } catch {
    return null;
  }
}

/**
 * Ends the supervisor (stop, uninstall, a mode switch): its record goes first, so even a supervisor that
 * misses the signal exits at its next look; then SIGTERM, only to the recorded pid with the recorded
 * start time. Returns the pid it ended, or null.
 */
export async function stopSupervisor(paths: Pick<Paths, 'stateDir'>, timeoutMs = 5_000): Promise<number | null> {
  const running = await runningSupervisor(paths);
  await rm(supervisorFile(paths), { force: true });
  await rm(failureFile(paths), { force: true });
  if (!running) return null;
  const same = async () => (await isProcessRunning(running.pid)) && (await processStartTime(running.pid)) === running.processStartTime;
  try {
    process.kill(running.pid, 'SIGTERM');
  } catch {
    return null;
  }
  const deadline = Date.now() + timeoutMs;
  while ((await same()) && Date.now() < deadline) await sleep(50);
  if (await same()) {
    try {
      process.kill(running.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  return running.pid;
}

/** The script the supervisor runs: the app copy (it outlives the package that ran setup), else this package. */
function supervisorBin(paths: Pick<Paths, 'stateDir'>): string {
  const copy = appCopyBin(paths.stateDir);
  return existsSync(copy) ? copy : join(packageRoot(), 'bin', 'glm-codex-setup.js');
}


/** Whether this setup gets a supervisor of the tool's own: local mode, no service manager, not switched off. */
export async function wantsSupervisor(paths: Paths, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env[SUPERVISOR_ENV] === 'off' || process.platform === 'win32') return false;
  const manifest = parseManifest(await readTextIfExists(paths.manifest).catch(() => null));
  return modeFacts(manifest.mode).localProxy && manifest.autostart !== true;
}

/**
 * Starts the supervisor unless one runs (setup, `start`; the auth command only where a supervisor was
 * running before, `resumeOnly`). Waits until the new one has recorded itself, so a `stop` right after
 * finds it. Never fails the caller: a proxy without a supervisor still starts on demand.
 */
export async function ensureSupervisor(paths: Paths, options: { resumeOnly?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<SupervisorRecord | null> {
  try {
    const env = options.env ?? process.env;
    if (!(await wantsSupervisor(paths, env))) return null;
    const running = await runningSupervisor(paths);
    if (running) return running;
    if (options.resumeOnly && (await readSupervisorRecord(paths)) === null) return null;
    const log = openSync(join(paths.stateDir, SUPERVISOR_LOG), 'a', 0o600);
    let pid: number;
    try {
      pid = await runner.startDetached(process.execPath, [supervisorBin(paths), 'supervise', '--state-dir', paths.stateDir], {
        cwd: paths.stateDir,
        logFd: log,
        env: { ...withoutKeys(env), [SUPERVISOR_ENV]: 'on' },
      });
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const record = await readSupervisorRecord(paths);
      if (record && (record.pid === pid || (await runningSupervisor(paths)))) return record;
      if (!(await isProcessRunning(pid))) return runningSupervisor(paths);
      await sleep(50);
    }
    return null;
  } catch {
    return null;
  }
}

export interface SuperviseDeps {
  /** The same start as the auth command's: ensureProxyRunning under the proxy lock. */
  start(): Promise<void>;
  log(line: string): void;
  now?(): number;
  /** How often it looks (POLL_MS): a test with its own clock looks every millisecond. */
  pollMs?: number;
}

/**
 * The supervisor's loop (runs in the detached process). Records itself (unless another live supervisor
 * is recorded: then it leaves), then every quarter second: its record must still name it (else it exits),
 * and a pid file that names a dead proxy means the proxy died without `stop`: start it again.
 * (Every quarter second: a /proc read or two; the restart then begins within a second of the death.)
 */
export async function supervise(paths: Paths, deps: SuperviseDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const other = await runningSupervisor(paths);
  if (other && other.pid !== process.pid) {
    deps.log(`another supervisor (pid ${other.pid}) watches this proxy; leaving`);
    return;
  }
  const me: SupervisorRecord = { pid: process.pid, processStartTime: await processStartTime(process.pid), startedAt: new Date(now()).toISOString() };
  await writeFileAtomic(supervisorFile(paths), `${JSON.stringify(me, null, 2)}\n`, { newFileMode: 0o600 });
  deps.log(`supervising the proxy of ${paths.stateDir} (pid ${me.pid})`);
  let owed = false;
  let attempts = 0;
  let nextAttempt = 0;
  for (;;) {
    const record = await readSupervisorRecord(paths);
    if (record?.pid !== me.pid || record.processStartTime !== me.processStartTime) {
      deps.log('ended (stop, uninstall or a mode switch)');
      return;
    }
    if (!(await wantsSupervisor(paths, {}))) {
      deps.log('the setup is no longer a local one without a service manager; leaving');
      await rm(supervisorFile(paths), { force: true });
      return;
    }
    const proxy = await readPidRecord(paths);
    if (proxy && (await isOurProcess(proxy))) {
      if (owed || attempts > 0) await rm(failureFile(paths), { force: true });
      owed = false;
      attempts = 0;
    } else if (proxy && !owed) {
      deps.log(`the proxy (pid ${proxy.pid}) exited without stop; starting it again`);
      owed = true;
      nextAttempt = now();
    }
    if (owed && now() >= nextAttempt) {
      deps.log(`starting the proxy (attempt ${attempts + 1})`);
      try {
        await deps.start();
        deps.log('the proxy is back');
        await rm(failureFile(paths), { force: true });
        owed = false;
        attempts = 0;
      } catch (error) {
        attempts += 1;
        const wait = Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
        nextAttempt = now() + wait;
        const failure: ProxyFailure = {
          at: new Date(now()).toISOString(),
          attempts,
          nextAttemptAt: new Date(nextAttempt).toISOString(),
          code: error instanceof UserError ? error.code : 'internal',
          reason: errorMessage(error),
        };
        await writeFileAtomic(failureFile(paths), `${JSON.stringify(failure, null, 2)}\n`, { newFileMode: 0o600 });
        deps.log(`start ${attempts} failed; next try in ${wait / 1000} s: ${failure.reason.split('\n')[0]}`);
      }
    }
    await sleep(deps.pollMs ?? POLL_MS);
  }
}

/** For doctor and the auth command: the supervisor's standing failure, in one paragraph. */
export function describeFailure(failure: ProxyFailure, nowMs = Date.now()): string {
  const next = Math.max(0, Math.round((Date.parse(failure.nextAttemptAt) - nowMs) / 1000));
  return `the proxy could not start again (${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'}, the last at ${failure.at}; next try in ${next} s): ${failure.reason}`;
}

/** The auth command, before it starts the proxy itself: a supervisor backing off a failing start answers for it. */
export async function throwStandingFailure(paths: Pick<Paths, 'stateDir'>): Promise<void> {
  const failure = await readProxyFailure(paths);
  if (!failure || !(await runningSupervisor(paths))) return;
  throw new UserError('proxy-not-ready', describeFailure(failure), { exitCode: ExitCode.proxy, fix: 'read the reason above (glm-codex-setup doctor shows it too), fix it; the supervisor keeps trying.' });
}
