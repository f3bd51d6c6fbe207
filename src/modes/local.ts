/** The local mode (the default): Codex -> LiteLLM on 127.0.0.1 -> Z.ai's Chat Completions. */
import { keptMasterKey } from '../config/secrets.js';
import type { SetupState } from '../inspect/inspect.js';
import { tildify } from '../paths.js';
import { venvLauncher } from '../runtime/litellm.js';
import type { RuntimePlan } from '../runtime/runtime.js';
import { DEFAULT_MODEL, DEFAULT_PORT, ENDPOINTS, type Draft } from '../questions.js';
import { bridgeUnit } from '../units/bridge.js';
import { authCommandUnit } from '../units/auth-command.js';
import { autostartUnit } from '../units/autostart.js';
import { catalogUnit } from '../units/catalog.js';
import { codexConfigUnit } from '../units/codex-config.js';
import { manifestUnit } from '../units/manifest.js';
import { profileUnit } from '../units/profile.js';
import { proxyUnit } from '../units/proxy.js';
import { secretsUnit } from '../units/secrets.js';
import { shellEnvUnit } from '../units/shell-env.js';
import { doctorVerifyLocal, verifyLocal } from '../verify/local.js';
import { codexAuthTable, supportsCommandAuth } from '../config/codex-auth.js';
import type { LocalAnswers, Mode, ProviderAuth, ProviderSpec } from './types.js';
import { cli } from '../invocation.js';

export const LOCAL_PROVIDER_ID = 'glm-litellm';
export const LOCAL_KEY_ENV = 'LITELLM_API_KEY';
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

export function localProvider(port: number, auth: ProviderAuth = { envVar: LOCAL_KEY_ENV, instructions: keyInstructions('~/.glm-codex'), command: null }, providerId?: string): ProviderSpec {
  return {
    id: providerId ?? LOCAL_PROVIDER_ID,
    name: 'GLM via LiteLLM (glm-codex-setup)',
    baseUrl: `http://127.0.0.1:${port}/v1`,
    auth,
    profile: PROFILE,
  };
}

export const localMode: Mode<LocalAnswers> = {
  id: 'local',
  title: 'through a local LiteLLM proxy',
  questions: ['mode', 'endpoint', 'zaiKey', 'model', 'models', 'port', 'makeDefault', 'codexAuth', 'shellRc', 'autostart', 'providerId', 'migrateProfiles'],
  localRuntime: true,
  answers(draft: Draft, state: SetupState, runtime: RuntimePlan | null): LocalAnswers {
    // A LiteLLM found through a Python the user named is remembered for later runs.
    const python = runtime?.chosen?.source === 'python' ? runtime.chosen.python : undefined;
    return {
      mode: 'local',
      providerId: draft.providerId,
      codexAuth: draft.codexAuth,
      model: draft.model,
      models: draft.models,
      apiBase: draft.endpoint,
      port: draft.port,
      zaiKey: draft.zaiKey,
      // A weak stored key (short, repetitive) is replaced: the proxy answers any web page on localhost.
      masterKey: keptMasterKey(state.secrets.LITELLM_MASTER_KEY),
      makeDefault: draft.makeDefault,
      litellmPython: python ?? state.manifest.litellmPython,
      litellmLauncher: runtime ? (runtime.chosen?.launcher ?? venvLauncher(state.paths.venv)) : state.manifest.litellmLauncher,
      autostart: draft.autostart,
      shellRc: draft.shellRc,
      migrateProfiles: draft.migrateProfiles,
    };
  },
  stored(state: Pick<SetupState, 'manifest' | 'secrets'>): LocalAnswers {
    const { manifest, secrets } = state;
    return {
      mode: 'local',
      providerId: manifest.providerId,
      codexAuth: manifest.codexAuth ?? 'command',
      model: manifest.model ?? DEFAULT_MODEL,
      models: manifest.models ?? [manifest.model ?? DEFAULT_MODEL],
      apiBase: manifest.apiBase ?? ENDPOINTS.coding,
      port: manifest.port ?? DEFAULT_PORT,
      zaiKey: secrets.ZAI_API_KEY ?? '',
      masterKey: secrets.LITELLM_MASTER_KEY ?? '',
      makeDefault: undefined,
      litellmPython: manifest.litellmPython,
      litellmLauncher: manifest.litellmLauncher,
      autostart: manifest.autostart ?? false,
      shellRc: (manifest.rcFiles ?? []).length > 0,
      migrateProfiles: false,
    };
  },
  remember: (a) => ({ ...(a.providerId ? { providerId: a.providerId } : {}), ...(a.codexAuth === 'env' ? { codexAuth: 'env' as const } : {}), model: a.model, models: a.models, apiBase: a.apiBase, port: a.port, ...(a.litellmPython ? { litellmPython: a.litellmPython } : {}), ...(a.litellmLauncher ? { litellmLauncher: a.litellmLauncher } : {}), ...(a.autostart ? { autostart: true } : {}) }),
  provider: (answers: LocalAnswers, where) => localProvider(answers.port, providerAuth(LOCAL_KEY_ENV, where, answers.codexAuth), answers.providerId),
  upstream: (a) => a.apiBase,
  codexKey: (a) => ({ value: a.masterKey, what: 'the local LiteLLM proxy key' }),
  spendSource: (a) => ({ kind: 'zai-quota', apiBase: a.apiBase, key: a.zaiKey }),
  secrets: (a) => ({ ZAI_API_KEY: a.zaiKey, LITELLM_MASTER_KEY: a.masterKey }),
  // Files first (state.json last among them, it lists what the others created), then the proxy.
  units: [secretsUnit, shellEnvUnit, bridgeUnit, catalogUnit, profileUnit, authCommandUnit, codexConfigUnit, manifestUnit, proxyUnit, autostartUnit],
  verify: verifyLocal,
  doctorVerify: doctorVerifyLocal,
};
