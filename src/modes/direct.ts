/**
 * The direct mode: Codex -> Z.ai's own Responses endpoint (https://api.z.ai/api/v1). No Python,
 * no proxy process, no extra hop. Z.ai documents it for Coding Plan keys.
 */
import type { SetupState } from '../inspect/inspect.js';
import { RESPONSES_ENDPOINTS, type Draft } from '../questions.js';
import type { SpendSource } from '../usage/spend.js';
import { commonAnswers, commonStored, PROFILE, providerAuth, rememberedChoices, remoteUnits } from './common.js';
import { remoteVerifier } from './proof-remote.js';
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
const verifier = remoteVerifier<DirectAnswers>('zai-responses', (a) => a.zaiKey, spendSource);

export const directMode: Mode<DirectAnswers> = {
  id: 'direct',
  title: 'straight from Z.ai\'s Responses endpoint',
  questions: ['mode', 'endpoint', 'zaiKey', 'model', 'models', 'makeDefault', 'codexAuth', 'shellRc', 'providerId', 'migrateProfiles'],
  localRuntime: false,
  answers: (draft: Draft): DirectAnswers => ({ mode: 'direct', ...commonAnswers(draft), apiBase: draft.endpoint, zaiKey: draft.zaiKey }),
  stored: ({ manifest, secrets }: Pick<SetupState, 'manifest' | 'secrets'>): DirectAnswers => ({
    mode: 'direct',
    ...commonStored(manifest),
    apiBase: manifest.apiBase ?? RESPONSES_ENDPOINTS.coding,
    zaiKey: secrets.ZAI_API_KEY ?? '',
  }),
  remember: (a) => ({ ...rememberedChoices(a), mode: 'direct', model: a.model, models: a.models, apiBase: a.apiBase }),
  // No fits(): a table of this tool's that fits no other mode is taken for this one.
  recovery: { providerId: DIRECT_PROVIDER_ID, read: (baseUrl) => (baseUrl ? { apiBase: baseUrl } : {}) },
  provider: (a: DirectAnswers, where) => directProvider(a.apiBase, providerAuth(DIRECT_KEY_ENV, where, a.codexAuth), a.providerId),
  upstream: (a) => a.apiBase,
  codexKey: (a) => ({ value: a.zaiKey, what: 'your Z.ai API key' }),
  spendSource,
  secrets: (a) => ({ ZAI_API_KEY: a.zaiKey }),
  summary: (v) => ({ where: `Endpoint: ${v.endpoint ?? '?'}`, here: [] }),
  units: remoteUnits<DirectAnswers>(),
  verify: verifier.verify,
  doctorVerify: verifier.doctorVerify,
};
