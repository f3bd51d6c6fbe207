/**
 * A new Z.ai key, asked of Z.ai before it replaces a stored one: one small request to the endpoint the
 * setup will use (Chat Completions in local mode, Responses in direct mode). Only a refusal of the key
 * itself counts; anything else (network, plan, model) is left to the validation after the writes.
 */
import { request } from 'undici';
import { diagnose, type Diagnosis } from './diagnose.js';
import { validateResponses } from './validate.js';

const KEY_CHECK_TIMEOUT_MS = 20_000;

export interface KeyCheckTarget {
  api: 'chat' | 'responses';
  /** Z.ai's base: the chat base or the Responses base. */
  apiBase: string;
  key: string;
  model: string;
}

/** Z.ai's diagnosis when it refuses the key (codes 1000-1004, HTTP 401), else null. */
export async function refusedKey(target: KeyCheckTarget): Promise<Diagnosis | null> {
  const { api, apiBase, key, model } = target;
  const where = { kind: 'zai-responses' as const, url: apiBase };
  if (api === 'responses') {
    const result = await validateResponses({ baseUrl: apiBase, key, model, where, timeoutMs: KEY_CHECK_TIMEOUT_MS }, 'non-streaming');
    return result.diagnosis?.code === 'zai-bad-key' ? result.diagnosis : null;
  }
  try {
    const response = await request(`${apiBase}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Reply with OK' }], max_tokens: 8, stream: false }),
      signal: AbortSignal.timeout(KEY_CHECK_TIMEOUT_MS),
    });
    const body = await response.body.text();
    if (response.statusCode === 200) return null;
    const diagnosis = diagnose({ status: response.statusCode, body, model, where });
    return diagnosis.code === 'zai-bad-key' ? diagnosis : null;
  } catch {
    // No answer says nothing about the key.
    return null;
  }
}
