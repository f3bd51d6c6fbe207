/**
 * Which LiteLLM releases bridge Codex's Responses calls to Z.ai's Chat Completions, and how.
 * Measured by installing real releases and sending /v1/responses through them (README: "LiteLLM
 * version matrix"). The stated floor 1.63.8 has no Responses -> Chat bridge at all.
 */
import type { BridgeRoute } from '../config/bridge-yaml.js';
import { comparePep440 } from './pep440.js';

/** Releases that shipped a credential stealer (LiteLLM issue #24512, OSV MAL-2026-2144). */
export const COMPROMISED_VERSIONS = ['1.82.7', '1.82.8'] as const;
/** First release with the Responses -> Chat Completions bridge (for providers with no native route). */
export const FIRST_BRIDGE = '1.67.0';
/** First release that honours `use_chat_completions_api` for `openai/` models. */
export const FIRST_FLAG = '1.83.14';
/** What the tool installs: the flag route, never a compromised release. */
export const INSTALL_REQUIREMENT = `litellm[proxy]>=${FIRST_FLAG},${COMPROMISED_VERSIONS.map((v) => `!=${v}`).join(',')}`;

export type LiteLLMVerdict =
  | { kind: 'compromised' }
  | { kind: 'too-old' }
  | { kind: 'bridges'; route: BridgeRoute }
  | { kind: 'unknown' };

export function classifyLiteLLM(version: string): LiteLLMVerdict {
  try {
    if (COMPROMISED_VERSIONS.some((bad) => comparePep440(version, bad) === 0)) return { kind: 'compromised' };
    if (comparePep440(version, FIRST_BRIDGE) < 0) return { kind: 'too-old' };
    return { kind: 'bridges', route: comparePep440(version, FIRST_FLAG) >= 0 ? 'flag' : 'custom-openai' };
  } catch {
    return { kind: 'unknown' };
  }
}
