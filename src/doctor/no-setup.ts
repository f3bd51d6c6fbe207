/**
 * doctor where nothing of the tool's is there (a fresh HOME, or after `uninstall --purge`): one line
 * saying so and the command that sets one up, instead of a FAIL per missing file ("repair" a setup
 * that never was). A partial setup (any of these there) gets the detailed checks; what `uninstall`
 * keeps (the marker, backups, a kept venv, uv) is not a setup.
 */
import { readdir } from 'node:fs/promises';
import type { SetupState } from '../inspect/inspect.js';
import { mentionsStateDir } from '../inspect/manifest-recovery.js';
import { tildify } from '../paths.js';
import { cli } from '../invocation.js';
import { STATE_DIR_MARKER } from '../fs/state-dir.js';
import { parseOrNull } from '../units/codex-config.js';
import { fail, type Check } from '../verify/check.js';

/** What `uninstall` (without --purge) keeps in the state dir: none of it is a setup. */
const KEPT_BY_UNINSTALL = new Set([STATE_DIR_MARKER, 'backups', 'venv', 'uv']);

/**
 * Null when something of a setup is there. Otherwise what an earlier setup left that uninstall keeps
 * (backups, an installed LiteLLM, uv; empty on a fresh HOME). Looked at: the state dir, the glm
 * profile file, a config.toml naming the state dir (where the tool's provider table would), and
 * config.toml itself: one that does not parse is reported by the detailed checks.
 */
export async function noSetupFound(state: SetupState): Promise<string[] | null> {
  const { paths } = state;
  if (state.manifestFile.text !== null || state.codexProfile.text !== null) return null;
  if (state.codexConfig.text !== null && mentionsStateDir(state.codexConfig.text, paths.stateDir)) return null;
  const entries = await readdir(paths.stateDir).catch(() => [] as string[]);
  if (entries.some((name) => !KEPT_BY_UNINSTALL.has(name))) return null;
  // A config.toml Codex cannot read is worth more than "no setup": the detailed checks name its line.
  if (state.codexConfig.text !== null && parseOrNull(state.codexConfig, paths.codexConfig) === null) return null;
  return entries.filter((name) => name !== STATE_DIR_MARKER).sort();
}

const KEPT_WORDS: Record<string, string> = { backups: 'backups', venv: 'the LiteLLM venv', uv: 'uv' };

export function noSetupCheck(state: SetupState, kept: string[] = []): Check {
  const { paths } = state;
  const where = `${tildify(paths.stateDir)} or ${tildify(paths.codexHome)}`;
  const message =
    kept.length === 0
      ? `No setup found: nothing of glm-codex-setup's in ${where}.`
      : `No setup found in ${where}; ${tildify(paths.stateDir)} holds only what an uninstall keeps (${kept.map((name) => KEPT_WORDS[name] ?? name).join(', ')}).`;
  return fail('setup', message, `Run \`${cli()}\` to set one up.`);
}
