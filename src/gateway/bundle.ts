/**
 * The team gateway bundle's files: compose.yaml (LiteLLM's database image + Postgres 16),
 * config.yaml (the GLM models routed to Z.ai, priced), .env (generated secrets) and README.md.
 * Rendering only; init.ts writes them.
 */
import { cli } from '../invocation.js';
import { randomBytes } from 'node:crypto';
import { ENDPOINTS } from '../questions.js';
import { readTemplate } from '../templates.js';

/** The LiteLLM release the project's tests prove (the bridge form and the no-database answers). */
export const GATEWAY_LITELLM_VERSION = '1.108.7';
/** LiteLLM publishes each release as ghcr.io/berriai/<image>:v<version> (release notes: "Same command for litellm-database"). */
export const GATEWAY_LITELLM_IMAGE = `ghcr.io/berriai/litellm-database:v${GATEWAY_LITELLM_VERSION}`;
export const GATEWAY_POSTGRES_IMAGE = 'postgres:16';
/** Where compose publishes the proxy unless .env says otherwise: loopback, so nothing is exposed by accident. */
export const GATEWAY_DEFAULT_BIND = '127.0.0.1';
export const GATEWAY_DEFAULT_PORT = 4000;
/** A team gateway bills pay-as-you-go: Coding Plan keys are personal subscriptions. */
export const GATEWAY_DEFAULT_API_BASE = ENDPOINTS.general;

export interface GatewayModel {
  id: string;
  /** US dollars per million tokens, from Z.ai's price list (docs.z.ai, "Pricing"; November 2026). */
  inputPerMillion: number;
  cachedInputPerMillion: number;
  outputPerMillion: number;
}

/**
 * Z.ai lists GLM-5.3, GLM-5.2 and GLM-5.1 at $1.40 input, $0.26 cached input, $4.40 output per
 * million tokens; LiteLLM's own cost map carries the same figures for zai/glm-5.x, but not for the
 * openai/glm-* form the bridge needs, so without these a budget never trips.
 */
export const GATEWAY_MODELS: readonly GatewayModel[] = [
  { id: 'glm-5.3', inputPerMillion: 1.4, cachedInputPerMillion: 0.26, outputPerMillion: 4.4 },
  { id: 'glm-5.2', inputPerMillion: 1.4, cachedInputPerMillion: 0.26, outputPerMillion: 4.4 },
  { id: 'glm-5.1', inputPerMillion: 1.4, cachedInputPerMillion: 0.26, outputPerMillion: 4.4 },
];

export const GATEWAY_FILES = ['compose.yaml', 'config.yaml', '.env', 'README.md'] as const;
export type GatewayFile = (typeof GATEWAY_FILES)[number];

export interface GatewaySecrets {
  LITELLM_MASTER_KEY: string;
  LITELLM_SALT_KEY: string;
  POSTGRES_PASSWORD: string;
  DATABASE_URL: string;
}
export const GATEWAY_ENV_NAMES = ['ZAI_API_KEY', 'LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'POSTGRES_PASSWORD', 'DATABASE_URL'] as const;
export type GatewayEnvName = (typeof GATEWAY_ENV_NAMES)[number];

export const POSTGRES_USER = 'litellm';
export const POSTGRES_DB = 'litellm';

export function databaseUrl(password: string): string {
  return `postgresql://${POSTGRES_USER}:${password}@db:5432/${POSTGRES_DB}`;
}

/** Master key: `sk-` + 256 random bits (LiteLLM wants the prefix). Salt key likewise; hex keeps .env and URLs plain. */
export function generateGatewaySecrets(): GatewaySecrets {
  const password = randomBytes(24).toString('hex');
  return {
    LITELLM_MASTER_KEY: `sk-${randomBytes(32).toString('hex')}`,
    LITELLM_SALT_KEY: `sk-${randomBytes(32).toString('hex')}`,
    POSTGRES_PASSWORD: password,
    DATABASE_URL: databaseUrl(password),
  };
}

/** `NAME=value` lines of a .env file (quotes stripped); later lines win, as in compose. */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (match) values.set(match[1]!, match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2'));
  }
  return values;
}

const ENV_COMMENTS: Record<GatewayEnvName, string> = {
  ZAI_API_KEY: '# Your Z.ai API key (pay-as-you-go: https://z.ai/manage-apikey/apikey-list). compose refuses to start while it is empty.',
  LITELLM_MASTER_KEY: '# The gateway\'s admin key: it creates and deletes developer keys. Never give it to a developer.',
  LITELLM_SALT_KEY:
    '# Encrypts the credentials LiteLLM stores in Postgres. NEVER change it after the first start:\n# with another salt key the stored credentials can no longer be read. Back it up with the database.',
  POSTGRES_PASSWORD: '# The database password. Postgres keeps the one it was first started with: change both lines together only on a new volume.',
  DATABASE_URL: '# How LiteLLM reaches Postgres (the compose service "db").',
};

export function renderEnvFile(secrets: GatewaySecrets, zaiKey = ''): string {
  const values: Record<GatewayEnvName, string> = { ZAI_API_KEY: zaiKey, ...secrets };
  const lines = ['# Secrets of the GLM gateway, written by glm-codex-setup gateway init.', '# Keep this file private (mode 0600) and back it up: compose.yaml reads it.', ''];
  for (const name of GATEWAY_ENV_NAMES) lines.push(ENV_COMMENTS[name], `${name}=${values[name]}`, '');
  lines.push(`# Where compose publishes the proxy on this host (default ${GATEWAY_DEFAULT_BIND}:${GATEWAY_DEFAULT_PORT}). See README.md before changing it.`);
  lines.push(`# GATEWAY_BIND=${GATEWAY_DEFAULT_BIND}`, `# GATEWAY_PORT=${GATEWAY_DEFAULT_PORT}`);
  return `${lines.join('\n')}\n`;
}

/** The lines to append to an existing .env so it has every variable the bundle needs; existing values stay. */
export function missingEnvLines(existing: Map<string, string>): string[] {
  const lines: string[] = [];
  const fresh = generateGatewaySecrets();
  const has = (name: string) => (existing.get(name) ?? '') !== '';
  if (!existing.has('ZAI_API_KEY')) lines.push(ENV_COMMENTS.ZAI_API_KEY, 'ZAI_API_KEY=');
  for (const name of ['LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY'] as const) {
    if (!has(name)) lines.push(ENV_COMMENTS[name], `${name}=${fresh[name]}`);
  }
  const password = existing.get('POSTGRES_PASSWORD') || passwordFromUrl(existing.get('DATABASE_URL')) || fresh.POSTGRES_PASSWORD;
  if (!has('POSTGRES_PASSWORD')) lines.push(ENV_COMMENTS.POSTGRES_PASSWORD, `POSTGRES_PASSWORD=${password}`);
  if (!has('DATABASE_URL')) lines.push(ENV_COMMENTS.DATABASE_URL, `DATABASE_URL=${databaseUrl(password)}`);
  return lines;
}

function passwordFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Per-million prices as per-token decimals; plain decimals read the same in YAML 1.1 and 1.2. */
function perToken(perMillion: number): string {
  return (perMillion / 1_000_000).toFixed(12).replace(/0+$/, '');
}

/** Every string double-quoted (JSON strings are YAML double-quoted scalars), so YAML 1.1 and 1.2 agree. */
export function renderGatewayConfig(apiBase: string = GATEWAY_DEFAULT_API_BASE, models: readonly GatewayModel[] = GATEWAY_MODELS): string {
  const q = (value: string) => JSON.stringify(value);
  const lines = [
    '# LiteLLM gateway configuration written by glm-codex-setup gateway init.',
    '# Codex speaks the Responses API; `use_chat_completions_api: true` makes LiteLLM bridge it to',
    "# Z.ai's Chat Completions endpoint. The prices let key budgets count: LiteLLM's cost map has",
    '# no entry for openai/glm-*. Secrets come from .env through the environment.',
    'model_list:',
  ];
  for (const model of models) {
    lines.push(
      `  - model_name: ${q(model.id)}`,
      '    litellm_params:',
      `      model: ${q(`openai/${model.id}`)}`,
      `      api_base: ${q(apiBase)}`,
      `      api_key: ${q('os.environ/ZAI_API_KEY')}`,
      '      use_chat_completions_api: true',
      `      input_cost_per_token: ${perToken(model.inputPerMillion)}`,
      `      cache_read_input_token_cost: ${perToken(model.cachedInputPerMillion)}`,
      `      output_cost_per_token: ${perToken(model.outputPerMillion)}`,
    );
  }
  lines.push('general_settings:', `  master_key: ${q('os.environ/LITELLM_MASTER_KEY')}`, `  database_url: ${q('os.environ/DATABASE_URL')}`);
  return `${lines.join('\n')}\n`;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder ${whole} has no value`);
    return value;
  });
}

const PLACEHOLDERS = {
  LITELLM_IMAGE: GATEWAY_LITELLM_IMAGE,
  LITELLM_VERSION: GATEWAY_LITELLM_VERSION,
  POSTGRES_IMAGE: GATEWAY_POSTGRES_IMAGE,
  POSTGRES_USER,
  POSTGRES_DB,
  BIND: GATEWAY_DEFAULT_BIND,
  PORT: String(GATEWAY_DEFAULT_PORT),
  MODELS: GATEWAY_MODELS.map((model) => model.id).join(', '),
};

export function renderCompose(): string {
  return fill(readTemplate('gateway/compose.yaml'), PLACEHOLDERS);
}

export function renderOperatorReadme(apiBase: string = GATEWAY_DEFAULT_API_BASE): string {
  return fill(readTemplate('gateway/README.md'), { ...PLACEHOLDERS, API_BASE: apiBase, CLI: cli() });
}
