/** What every mode shares: the profile, how the key reaches Codex, the answers all modes ask, the units of a mode that runs nothing here. */
import { codexAuthTable, supportsCommandAuth } from '../config/codex-auth.js';
import type { Manifest } from '../config/manifest.js';
import type { SetupState } from '../inspect/inspect.js';
import { cli } from '../invocation.js';
import { tildify } from '../paths.js';
import { DEFAULT_MODEL, type Draft } from '../questions.js';
import type { Answers, CommonAnswers } from '../units/answers.js';
import { authCommandUnit } from '../units/auth-command.js';
import { catalogUnit } from '../units/catalog.js';
import { codexConfigUnit } from '../units/codex-config.js';
import { manifestUnit } from '../units/manifest.js';
import { profileUnit } from '../units/profile.js';
import { secretsUnit } from '../units/secrets.js';
import { shellEnvUnit } from '../units/shell-env.js';
import type { Unit } from '../units/types.js';
import type { ProviderAuth } from './types.js';

/** Every mode writes the same profile: `codex --profile glm`. */
export const PROFILE = 'glm';

/** Codex shows this when the provider's variable is missing. */
export function keyInstructions(stateDir: string): string {
  return `Open a new terminal, or run \`${cli()}\` to repair the setup (the key is kept in ${tildify(stateDir)}/secrets.env).`;
}

/** Command-backed auth where the installed Codex has it (0.160+), else the environment variable. */
export function providerAuth(envVar: string, where: Pick<SetupState, 'paths' | 'codex'>, choice: 'command' | 'env' = 'command'): ProviderAuth {
  const { version } = where.codex;
  const command = choice === 'command' && version !== null && supportsCommandAuth(version) ? codexAuthTable({ stateDir: where.paths.stateDir }) : null;
  return { envVar, instructions: keyInstructions(where.paths.stateDir), command };
}

/** The answers every mode asks, from the resolved questions. */
export function commonAnswers(draft: Draft): CommonAnswers {
  return { providerId: draft.providerId, codexAuth: draft.codexAuth, model: draft.model, models: draft.models, makeDefault: draft.makeDefault, shellRc: draft.shellRc, migrateProfiles: draft.migrateProfiles };
}

/** The same, as the last run left them. */
export function commonStored(manifest: Manifest): CommonAnswers {
  return {
    providerId: manifest.providerId,
    codexAuth: manifest.codexAuth ?? 'command',
    model: manifest.model ?? DEFAULT_MODEL,
    models: manifest.models ?? [manifest.model ?? DEFAULT_MODEL],
    makeDefault: undefined,
    shellRc: (manifest.rcFiles ?? []).length > 0,
    migrateProfiles: false,
  };
}

/** What state.json keeps of the common answers when they differ from the defaults (first in the file). */
export function rememberedChoices(a: CommonAnswers): Partial<Manifest> {
  return { ...(a.providerId ? { providerId: a.providerId } : {}), ...(a.codexAuth === 'env' ? { codexAuth: 'env' as const } : {}) };
}

/** A mode that runs nothing on this machine: files only, in write order (state.json last, it lists what the others created). */
export function remoteUnits<A extends Answers>(): Unit<A>[] {
  return [secretsUnit, shellEnvUnit, catalogUnit, profileUnit, authCommandUnit, codexConfigUnit, manifestUnit] as Unit<A>[];
}
