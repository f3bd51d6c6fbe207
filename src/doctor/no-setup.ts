/**
 * doctor where nothing of the tool's is there (a fresh HOME, or after `uninstall --purge`): one line
 * saying so and the command that sets one up, instead of a FAIL per missing file ("repair" a setup
 * that never was). A partial setup (any of these there) gets the detailed checks.
 */
import { readdir } from 'node:fs/promises';
import type { SetupState } from '../inspect/inspect.js';
import { mentionsStateDir } from '../inspect/manifest-recovery.js';
import { tildify } from '../paths.js';
import { cli } from '../invocation.js';
import { fail, type Check } from '../verify/check.js';

/** Nothing in the state dir, no glm profile file, no config.toml naming the state dir (where the tool's provider table would). */
export async function noSetupFound(state: SetupState): Promise<boolean> {
  const { paths } = state;
  if (state.manifestFile.text !== null || state.codexProfile.text !== null) return false;
  if (state.codexConfig.text !== null && mentionsStateDir(state.codexConfig.text, paths.stateDir)) return false;
  const entries = await readdir(paths.stateDir).catch(() => []);
  return entries.length === 0;
}

export function noSetupCheck(state: SetupState): Check {
  const { paths } = state;
  return fail('setup', `No setup found: nothing of glm-codex-setup's in ${tildify(paths.stateDir)} or ${tildify(paths.codexHome)}.`, `Run \`${cli()}\` to set one up.`);
}
