/**
 * The LiteLLM proxy process: started detached on 127.0.0.1 from the state dir (LiteLLM reads a
 * .env from its working directory), secrets through the environment only, output to a log file.
 * A pid file records pid, port, start time and a hash of the configuration it was started with.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Paths } from '../paths.js';
import type { Secrets } from '../config/secrets.js';
import { isProcessAlive } from '../system.js';
import { processCommand } from './ports.js';

export interface PidRecord {
  pid: number;
  port: number;
  startedAt: string;
  configHash: string;
  command: string[];
}

export const LOG_LIMIT_BYTES = 5 * 1024 * 1024;

/** Changes when anything the proxy reads at start changes: its YAML, the keys, the launcher. */
export function configHash(bridgeYaml: string, secrets: Secrets, launcher: string[]): string {
  return createHash('sha256')
    .update(bridgeYaml)
    .update('\0')
    .update(secrets.ZAI_API_KEY ?? '')
    .update('\0')
    .update(secrets.LITELLM_MASTER_KEY ?? '')
    .update('\0')
    .update(launcher.join('\0'))
    .digest('hex')
    .slice(0, 32);
}

export async function readPidRecord(paths: Paths): Promise<PidRecord | null> {
  const text = await readFile(paths.pidFile, 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const data = JSON.parse(text) as PidRecord;
    return Number.isInteger(data.pid) && Number.isInteger(data.port) ? data : null;
  } catch {
    return null;
  }
}

/** Our proxy is running: the pid is alive AND its command line is the one we started (pids get reused). */
export async function isOurProcess(record: PidRecord): Promise<boolean> {
  if (!isProcessAlive(record.pid)) return false;
  const command = await processCommand(record.pid);
  if (command === null) return process.platform !== 'linux';
  const args = command.split(' ');
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  const config = record.command[record.command.indexOf('--config') + 1];
  return command.includes('litellm') && after('--port') === String(record.port) && (config === undefined || command.includes(config));
}

export type ProxyProcessState =
  | { kind: 'none' }
  | { kind: 'stale'; record: PidRecord }
  | { kind: 'running'; record: PidRecord };

export async function proxyProcessState(paths: Paths): Promise<ProxyProcessState> {
  const record = await readPidRecord(paths);
  if (!record) return { kind: 'none' };
  return (await isOurProcess(record)) ? { kind: 'running', record } : { kind: 'stale', record };
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

export async function startProxy(options: StartOptions): Promise<PidRecord> {
  const { paths, launcher, port, secrets } = options;
  await rotateLog(paths.logFile);
  const log = openSync(paths.logFile, 'a', 0o600);
  const args = [...launcher.slice(1), '--config', paths.bridgeConfig, '--host', '127.0.0.1', '--port', String(port)];
  let child;
  try {
    child = spawn(launcher[0]!, args, {
      cwd: paths.stateDir,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        ZAI_API_KEY: secrets.ZAI_API_KEY ?? '',
        LITELLM_MASTER_KEY: secrets.LITELLM_MASTER_KEY ?? '',
        PYTHONUNBUFFERED: '1',
        // No telemetry, no cost-map download at start: the proxy must start offline and fast.
        LITELLM_LOCAL_MODEL_COST_MAP: 'True',
        LITELLM_TELEMETRY: 'False',
      },
    });
  } finally {
    closeSync(log);
  }
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', (error) =>
      reject(
        new UserError('proxy-spawn', `Could not start LiteLLM (${launcher[0]}): ${error.message}.`, {
          exitCode: ExitCode.proxy,
          fix: 'Run glm-codex-setup again to reinstall LiteLLM.',
        }),
      ),
    );
    child.once('spawn', () => resolve(child.pid!));
  });
  child.unref();
  const record: PidRecord = { pid, port, startedAt: new Date().toISOString(), configHash: options.hash, command: [launcher[0]!, ...args] };
  await writeFileAtomic(paths.pidFile, `${JSON.stringify(record, null, 2)}\n`, { newFileMode: 0o600 });
  return record;
}

/** SIGTERM to the process group, wait, then SIGKILL. Removes the pid file. */
export async function stopProxy(paths: Paths, record: PidRecord, timeoutMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, sig);
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(record.pid) && Date.now() < deadline) await sleep(100);
  if (isProcessAlive(record.pid)) {
    signal('SIGKILL');
    while (isProcessAlive(record.pid) && Date.now() < deadline + 5000) await sleep(50);
  }
  await rm(paths.pidFile, { force: true });
}

/** Forgets a stale pid file. Never signals: that pid may now belong to another program. */
export async function forgetPidFile(paths: Paths): Promise<void> {
  await rm(paths.pidFile, { force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function logTail(path: string, lines = 20): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').slice(-lines);
}
