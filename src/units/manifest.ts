/** state.json: what the tool did (no secrets), so re-runs, repair and uninstall know what is theirs. */
import { renderManifest } from '../config/manifest.js';
import type { Answers } from '../modes/types.js';
import { createdPaths, writeOp } from '../plan/operations.js';
import type { Unit } from './types.js';

const MODE_KEYS = ['mode', 'apiBase', 'port', 'gatewayUrl', 'providerId', 'litellmLauncher', 'autostart', 'codexAuth'] as const;

export const manifestUnit: Unit<Answers> = {
  id: 'manifest',
  plan({ state, mode, answers, manifest, planned }) {
    const remembered = mode.remember(answers);
    // What another mode remembered goes (a switch from direct to local forgets `mode: direct`).
    for (const key of MODE_KEYS) if (!(key in remembered)) delete manifest[key];
    Object.assign(manifest, remembered);
    // A profile moved out of config.toml is the user's own: never among the files uninstall may delete.
    const moved = new Set(manifest.migratedProfiles ?? []);
    manifest.createdFiles = [...new Set([...(manifest.createdFiles ?? []), ...createdPaths(planned)])].filter((path) => !moved.has(path)).sort();
    return writeOp('glm-codex-setup state', state.paths.manifest, state.manifestFile.text, renderManifest(manifest), { mode: 0o600 });
  },
  undo(state) {
    if (state.manifestFile.text === null) return [];
    // Keep the last answers for a later setup; forget what the tool owned, it is gone now.
    const { mode, model, apiBase, port, gatewayUrl, providerId, litellmPython } = state.manifest;
    // ownsProvider: false: a table the user adds under that id later is theirs, never taken over.
    const after = renderManifest(JSON.parse(JSON.stringify({ version: 1, mode, providerId, model, apiBase, port, gatewayUrl, litellmPython, ownsProvider: false })));
    return writeOp('glm-codex-setup state', state.paths.manifest, state.manifestFile.text, after, { mode: 0o600 });
  },
  check: () => [],
};
