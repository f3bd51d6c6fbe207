/**
 * Which LiteLLM releases bridge Codex's Responses calls to Z.ai's Chat Completions. Measured by
 * installing real releases and sending both the validation request and a real `codex exec` through
 * them (README: "LiteLLM version matrix"). The stated floor 1.63.8 has no Responses -> Chat bridge;
 * 1.67.0 - 1.83.13 bridge a plain request only through `custom_openai/`, which then fails on what
 * Codex really sends (`client_metadata`: "AsyncCompletions.create() got an unexpected keyword argument").
 */
import { usageError } from '../errors.js';
import { comparePep440, parsePep440 } from './pep440.js';

/** Releases that shipped a credential stealer (LiteLLM issue #24512, OSV MAL-2026-2144). */
export const COMPROMISED_VERSIONS = ['1.82.7', '1.82.8'] as const;
/** First release that honours `use_chat_completions_api` for `openai/` models: the first that bridges Codex. */
export const FIRST_FLAG = '1.83.14';
/**
 * The release the tool installs: the newest one the project's own test matrix proves (scripts/test.sh
 * reads this line; keep its shape). Pinned, so pip does not walk through newer releases whose [proxy]
 * extra it cannot resolve. `--litellm-version` chooses another.
 */
export const TESTED_LITELLM = '1.108.7';
/** What the pinned venv takes on disk: `du -sh` of a pip-built 1.108.7 venv on Linux (757 MB; uv's, without .pyc, 581 MB). */
export const VENV_DISK_COST = 'about 760 MB';

/** The pip requirement for one exact release. */
export function installRequirement(version: string = TESTED_LITELLM): string {
  return `litellm[proxy]==${version}`;
}
export const INSTALL_REQUIREMENT = installRequirement();

/** A release the user asked for with `--litellm-version`: a plain version that bridges and is not compromised. */
export function parseLiteLLMVersion(value: string, source = '--litellm-version'): string {
  if (!/^\d+(\.\d+){1,3}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$/.test(value) || !parsePep440(value)) {
    throw usageError(`${source}: "${value}" is not a LiteLLM release number.`, `Example: ${source} ${TESTED_LITELLM}`);
  }
  const verdict = classifyLiteLLM(value);
  if (verdict.kind === 'compromised') {
    throw usageError(`${source}: LiteLLM ${value} shipped a credential stealer (LiteLLM issue #24512) and is never installed.`, `Use ${TESTED_LITELLM}, the tested release.`);
  }
  if (verdict.kind !== 'bridges') {
    throw usageError(`${source}: LiteLLM ${value} is too old: releases before ${FIRST_FLAG} cannot bridge Codex's Responses API to Z.ai.`, `Use ${FIRST_FLAG} or newer; ${TESTED_LITELLM} is the tested release.`);
  }
  return value;
}

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
