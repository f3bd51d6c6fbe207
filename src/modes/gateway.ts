/**
 * The gateway mode: Codex -> a team's shared LiteLLM (with Postgres, virtual keys and budgets),
 * with the developer's own virtual key. Nothing runs on this machine but Codex.
 */
import type { SetupState } from '../inspect/inspect.js';
import type { Draft } from '../questions.js';
import type { SpendSource } from '../usage/spend.js';
import { commonAnswers, commonStored, PROFILE, providerAuth, rememberedChoices, remoteUnits } from './common.js';
import { remoteVerifier } from './proof-remote.js';
import type { GatewayAnswers, Mode, ProviderAuth, ProviderSpec } from './types.js';

export const GATEWAY_PROVIDER_ID = 'glm-gateway';
export const GATEWAY_KEY_ENV = 'GLM_CODEX_GATEWAY_KEY';

export function gatewayProvider(gatewayUrl: string, auth: ProviderAuth, providerId?: string): ProviderSpec {
  return {
    id: providerId ?? GATEWAY_PROVIDER_ID,
    name: 'GLM via the team gateway (glm-codex-setup)',
    baseUrl: `${gatewayUrl}/v1`,
    auth,
    profile: PROFILE,
  };
}

/** `usage`, `doctor`, `status` and a refused validation ask this about what is spent. */
const spendSource = (a: GatewayAnswers): SpendSource => ({ kind: 'gateway-key', gatewayUrl: a.gatewayUrl, key: a.gatewayKey });
const verifier = remoteVerifier<GatewayAnswers>('litellm-gateway', (a) => a.gatewayKey, spendSource);

export const gatewayMode: Mode<GatewayAnswers> = {
  id: 'gateway',
  title: 'through your team\'s LiteLLM gateway',
  questions: ['mode', 'gatewayUrl', 'model', 'models', 'gatewayKey', 'makeDefault', 'codexAuth', 'shellRc', 'providerId', 'migrateProfiles'],
  localRuntime: false,
  answers: (draft: Draft): GatewayAnswers => ({ mode: 'gateway', ...commonAnswers(draft), gatewayUrl: draft.gatewayUrl, gatewayKey: draft.gatewayKey }),
  stored: ({ manifest, secrets }: Pick<SetupState, 'manifest' | 'secrets'>): GatewayAnswers => ({
    mode: 'gateway',
    ...commonStored(manifest),
    gatewayUrl: manifest.gatewayUrl ?? '',
    gatewayKey: secrets.GLM_CODEX_GATEWAY_KEY ?? '',
  }),
  remember: (a) => ({ ...rememberedChoices(a), mode: 'gateway', model: a.model, models: a.models, gatewayUrl: a.gatewayUrl }),
  recovery: {
    providerId: GATEWAY_PROVIDER_ID,
    fits: (_baseUrl, secrets) => secrets.GLM_CODEX_GATEWAY_KEY !== undefined && secrets.GLM_CODEX_GATEWAY_KEY !== '',
    read: (baseUrl) => (baseUrl.endsWith('/v1') ? { gatewayUrl: baseUrl.slice(0, -3) } : {}),
  },
  provider: (a: GatewayAnswers, where) => gatewayProvider(a.gatewayUrl, providerAuth(GATEWAY_KEY_ENV, where, a.codexAuth), a.providerId),
  upstream: (a) => a.gatewayUrl,
  codexKey: (a) => ({ value: a.gatewayKey, what: 'your gateway virtual key' }),
  spendSource,
  secrets: (a) => ({ GLM_CODEX_GATEWAY_KEY: a.gatewayKey }),
  summary: (v) => ({ where: `Gateway:  ${v.gatewayUrl ?? '?'}`, here: [] }),
  units: remoteUnits<GatewayAnswers>(),
  verify: verifier.verify,
  doctorVerify: verifier.doctorVerify,
};
