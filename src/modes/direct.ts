/**
 * The direct mode: Codex -> Z.ai's own Responses endpoint (https://api.z.ai/api/v1). No Python,
 * no proxy process, no extra hop. Z.ai documents it for Coding Plan keys.
 */
import type { SetupState } from '../inspect/inspect.js';
import { DEFAULT_MODEL, RESPONSES_ENDPOINTS, type Draft } from '../questions.js';
import { authCommandUnit } from '../units/auth-command.js';
import { catalogUnit } from '../units/catalog.js';
import { codexConfigUnit } from '../units/codex-config.js';
import { manifestUnit } from '../units/manifest.js';
import { profileUnit } from '../units/profile.js';
import { secretsUnit } from '../units/secrets.js';
import { shellEnvUnit } from '../units/shell-env.js';
import { remoteVerifier } from '../verify/remote.js';
import type { SpendSource } from '../usage/spend.js';
import { PROFILE, providerAuth } from './local.js';
import type { DirectAnswers, Mode, ProviderAuth, ProviderSpec } from './types.js';

export const DIRECT_PROVIDER_ID = 'glm-zai';
export const DIRECT_KEY_ENV = 'GLM_CODEX_ZAI_KEY';

export function directProvider(baseUrl: string, auth: ProviderAuth, providerId?: string): ProviderSpec {
  return {
    id: providerId ?? DIRECT_PROVIDER_ID,
    name: 'GLM direct from Z.ai (glm-codex-setup)',
    baseUrl,
    auth,
    profile: PROFILE,
  };
}

/** `usage`, `doctor`, `status` and a refused validation ask this about what is spent. */
const spendSource = (a: DirectAnswers): SpendSource => ({ kind: 'zai-quota', apiBase: a.apiBase, key: a.zaiKey });
const verifier = remoteVerifier<DirectAnswers>('direct', (a) => a.zaiKey, spendSource);

export const directMode: Mode<DirectAnswers> = {
  id: 'direct',
  title: 'straight from Z.ai\'s Responses endpoint',
  questions: ['mode', 'endpoint', 'zaiKey', 'model', 'models', 'makeDefault', 'codexAuth', 'shellRc', 'providerId', 'migrateProfiles'],
  localRuntime: false,
  answers: (draft: Draft): DirectAnswers => ({
    mode: 'direct',
    providerId: draft.providerId,
    codexAuth: draft.codexAuth,
    model: draft.model,
    models: draft.models,
    apiBase: draft.endpoint,
    zaiKey: draft.zaiKey,
    makeDefault: draft.makeDefault,
    shellRc: draft.shellRc,
    migrateProfiles: draft.migrateProfiles,
  }),
  stored: ({ manifest, secrets }: Pick<SetupState, 'manifest' | 'secrets'>): DirectAnswers => ({
    mode: 'direct',
    providerId: manifest.providerId,
    codexAuth: manifest.codexAuth ?? 'command',
    model: manifest.model ?? DEFAULT_MODEL,
    models: manifest.models ?? [manifest.model ?? DEFAULT_MODEL],
    apiBase: manifest.apiBase ?? RESPONSES_ENDPOINTS.coding,
    zaiKey: secrets.ZAI_API_KEY ?? '',
    makeDefault: undefined,
    shellRc: (manifest.rcFiles ?? []).length > 0,
    migrateProfiles: false,
  }),
  remember: (a) => ({ ...(a.providerId ? { providerId: a.providerId } : {}), ...(a.codexAuth === 'env' ? { codexAuth: 'env' as const } : {}), mode: 'direct', model: a.model, models: a.models, apiBase: a.apiBase }),
  provider: (a: DirectAnswers, where) => directProvider(a.apiBase, providerAuth(DIRECT_KEY_ENV, where, a.codexAuth), a.providerId),
  upstream: (a) => a.apiBase,
  codexKey: (a) => ({ value: a.zaiKey, what: 'your Z.ai API key' }),
  spendSource,
  secrets: (a) => ({ ZAI_API_KEY: a.zaiKey }),
  units: [secretsUnit, shellEnvUnit, catalogUnit, profileUnit, authCommandUnit, codexConfigUnit, manifestUnit],
  verify: verifier.verify,
  doctorVerify: verifier.doctorVerify,
};
