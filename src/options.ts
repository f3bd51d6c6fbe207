import { parseArgs } from 'node:util';
import { usageError } from './errors.js';

export const COMMANDS = ['setup', 'doctor', 'status', 'start', 'stop', 'logs', 'uninstall', 'backups', 'restore'] as const;
export type Command = (typeof COMMANDS)[number];

export const ENDPOINTS = {
  coding: 'https://api.z.ai/api/coding/paas/v4',
  general: 'https://api.z.ai/api/paas/v4',
  china: 'https://open.bigmodel.cn/api/paas/v4',
  'china-coding': 'https://open.bigmodel.cn/api/coding/paas/v4',
} as const;
export type EndpointName = keyof typeof ENDPOINTS;

export const DEFAULT_MODEL = 'glm-5.2';
export const DEFAULT_PORT = 4000;

export interface Options {
  command: Command;
  help: boolean;
  version: boolean;
  nonInteractive: boolean;
  codexHome: string | undefined;
  stateDir: string | undefined;
  /** Undefined when neither a flag nor the environment gave one (a prompt may ask). */
  model: string | undefined;
  endpoint: string | undefined;
  port: number | undefined;
  makeDefault: boolean | undefined;
  start: boolean;
  dryRun: boolean;
  json: boolean;
  zaiKeyFile: string | undefined;
  /** Add the key block to shell startup files: undefined = ask (interactive) or yes. */
  shellRc: boolean | undefined;
  python: string | undefined;
  yes: boolean;
  follow: boolean;
  purge: boolean;
  forceRebuild: boolean;
  /** restore: which backup (a folder name under backups/); the newest when absent. */
  target: string | undefined;
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'non-interactive': { type: 'boolean' },
  'codex-home': { type: 'string' },
  'state-dir': { type: 'string' },
  model: { type: 'string' },
  endpoint: { type: 'string' },
  port: { type: 'string' },
  'make-default': { type: 'boolean' },
  'no-make-default': { type: 'boolean' },
  'no-start': { type: 'boolean' },
  'no-shell-rc': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  'zai-key-file': { type: 'string' },
  'zai-key': { type: 'string' },
  python: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  follow: { type: 'boolean', short: 'f' },
  purge: { type: 'boolean' },
  'force-rebuild': { type: 'boolean' },
} as const;

export function resolveEndpoint(value: string): string {
  if (value in ENDPOINTS) return ENDPOINTS[value as EndpointName];
  // Checked as typed: the URL parser silently drops tabs and newlines that would then reach glm-bridge.yaml.
  if (/[\s\x00-\x1f\x7f]/.test(value)) throw usageError(`--endpoint: ${JSON.stringify(value)} contains a space, tab, newline or control character.`, 'Type the URL again without it.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--endpoint: "${value}" is neither a plan name nor a URL.`, `Use one of ${Object.keys(ENDPOINTS).join(', ')} or a full https:// URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`--endpoint: "${value}" must be an http(s) URL.`);
  }
  if (url.username || url.password) throw usageError('--endpoint: the URL must not contain credentials.');
  return value.replace(/\/+$/, '');
}

export function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw usageError(`${source}: "${value}" is not a port number (1-65535).`);
  }
  return port;
}

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function validateModel(value: string, source: string): string {
  if (!MODEL_ID.test(value)) {
    throw usageError(`${source}: "${value}" is not a model id (letters, digits, ".", "-", "_", ":"; no slashes).`, 'Example: --model glm-5.2');
  }
  if (/^gpt-/i.test(value)) throw usageError(`${source}: model ids starting with "gpt-" make Codex apply OpenAI model behaviour; use the GLM id.`);
  return value;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message.replace(/\. To specify.*$/s, '.'), 'Run `glm-codex-setup --help` for the list of flags.');
  }
  const { values, positionals } = parsed;
  if (values['zai-key'] !== undefined) {
    throw usageError('--zai-key is not accepted: a key in the command line is visible to every user of this machine.', 'Set ZAI_API_KEY in the environment, or pass --zai-key-file FILE.');
  }
  const [first, ...rest] = positionals;
  const command = (first ?? 'setup') as Command;
  if (!COMMANDS.includes(command)) throw usageError(`Unknown command "${first}".`, `Commands: ${COMMANDS.join(', ')}.`);
  if (rest.length > (command === 'restore' ? 1 : 0)) throw usageError(`Unexpected argument "${rest[command === 'restore' ? 1 : 0]}".`);
  if (values['make-default'] && values['no-make-default']) throw usageError('--make-default and --no-make-default contradict each other.');

  const modelSource = values.model !== undefined ? '--model' : 'GLM_CODEX_MODEL';
  const modelValue = values.model ?? (env.GLM_CODEX_MODEL || undefined);
  const endpointValue = values.endpoint ?? (env.GLM_CODEX_ENDPOINT || undefined);
  const portSource = values.port !== undefined ? '--port' : 'GLM_CODEX_PORT';
  const portValue = values.port ?? (env.GLM_CODEX_PORT || undefined);

  return {
    command,
    help: values.help ?? false,
    version: values.version ?? false,
    nonInteractive: values['non-interactive'] ?? isTruthy(env.GLM_CODEX_NON_INTERACTIVE),
    codexHome: values['codex-home'],
    stateDir: values['state-dir'],
    model: modelValue === undefined ? undefined : validateModel(modelValue, modelSource),
    endpoint: endpointValue === undefined ? undefined : resolveEndpoint(endpointValue),
    port: portValue === undefined ? undefined : parsePort(portValue, portSource),
    makeDefault: values['make-default'] ? true : values['no-make-default'] ? false : undefined,
    start: !values['no-start'],
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    zaiKeyFile: values['zai-key-file'],
    shellRc: values['no-shell-rc'] ? false : undefined,
    python: values.python,
    yes: values.yes ?? false,
    follow: values.follow ?? false,
    purge: values.purge ?? false,
    forceRebuild: values['force-rebuild'] ?? false,
    target: command === 'restore' ? rest[0] : undefined,
  };
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value);
}
