/**
 * The modes, by id. Adding one: a file beside this one, its line in MODES, and its row in
 * questions.ts (MODE_CHOICES, which names the modes and holds what the fast paths need of it).
 */
import type { SetupState } from '../inspect/inspect.js';
import type { Manifest } from '../config/manifest.js';
import { registerModeRecovery } from '../config/mode-registry.js';
import { DEFAULT_MODE, type ModeName } from '../questions.js';
import type { AnswersByMode } from '../units/answers.js';
import { directMode } from './direct.js';
import { gatewayMode } from './gateway.js';
import { localMode } from './local.js';
import type { Mode } from './types.js';

const BY_NAME: { [K in ModeName]: Mode<AnswersByMode[K]> } = { local: localMode, direct: directMode, gateway: gatewayMode };

export const MODES = BY_NAME as { [K in ModeName]: Mode };

// inspect/ reads a lost state.json back from the provider table with each mode's own rules.
registerModeRecovery(Object.fromEntries(Object.values(MODES).map((mode) => [mode.id, mode.recovery])));

/** The mode the last run set up (files from before modes: local), or null on a machine never set up. */
export function storedMode(state: Pick<SetupState, 'manifest'>): Mode | null {
  const { manifest } = state;
  if (manifest.mode) return MODES[manifest.mode];
  return manifest.model ? MODES[DEFAULT_MODE] : null;
}

/** The mode of this name; without one, the default. */
export function modeNamed(name: ModeName | undefined): Mode {
  return MODES[name ?? DEFAULT_MODE];
}

/** Every provider id this tool may have given Codex: each mode's own, and the --provider-id state.json remembers. */
export function toolProviderIds(manifest: Pick<Manifest, 'providerId'>): string[] {
  return [...new Set([...Object.values(MODES).map((mode) => mode.recovery.providerId), ...(manifest.providerId ? [manifest.providerId] : [])])];
}
