/**
 * Codex's base prompt, for the model catalog: kept from the catalog written for this very Codex
 * version (capturing costs a Codex run), else captured from the installed Codex.
 */
import { captureBasePrompt } from '../codex/base-prompt.js';
import { errorMessage } from '../errors.js';
import type { Manifest } from '../config/manifest.js';
import type { CodexInstall } from '../codex/version.js';

export interface BasePromptState {
  /** Codex's own prompt; null when Codex is missing or would not tell. */
  text: string | null;
  /** Why there is none, for people. */
  problem: string | null;
}

/** The prompt a catalog carries (the first entry's; the tool writes the same one into every entry). */
export function catalogPrompt(catalogText: string | null): string | null {
  if (catalogText === null) return null;
  try {
    const first = (JSON.parse(catalogText) as { models?: { base_instructions?: unknown }[] }).models?.[0]?.base_instructions;
    return typeof first === 'string' && first.trim() !== '' ? first : null;
  } catch {
    return null;
  }
}

export async function basePromptFor(codex: CodexInstall, manifest: Manifest, catalogText: string | null, fresh: boolean): Promise<BasePromptState> {
  if (!codex.bin || !codex.version) return { text: null, problem: 'Codex is not installed' };
  const kept = catalogPrompt(catalogText);
  if (!fresh && kept !== null && manifest.catalogCodexVersion === codex.version) return { text: kept, problem: null };
  try {
    return { text: (await captureBasePrompt(codex.bin, { timeoutMs: 60_000 })).text, problem: null };
  } catch (error) {
    return { text: null, problem: errorMessage(error) };
  }
}
