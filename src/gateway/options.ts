/**
 * Arguments of the operator commands: `gateway init DIR` and `gateway key create --user NAME ...`.
 * options.ts hands over the positionals after `gateway` and the parsed flag values.
 */
import { usageError } from '../errors.js';
import { validateModel } from '../questions.js';

export type GatewayOptions =
  | { action: 'init'; dir: string; force: boolean }
  | {
      action: 'key-create';
      user: string;
      budget: number | undefined;
      models: string[] | undefined;
      gatewayUrl: string | undefined;
      /** The bundle folder whose .env holds LITELLM_MASTER_KEY. */
      dir: string | undefined;
      /** Write the new key to this file (0600) instead of showing it. */
      out: string | undefined;
      force: boolean;
    };

export interface GatewayFlagValues {
  user?: string | undefined;
  budget?: string | undefined;
  models?: string | undefined;
  'gateway-url'?: string | undefined;
  dir?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
}

const USAGE = 'Usage: glm-codex-setup gateway init DIR | glm-codex-setup gateway key create --user NAME [--budget USD] [--models a,b]';
/** LiteLLM user ids: names or e-mail addresses; no spaces, nothing a shell or URL would mangle. */
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export function parseGatewayOptions(positionals: string[], values: GatewayFlagValues): GatewayOptions {
  const [action, ...rest] = positionals;
  if (action === 'init') {
    if (rest.length === 0) throw usageError('gateway init: the folder to write the bundle into is missing.', 'Example: glm-codex-setup gateway init ./glm-gateway');
    if (rest.length > 1) throw usageError(`Unexpected argument "${rest[1]}".`, USAGE);
    rejectKeyFlags(values, 'gateway init');
    return { action: 'init', dir: rest[0]!, force: values.force ?? false };
  }
  if (action === 'key') {
    if (rest[0] !== 'create') throw usageError(rest[0] === undefined ? 'gateway key: what to do is missing.' : `gateway key: unknown action "${rest[0]}".`, USAGE);
    if (rest.length > 1) throw usageError(`Unexpected argument "${rest[1]}".`, USAGE);
    return {
      action: 'key-create',
      user: parseUser(values.user),
      budget: values.budget === undefined ? undefined : parseBudget(values.budget),
      models: values.models === undefined ? undefined : parseModels(values.models),
      gatewayUrl: values['gateway-url'] === undefined ? undefined : parseGatewayUrl(values['gateway-url']),
      dir: values.dir,
      out: values.out,
      force: values.force ?? false,
    };
  }
  throw usageError(action === undefined ? 'gateway: what to do is missing.' : `gateway: unknown action "${action}".`, USAGE);
}

function rejectKeyFlags(values: GatewayFlagValues, where: string): void {
  for (const name of ['user', 'budget', 'models', 'gateway-url', 'dir', 'out'] as const) {
    if (values[name] !== undefined) throw usageError(`--${name} belongs to \`gateway key create\`, not \`${where}\`.`, USAGE);
  }
}

function parseUser(value: string | undefined): string {
  if (value === undefined) throw usageError('gateway key create: --user is missing (whose key is it?).', 'Example: glm-codex-setup gateway key create --user alice --budget 50');
  if (!USER_ID.test(value)) {
    throw usageError(`--user: "${value}" is not a usable user id (letters, digits, ".", "_", "-", "@", "+"; at most 128).`, 'Example: --user alice or --user alice@example.com');
  }
  return value;
}

export function parseBudget(value: string): number {
  const budget = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(budget) || budget <= 0) {
    throw usageError(`--budget: "${value}" is not an amount in US dollars greater than 0.`, 'Example: --budget 25 or --budget 7.50');
  }
  return budget;
}

function parseModels(value: string): string[] {
  const models = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (models.length === 0) throw usageError('--models: the list is empty.', 'Example: --models glm-5.3,glm-5.2 (leave the flag out to allow every model of the gateway).');
  return [...new Set(models.map((model) => validateModel(model, '--models')))];
}

/** The gateway's base URL: http(s), no credentials, no query; trailing slashes dropped. */
export function parseGatewayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--gateway-url: "${value}" is not a URL.`, 'Example: --gateway-url https://llm.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`--gateway-url: "${value}" must be an http(s) URL.`);
  if (url.username || url.password) throw usageError('--gateway-url: the URL must not contain credentials.', 'The master key comes from LITELLM_MASTER_KEY or the bundle\'s .env.');
  if (url.search || url.hash) throw usageError(`--gateway-url: "${value}" must not have a query or fragment.`);
  return url.toString().replace(/\/+$/, '');
}
