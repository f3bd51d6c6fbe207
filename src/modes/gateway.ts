/**
 * The gateway mode: Codex -> a team's shared LiteLLM (with Postgres, virtual keys and budgets),
 * with the developer's own virtual key. Nothing runs on this machine but Codex.
 */
import type { SetupState } from '../inspect/inspect.js';
import { DEFAULT_MODEL, type Draft } from '../questions.js';
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
const verifier = remoteVerifier<GatewayAnswers>('gateway', (a) => a.gatewayKey, spendSource);

export const gatewayMode: Mode<GatewayAnswers> = {
  id: 'gateway',
  title: 'through your team\'s LiteLLM gateway',
  questions: ['mode', 'gatewayUrl', 'model', 'models', 'gatewayKey', 'makeDefault', 'codexAuth', 'shellRc', 'providerId', 'migrateProfiles'],
  localRuntime: false,
  answers: (draft: Draft): GatewayAnswers => ({
    mode: 'gateway',
    providerId: draft.providerId,
    codexAuth: draft.codexAuth,
    model: draft.model,
    models: draft.models,
    gatewayUrl: draft.gatewayUrl,
    gatewayKey: draft.gatewayKey,
    makeDefault: draft.makeDefault,
    shellRc: draft.shellRc,
    migrateProfiles: draft.migrateProfiles,
  }),
  stored: ({ manifest, secrets }: Pick<SetupState, 'manifest' | 'secrets'>): GatewayAnswers => ({
    mode: 'gateway',
    providerId: manifest.providerId,
    codexAuth: manifest.codexAuth ?? 'command',
    model: manifest.model ?? DEFAULT_MODEL,
    models: manifest.models ?? [manifest.model ?? DEFAULT_MODEL],
    gatewayUrl: manifest.gatewayUrl ?? '',
    gatewayKey: secrets.GLM_CODEX_GATEWAY_KEY ?? '',
    makeDefault: undefined,
    shellRc: (manifest.rcFiles ?? []).length > 0,
    migrateProfiles: false,
  }),
  remember: (a) => ({ ...(a.providerId ? { providerId: a.providerId } : {}), ...(a.codexAuth === 'env' ? { codexAuth: 'env' as const } : {}), mode: 'gateway', model: a.model, models: a.models, gatewayUrl: a.gatewayUrl }),
  provider: (a: GatewayAnswers, where) => gatewayProvider(a.gatewayUrl, providerAuth(GATEWAY_KEY_ENV, where, a.codexAuth), a.providerId),
  upstream: (a) => a.gatewayUrl,
  codexKey: (a) => ({ value: a.gatewayKey, what: 'your gateway virtual key' }),
  spendSource,
  secrets: (a) => ({ GLM_CODEX_GATEWAY_KEY: a.gatewayKey }),
  units: [secretsUnit, shellEnvUnit, catalogUnit, profileUnit, authCommandUnit, codexConfigUnit, manifestUnit],
  verify: verifier.verify,
  doctorVerify: verifier.doctorVerify,
};
