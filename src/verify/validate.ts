/**
 * The guide's curl, done properly: POST /v1/responses through the proxy with the master key,
 * non-streaming and streaming, with timeouts; the reply and round-trip time, or a diagnosis.
 */
import { request } from 'undici';
import { ANSWER_CAPS, readCapped } from '../net/read-capped.js';
import { diagnose, type Diagnosis, type Where } from './diagnose.js';

export interface ValidationTarget {
  port: number;
  masterKey: string;
  model: string;
  apiBase: string;
  timeoutMs?: number;
}

/** Any Responses endpoint: the local proxy, Z.ai's own, or a team gateway. */
export interface ResponsesTarget {
  /** The base Codex uses (`…/v1`): the request goes to `${baseUrl}/responses`. */
  baseUrl: string;
  key: string;
  model: string;
  where: Where;
  timeoutMs?: number;
}

/** A validation exchange gets this long in total; GLM_CODEX_VALIDATION_TIMEOUT_MS overrides it (tests use a short one). */
export function validationTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.GLM_CODEX_VALIDATION_TIMEOUT_MS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 120_000;
}

export interface ValidationResult {
  ok: boolean;
  mode: 'non-streaming' | 'streaming';
  reply: string | null;
  roundTripMs: number;
  status: number | null;
  diagnosis: Diagnosis | null;
}

const PROMPT = 'Reply with OK';

function extractText(response: unknown): string {
  const output = (response as { output?: unknown[] }).output;
  if (!Array.isArray(output)) return '';
  return output
    .filter((item): item is { type: string; content?: unknown[] } => typeof item === 'object' && item !== null && (item as { type?: string }).type === 'message')
    .flatMap((item) => (Array.isArray(item.content) ? item.content : []))
    .map((part) => (typeof part === 'object' && part && (part as { type?: string }).type === 'output_text' ? String((part as { text?: unknown }).text ?? '') : ''))
    .join('');
}

async function send(target: ResponsesTarget, stream: boolean, signal: AbortSignal) {
  return request(`${target.baseUrl}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: target.model, input: PROMPT, stream }),
    signal,
  });
}

/** The local proxy, on 127.0.0.1 with the master key. */
export function validateProxy(target: ValidationTarget, mode: ValidationResult['mode']): Promise<ValidationResult> {
  const { port, masterKey, model, apiBase, timeoutMs } = target;
  return validateResponses({ baseUrl: `http://127.0.0.1:${port}/v1`, key: masterKey, model, where: { kind: 'proxy', port, apiBase }, ...(timeoutMs ? { timeoutMs } : {}) }, mode);
}

export async function validateResponses(target: ResponsesTarget, mode: ValidationResult['mode']): Promise<ValidationResult> {
  const started = performance.now();
  const base = { where: target.where, model: target.model };
  const finish = (partial: Omit<ValidationResult, 'mode' | 'roundTripMs'>): ValidationResult => ({
    mode,
    roundTripMs: Math.round(performance.now() - started),
    ...partial,
  });
  // One deadline for headers and the whole body: an upstream that trickles a chunk now and then cannot hold the run.
  const timeoutMs = target.timeoutMs ?? validationTimeoutMs();
  const signal = AbortSignal.timeout(timeoutMs);
  const failure = (error: unknown) =>
    signal.aborted ? `timeout: no complete answer within ${Math.round(timeoutMs / 1000)} s` : `${(error as { code?: string }).code ?? ''} ${(error as Error).message}`;
  let response;
  try {
    response = await send(target, mode === 'streaming', signal);
  } catch (error) {
    return finish({ ok: false, reply: null, status: null, diagnosis: diagnose({ ...base, networkError: failure(error) }) });
  }
  const { statusCode } = response;
  let text: string;
  try {
    text = await readCapped(response.body, ANSWER_CAPS.validation);
  } catch (error) {
    return finish({ ok: false, reply: null, status: statusCode, diagnosis: diagnose({ ...base, networkError: failure(error) }) });
  }
  if (statusCode !== 200) {
    return finish({ ok: false, reply: null, status: statusCode, diagnosis: diagnose({ ...base, status: statusCode, body: text }) });
  }
  if (mode === 'non-streaming') {
    try {
      return finish({ ok: true, reply: extractText(JSON.parse(text)), status: statusCode, diagnosis: null });
    } catch {
      return finish({ ok: false, reply: null, status: statusCode, diagnosis: diagnose({ ...base, status: statusCode, body: text }) });
    }
  }
  const events = parseSse(text);
  let reply = '';
  let completed = false;
  for (const event of events) {
    const type = String(event.type ?? '');
    if (type === 'response.output_text.delta') reply += String(event.delta ?? '');
    if (type === 'response.completed') {
      completed = true;
      const full = extractText(event.response);
      if (full) reply = full;
    }
    if (type === 'error' || type === 'response.failed' || ('error' in event && event.error)) {
      return finish({ ok: false, reply: null, status: statusCode, diagnosis: diagnose({ ...base, status: statusCode, streamError: JSON.stringify(event.error ?? event) }) });
    }
  }
  if (!completed) {
    return finish({ ok: false, reply: null, status: statusCode, diagnosis: diagnose({ ...base, status: statusCode, streamError: 'the stream ended without response.completed' }) });
  }
  return finish({ ok: true, reply, status: statusCode, diagnosis: null });
}

export function parseSse(text: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('\n');
    if (!data || data === '[DONE]') continue;
    try {
      events.push(JSON.parse(data) as Record<string, unknown>);
    } catch {
      events.push({ type: 'error', error: { message: `unparseable event: ${data.slice(0, 200)}` } });
    }
  }
  return events;
}

/** Polls /health/readiness until it answers 200. Returns the time it took, or throws on timeout/exit. */
export async function waitForReady(port: number, options: { timeoutMs: number; intervalMs?: number; isAlive?: () => boolean }): Promise<number> {
  const started = performance.now();
  const interval = options.intervalMs ?? 25;
  while (performance.now() - started < options.timeoutMs) {
    if (options.isAlive && !options.isAlive()) throw new Error('the proxy process exited');
    try {
      const response = await request(`http://127.0.0.1:${port}/health/readiness`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await response.body.dump();
      if (response.statusCode === 200) {
        if (process.env.GLM_CODEX_TRACE) process.stderr.write(`ready-detected ${Date.now()}\n`);
        return performance.now() - started;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  throw new Error(`not ready after ${Math.round(options.timeoutMs / 1000)} s`);
}
