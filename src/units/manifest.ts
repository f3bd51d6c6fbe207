/** state.json: what the tool did (no secrets), so re-runs, repair and uninstall know what is theirs. */
import { DEFAULT_MODE, memoryOf, renderManifest, type Manifest } from '../config/manifest.js';
import type { Answers } from './answers.js';
import { createdPaths, writeOp } from './operations.js';
import type { Unit } from './types.js';

const MODE_KEYS = ['mode', 'apiBase', 'port', 'gatewayUrl', 'providerId', 'litellmLauncher', 'autostart', 'codexAuth'] as const;

/**
 * Planned last, from every other unit's data: the answers the mode remembers, what each unit asked
 * to remember, and every file any unit creates (the autostart file included, wherever it sits in the
 * order). Its write keeps its place in the mode's order, before the commands that may fail.
 */
export const manifestUnit: Unit<Answers> = {
  id: 'manifest',
  plan({ state, mode, answers, others }) {
    const manifest: Manifest = { ...state.manifest };
    const remembered = mode.remember(answers);
    // A switch keeps the answers of the mode left behind, so switching back comes back to them.
    const left = state.manifest.mode ?? (state.manifest.model !== undefined ? DEFAULT_MODE : undefined);
    const now = answers.mode;
    if (left !== undefined && left !== now) manifest.modes = { ...manifest.modes, [left]: memoryOf(state.manifest) };
    if (manifest.modes?.[now]) {
      const { [now]: _inUse, ...others } = manifest.modes;
      if (Object.keys(others).length > 0) manifest.modes = others;
      else delete manifest.modes;
    }
    // What another mode remembered goes (a switch from direct to local forgets `mode: direct`).
    for (const key of MODE_KEYS) if (!(key in remembered)) delete manifest[key];
    Object.assign(manifest, remembered);
    for (const other of others) {
      for (const [key, value] of Object.entries(other.remember ?? {})) {
        if (value === undefined) delete manifest[key as keyof Manifest];
        else (manifest as unknown as Record<string, unknown>)[key] = value;
      }
    }
    // A profile moved out of config.toml is the user's own: never among the files uninstall may delete.
    const moved = new Set(manifest.migratedProfiles ?? []);
    const created = others.flatMap((other) => createdPaths(other.operations));
    manifest.createdFiles = [...new Set([...(manifest.createdFiles ?? []), ...created])].filter((path) => !moved.has(path)).sort();
    return { operations: writeOp('glm-codex-setup state', state.paths.manifest, state.manifestFile.text, renderManifest(manifest), { mode: 0o600 }), remember: manifest };
  },
  undo(state) {
    if (state.manifestFile.text === null) return [];
    // Keep the last answers for a later setup; forget what the tool owned, it is gone now.
    const { mode, model, apiBase, port, gatewayUrl, providerId, litellmPython, modes } = state.manifest;
    // ownsProvider: false: a table the user adds under that id later is theirs, never taken over.
    const after = renderManifest(JSON.parse(JSON.stringify({ version: 1, mode, providerId, model, apiBase, port, gatewayUrl, litellmPython, modes, ownsProvider: false })));
    return writeOp('glm-codex-setup state', state.paths.manifest, state.manifestFile.text, after, { mode: 0o600 });
  },
  check: () => [],
};
