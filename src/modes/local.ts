/** The local mode (the default): Codex -> LiteLLM on 127.0.0.1 -> Z.ai's Chat Completions. */
import { keptMasterKey } from '../config/secrets.js';
import type { SetupState } from '../inspect/inspect.js';
import { detectLiteLLM, venvLauncher } from '../runtime/litellm.js';
import { findPython } from '../runtime/python.js';
import type { RuntimePlan } from '../runtime/runtime.js';
import { CODING_PLAN_NOTE, DEFAULT_PORT, ENDPOINTS, type Draft } from '../questions.js';
import { commonAnswers, commonStored, keyInstructions, PROFILE, providerAuth, rememberedChoices } from './common.js';
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
import { doctorVerifyLocal, verifyLocal } from './proof-local.js';
import type { LocalAnswers, Mode, ProviderAuth, ProviderSpec } from './types.js';
import { cli } from '../invocation.js';

export const LOCAL_PROVIDER_ID = 'glm-litellm';
export const LOCAL_KEY_ENV = 'LITELLM_API_KEY';
/** The base URL of the provider table this mode writes. */
const LOCAL_URL = /^http:\/\/127\.0\.0\.1:(\d+)\/v1$/;

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
      ...commonAnswers(draft),
      apiBase: draft.endpoint,
      port: draft.port,
      zaiKey: draft.zaiKey,
      // A weak stored key (short, repetitive) is replaced: the proxy answers any web page on localhost.
      masterKey: keptMasterKey(state.secrets.LITELLM_MASTER_KEY),
      litellmPython: python ?? state.manifest.litellmPython,
      // The venv's launcher only once this run installs it: state.json never names a LiteLLM that is not there.
      litellmLauncher: runtime?.chosen?.launcher ?? (runtime?.needsInstall ? venvLauncher(state.paths.venv) : state.manifest.litellmLauncher),
      autostart: draft.autostart,
    };
  },
  stored(state: Pick<SetupState, 'manifest' | 'secrets'>): LocalAnswers {
    const { manifest, secrets } = state;
    return {
      mode: 'local',
      ...commonStored(manifest),
      apiBase: manifest.apiBase ?? ENDPOINTS.coding,
      port: manifest.port ?? DEFAULT_PORT,
      zaiKey: secrets.ZAI_API_KEY ?? '',
      masterKey: secrets.LITELLM_MASTER_KEY ?? '',
      litellmPython: manifest.litellmPython,
      litellmLauncher: manifest.litellmLauncher,
      autostart: manifest.autostart ?? false,
    };
  },
  remember: (a) => ({ ...rememberedChoices(a), model: a.model, models: a.models, apiBase: a.apiBase, port: a.port, ...(a.litellmPython ? { litellmPython: a.litellmPython } : {}), ...(a.litellmLauncher ? { litellmLauncher: a.litellmLauncher } : {}), ...(a.autostart ? { autostart: true } : {}) }),
  recovery: {
    providerId: LOCAL_PROVIDER_ID,
    fits: (baseUrl, secrets) => LOCAL_URL.test(baseUrl) && secrets.LITELLM_MASTER_KEY !== undefined && secrets.LITELLM_MASTER_KEY !== '',
    read: (baseUrl) => {
      const port = LOCAL_URL.exec(baseUrl)?.[1];
      return port ? { port: Number(port) } : {};
    },
  },
  provider: (answers: LocalAnswers, where) => localProvider(answers.port, providerAuth(LOCAL_KEY_ENV, where, answers.codexAuth), answers.providerId),
  upstream: (a) => a.apiBase,
  codexKey: (a) => ({ value: a.masterKey, what: 'the local LiteLLM proxy key' }),
  spendSource: (a) => ({ kind: 'zai-quota', apiBase: a.apiBase, key: a.zaiKey }),
  secrets: (a) => ({ ZAI_API_KEY: a.zaiKey, LITELLM_MASTER_KEY: a.masterKey }),
  summary: (v) => ({ where: `Endpoint: ${v.endpoint ?? '?'}`, here: [`Port:     ${v.port ?? '?'}${v.stored ? ' (proxy on 127.0.0.1)' : ''}`] }),
  prepare: (lookup) => lookup(),
  async doctorRuntime({ venv, python }) {
    return detectLiteLLM(venv, await findPython(python).catch(() => null));
  },
  firstRunNote: CODING_PLAN_NOTE,
  // `start` runs a LiteLLM that is there; one that --no-start did not install comes from setup itself.
  notStarted: (runtime) =>
    runtime?.chosen
      ? `No proxy was started (--no-start). Start it with: ${cli('start')}`
      : `No proxy was started, and LiteLLM is not in the state dir yet (--no-start). To find or install it and start the proxy: ${cli()}`,
  // Files first (state.json last among them, it lists what the others created), then the proxy.
  units: [secretsUnit, shellEnvUnit, bridgeUnit, catalogUnit, profileUnit, authCommandUnit, codexConfigUnit, manifestUnit, proxyUnit, autostartUnit],
  verify: verifyLocal,
  doctorVerify: doctorVerifyLocal,
};
