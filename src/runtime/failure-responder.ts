/**
 * When the auth command fails, Codex (0.169) still sends the request, with no key; LiteLLM 1.108.7
 * answers that with a bare 500 (its exception handler needs prisma), which Codex retries for 30 s and
 * then calls "high demand". Nothing names the cause. So when the proxy's port is free, the failing auth
 * command leaves a tiny stand-in on it for a few seconds that answers every request with HTTP 400 and
 * the cause: Codex does not retry a 400 and prints its body (measured: about 1 s, the message in full).
 * It is a separate short-lived Node process, recognised by a marker in its command line, and it exits
 * by itself (5 s without requests, 20 s at most), so it never keeps the real proxy from starting for long.
 */
import { request } from 'node:http';
import { errorMessage, UserError, type ErrorCode } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isProcessAlive } from '../system.js';
import { runner } from '../process/run.js';
import { findPortHolder, isPortFree } from './ports.js';

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

/** The stand-in's failure when it holds `port`, else null (one GET, short timeout). */
export function responderMessage(port: number, timeoutMs = 1000): Promise<StandingFailure | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/readiness', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          const data = JSON.parse(text) as { error?: { type?: string; message?: string; param?: string }; since?: number };
          const error = data.error;
          const ageMs = typeof data.since === 'number' ? Date.now() - data.since : Number.POSITIVE_INFINITY;
          resolve(res.statusCode === 400 && error?.type === RESPONDER_ERROR_TYPE ? { message: error.message ?? '', code: error.param ?? '', ageMs } : null);
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
    if ((await responderMessage(port, 500)) !== null) return true;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return false;
}

/** Ends our stand-in when it holds `port` (recognised by its command line, never by name). */
export async function stopFailureResponder(port: number): Promise<boolean> {
  const holder = await findPortHolder(port);
  if (!holder?.pid || !holder.command?.includes(RESPONDER_MARKER)) return false;
  try {
    process.kill(holder.pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + 3000;
  while (isProcessAlive(holder.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 30));
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
