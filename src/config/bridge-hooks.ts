/**
 * glm_codex_hooks.py: LiteLLM callbacks the tool writes beside glm-bridge.yaml (templates/). They turn
 * Z.ai's refusals into answers Codex puts into words at once, and add GLM's Coding Plan windows to every
 * answer as Codex's rate-limit headers. The file is the tool's: rewritten whole on every run.
 */
import { createHash } from 'node:crypto';
import { readTemplate } from '../templates.js';

export const HOOKS_TEMPLATE = 'glm_codex_hooks.py';
/** How glm-bridge.yaml names the callback: `<module>.<instance>`, the module found beside the config. */
export const HOOKS_CALLBACK = 'glm_codex_hooks.handler';

let source: string | undefined;

export function hooksSource(): string {
  source ??= readTemplate(HOOKS_TEMPLATE);
  return source;
}

/** Changes when the callbacks change, so a proxy running older ones counts as running an older configuration. */
export function hooksFingerprint(): string {
  return createHash('sha256').update(hooksSource()).digest('hex').slice(0, 16);
}
