/** The modes, by id. Adding one: a file beside this one, registered here, plus the units it needs. */
import { localMode } from './local.js';
import type { Mode, ModeId } from './types.js';

export const MODES: { [K in ModeId]: Mode } = { local: localMode };

export function modeFor(id: ModeId | undefined): Mode {
  return MODES[id ?? 'local'];
}
