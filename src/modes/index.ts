/** The modes, by id. Adding one: a file beside this one, registered here, plus the units it needs. */
import type { SetupState } from '../inspect/inspect.js';
import type { Manifest } from '../config/manifest.js';
import { DEFAULT_MODE } from '../questions.js';
import { DIRECT_PROVIDER_ID, directMode } from './direct.js';
import { GATEWAY_PROVIDER_ID, gatewayMode } from './gateway.js';
import { LOCAL_PROVIDER_ID, localMode } from './local.js';
import type { Mode, ModeId } from './types.js';

export const MODES: { [K in ModeId]: Mode } = { local: localMode, direct: directMode, gateway: gatewayMode } as { [K in ModeId]: Mode };

/** The mode the last run set up (files from before modes: local), or null on a machine never set up. */
export function storedMode(state: Pick<SetupState, 'manifest'>): Mode | null {
  const { manifest } = state;
  if (manifest.mode) return MODES[manifest.mode];
  return manifest.model ? MODES[DEFAULT_MODE] : null;
}

/** The mode of this name; without one, the default. */
export function modeNamed(name: ModeId | undefined): Mode {
  return MODES[name ?? DEFAULT_MODE];
}

/** Every provider id this tool may have given Codex: each mode's own, and the --provider-id state.json remembers. */
export function toolProviderIds(manifest: Pick<Manifest, 'providerId'>): string[] {
  return [...new Set([LOCAL_PROVIDER_ID, DIRECT_PROVIDER_ID, GATEWAY_PROVIDER_ID, ...(manifest.providerId ? [manifest.providerId] : [])])];
}
