/**
 * Which LiteLLM releases bridge Codex's Responses calls to Z.ai's Chat Completions. Measured by
 * installing real releases and sending both the validation request and a real `codex exec` through
 * them (README: "LiteLLM version matrix"). The stated floor 1.63.8 has no Responses -> Chat bridge;
 * 1.67.0 - 1.83.13 bridge a plain request only through `custom_openai/`, which then fails on what
 * Codex really sends (`client_metadata`: "AsyncCompletions.create() got an unexpected keyword argument").
 */
import { comparePep440 } from './pep440.js';

/** Releases that shipped a credential stealer (LiteLLM issue #24512, OSV MAL-2026-2144). */
export const COMPROMISED_VERSIONS = ['1.82.7', '1.82.8'] as const;
/** First release that honours `use_chat_completions_api` for `openai/` models: the first that bridges Codex. */
export const FIRST_FLAG = '1.83.14';
/** What the tool installs: a release that bridges, never a compromised one. */
export const INSTALL_REQUIREMENT = `litellm[proxy]>=${FIRST_FLAG},${COMPROMISED_VERSIONS.map((v) => `!=${v}`).join(',')}`;

export type LiteLLMVerdict =
  | { kind: 'compromised' }
  | { kind: 'too-old' }
  | { kind: 'bridges' }
  | { kind: 'unknown' };

export function classifyLiteLLM(version: string): LiteLLMVerdict {
  try {
    if (COMPROMISED_VERSIONS.some((bad) => comparePep440(version, bad) === 0)) return { kind: 'compromised' };
    return comparePep440(version, FIRST_FLAG) >= 0 ? { kind: 'bridges' } : { kind: 'too-old' };
  } catch {
    return { kind: 'unknown' };
  }
}
