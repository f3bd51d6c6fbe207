/**
 * When the auth command fails, Codex (0.169) still sends the request, with no key; LiteLLM 1.108.7
 * answers that with a bare 500 (its exception handler needs prisma), which Codex retries for 30 s and
 * then calls "high demand". Nothing names the cause. So when the proxy's port is free, the failing auth
 * command leaves a tiny stand-in on it for a few seconds that answers every request with HTTP 400 and
 * the cause: Codex does not retry a 400 and prints its body (measured: about 1 s, the message in full).
 * It is a separate short-lived Node process, recognised by what another program cannot forge (it runs
 * as this user, on this Node binary; the marker in its argv only tells it from this user's other Node
 * programs); it exits by itself (5 s without requests, 20 s at most), so it never keeps the real proxy from starting for long.
 */
import { request } from 'node:http';
import { errorMessage, UserError, type ErrorCode } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isProcessAlive } from '../system.js';
import { realpath } from 'node:fs/promises';
import { runner } from '../process/run.js';
import { findPortHolder, isPortFree, socketIsThisUsers } from './ports.js';
import { processArgv, processExe, runsAsThisUser } from '../process/info.js';

export const RESPONDER_MARKER = 'glm-codex-setup-failure-responder';
export const RESPONDER_ERROR_TYPE = 'glm_codex_setup_not_ready';
const IDLE_MS = 5_000;
const LIFETIME_MS = 20_000;

const RESPONDER_SOURCE = `
const http = require('node:http');
const port = Number(process.argv[1]);
const body = JSON.stringify({ error: { message: process.env.GLM_CODEX_FAILURE, type: '${RESPONDER_ERROR_TYPE}', param: process.env.GLM_CODEX_FAILURE_CODE, code: '400' }, since: Date.now() });
let idle;
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
  res.end(body);
  clearTimeout(idle);
  idle = setTimeout(() => process.exit(0), ${IDLE_MS});
});
server.on('error', () => process.exit(0));
server.listen({ port, host: '127.0.0.1', exclusive: true }, () => { idle = setTimeout(() => process.exit(0), ${IDLE_MS}); });
setTimeout(() => process.exit(0), ${LIFETIME_MS});
`;

export interface StandingFailure {
  /** The one line the failing auth command printed. */
  message: string;
  /** Its UserError code (key-file-missing, proxy-not-ready, ...), as the stand-in answers it: any string. */
  code: string;
  /** How long ago the stand-in started (ms). */
  ageMs?: number;
}

/** Its answer is one short line; anything longer is not the stand-in. */
const MAX_BODY_BYTES = 16 * 1024;

/** The pid of our stand-in on `port`: the socket and every uid of the process are this user's, it runs this Node binary, with the marker. */
export async function ownResponderPid(port: number): Promise<number | null> {
  const holder = await findPortHolder(port);
  if (!holder?.pid || !socketIsThisUsers(holder) || !(await runsAsThisUser(holder.pid))) return null;
  const [exe, node, argv] = await Promise.all([processExe(holder.pid), realpath(process.execPath).catch(() => process.execPath), processArgv(holder.pid)]);
  if (exe !== null && exe !== node) return null;
  return argv?.includes(RESPONDER_MARKER) ? holder.pid : null;
}

/** The stand-in's failure when our stand-in holds `port`, else null (one GET, short timeout, bounded answer). */
export async function responderMessage(port: number, timeoutMs = 1000): Promise<StandingFailure | null> {
  if ((await ownResponderPid(port)) === null) return null;
  return readResponder(port, timeoutMs);
}

function readResponder(port: number, timeoutMs: number): Promise<StandingFailure | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/readiness', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > MAX_BODY_BYTES) {
          res.destroy();
          resolve(null);
        }
      });
      res.on('end', () => {
        try {
          const data = JSON.parse(text) as { error?: { type?: string; message?: string; param?: string }; since?: number };
          const error = data.error;
          const ageMs = typeof data.since === 'number' ? Date.now() - data.since : Number.POSITIVE_INFINITY;
          const message = (error?.message ?? '').replace(/[^\x20-\x7e]/g, '');
          resolve(res.statusCode === 400 && error?.type === RESPONDER_ERROR_TYPE ? { message, code: error.param ?? '', ageMs } : null);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(null));
    req.end();
  });
}

/** Puts the stand-in on `port` when nothing listens there; waits (bounded) until it answers. */
export async function startFailureResponder(port: number, failure: StandingFailure): Promise<boolean> {
  if (!(await isPortFree(port))) return false;
  await runner
    .startDetached(process.execPath, ['-e', RESPONDER_SOURCE, String(port), RESPONDER_MARKER], {
      env: { GLM_CODEX_FAILURE: failure.message, GLM_CODEX_FAILURE_CODE: failure.code },
    })
    .catch(() => undefined);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    if ((await readResponder(port, 500)) !== null) return true;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return false;
}

/** Ends our stand-in when it holds `port` (see ownResponderPid; another user's program is never signalled). */
export async function stopFailureResponder(port: number): Promise<boolean> {
  const pid = await ownResponderPid(port);
  if (pid === null) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + 3000;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 30));
  return true;
}

/** A failure already worded by an earlier run (the stand-in on the port holds its line). */
export class ReportedFailure extends UserError {
  constructor(readonly line: string) {
    super('proxy-not-ready', line, { exitCode: ExitCode.proxy });
  }
}

/** One line, cause and fix: Codex prints it (the stand-in's body, or the command's stderr). */
export function failureLine(error: unknown): string {
  if (error instanceof ReportedFailure) return error.line;
  const message = errorMessage(error).replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
  const fix = error instanceof UserError && error.fix ? ` Fix: ${error.fix}` : '';
  return `glm-codex-setup: ${message}.${fix}`;
}

/** Codex's calls for one request (the model list, the request, its retries) come within about a second. */
const REPEAT_FAILURE_MS = 5_000;
const PROXY_START_FAILURES: ReadonlySet<string> = new Set<ErrorCode>(['proxy-not-ready', 'port-busy', 'litellm-missing', 'proxy-spawn']);

/**
 * Before trying to start the proxy: a start that failed moment ago (its stand-in still on the port) is
 * reported again rather than repeated, so Codex's burst of calls costs one start, not one each; an
 * older or unrelated stand-in is ended so the start can have the port.
 */
export async function checkRecentFailure(port: number): Promise<void> {
  const recent = await responderMessage(port);
  if (recent === null) return;
  if (PROXY_START_FAILURES.has(recent.code) && (recent.ageMs ?? Number.POSITIVE_INFINITY) < REPEAT_FAILURE_MS) throw new ReportedFailure(recent.message);
  await stopFailureResponder(port);
}

/** Leaves the stand-in on the port for `error` (unless it is a repeat, or something listens there). */
export async function explainFailure(port: number, error: unknown): Promise<void> {
  if (error instanceof ReportedFailure) return;
  await startFailureResponder(port, { message: failureLine(error), code: error instanceof UserError ? error.code : 'internal' }).catch(() => false);
}
