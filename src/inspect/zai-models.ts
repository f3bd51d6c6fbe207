/**
 * The models a Z.ai key may use, from Z.ai itself: `GET {origin}/api/v1/models` on the configured
 * endpoint's origin. Read-only, one total deadline and a size cap: a list that does not come is a note,
 * never a failure (the wizard then offers the tool's own table).
 */
import { request } from 'undici';

export type ZaiModelList = { ok: true; ids: string[] } | { ok: false; reason: string };

export const MODELS_PATH = '/api/v1/models';
const DEFAULT_TIMEOUT_MS = 5_000;
/** A model list is a few kilobytes; anything far larger is not one. */
const MAX_BYTES = 256 * 1024;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function modelsUrl(endpoint: string): string {
  return `${new URL(endpoint).origin}${MODELS_PATH}`;
}

/**
 * The ids in a models answer. Two shapes are accepted: `{"models":[{"slug":...}]}` (what Z.ai's list is
 * reported to return) and the OpenAI-style `{"data":[{"id":...}]}`; anything else yields no ids.
 */
export function parseModelList(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const record = body as { models?: unknown; data?: unknown };
  const entries = [...(Array.isArray(record.models) ? record.models : []), ...(Array.isArray(record.data) ? record.data : [])];
  const ids = entries.map((entry) => {
    if (typeof entry === 'string') return entry;
    if (typeof entry !== 'object' || entry === null) return null;
    const { slug, id } = entry as { slug?: unknown; id?: unknown };
    return typeof slug === 'string' ? slug : typeof id === 'string' ? id : null;
  });
  return [...new Set(ids.filter((id): id is string => id !== null && MODEL_ID.test(id)).map((id) => id.toLowerCase()))];
}

/** GLM_CODEX_MODELS_TIMEOUT_MS overrides the deadline (tests). */
function timeoutFrom(env: NodeJS.ProcessEnv): number {
  const value = Number(env.GLM_CODEX_MODELS_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}

export async function fetchZaiModels(endpoint: string, key: string, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ZaiModelList> {
  let url: string;
  try {
    url = modelsUrl(endpoint);
  } catch {
    return { ok: false, reason: `${endpoint} is not a URL.` };
  }
  const timeoutMs = opts.timeoutMs ?? timeoutFrom(opts.env ?? process.env);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(url, { method: 'GET', headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, signal });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BYTES) {
        response.body.destroy();
        return { ok: false, reason: `${url} sent more than ${MAX_BYTES / 1024} KB: not a model list.` };
      }
      chunks.push(chunk as Buffer);
    }
    if (response.statusCode !== 200) return { ok: false, reason: `${url} answered HTTP ${response.statusCode}.` };
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return { ok: false, reason: `${url} did not answer JSON.` };
    }
    const ids = parseModelList(body);
    return ids.length > 0 ? { ok: true, ids } : { ok: false, reason: `${url} listed no model ids.` };
  } catch (error) {
    return { ok: false, reason: signal.aborted ? `${url} did not answer within ${Math.round(timeoutMs / 1000)} s.` : `${url}: ${(error as Error).message}` };
  }
}
