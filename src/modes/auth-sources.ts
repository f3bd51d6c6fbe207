/**
 * What Codex's auth command (`auth-token`) prints in each mode, and whether it brings up the local
 * proxy first. Apart from the mode files on purpose: Codex runs that command before its requests,
 * and this table loads nothing else.
 */
import type { Secrets } from '../config/secrets.js';
import { DEFAULT_MODE, type ModeName } from '../questions.js';

export interface AuthSource {
  /** The secrets.env entry it prints. */
  key: keyof Secrets;
  /** It makes sure the local proxy runs first (and leaves a stand-in that explains a failure). */
  startsProxy: boolean;
}

const AUTH_SOURCES: Record<ModeName, AuthSource> = {
  local: { key: 'LITELLM_MASTER_KEY', startsProxy: true },
  direct: { key: 'ZAI_API_KEY', startsProxy: false },
  gateway: { key: 'GLM_CODEX_GATEWAY_KEY', startsProxy: false },
};

/** For the mode state.json names (none: a setup from before modes, local). */
export function authSource(mode: ModeName | undefined): AuthSource {
  return AUTH_SOURCES[mode ?? DEFAULT_MODE];
}
