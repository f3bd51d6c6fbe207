/** state.json: what the tool did (no secrets), so re-runs, repair and uninstall know what is theirs. */
import { renderManifest } from '../config/manifest.js';
import type { Answers } from '../modes/types.js';
import { createdPaths, writeOp } from '../plan/operations.js';
import type { Unit } from './types.js';

export const manifestUnit: Unit<Answers> = {
  id: 'manifest',
  plan({ state, answers, manifest, planned }) {
    Object.assign(manifest, { model: answers.model, apiBase: answers.apiBase, port: answers.port });
    if (answers.litellmPython) manifest.litellmPython = answers.litellmPython;
    manifest.createdFiles = [...new Set([...(manifest.createdFiles ?? []), ...createdPaths(planned)])].sort();
    return writeOp('glm-codex-setup state', state.paths.manifest, state.manifestFile.text, renderManifest(manifest), { mode: 0o600 });
  },
  undo(state) {
    if (state.manifestFile.text === null) return [];
    // Keep the last answers for a later setup; forget what the tool owned, it is gone now.
    const { model, apiBase, port, litellmPython } = state.manifest;
    const after = renderManifest({ version: 1, model, apiBase, port, ...(litellmPython ? { litellmPython } : {}) });
    return writeOp('glm-codex-setup state', state.paths.manifest, state.manifestFile.text, after, { mode: 0o600 });
  },
  check: () => [],
};
