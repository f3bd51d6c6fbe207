/**
 * The questions the tool answers before it plans: one table. Each row says where its answer comes
 * from (flag, environment, prompt, stored value, default) and how it is written back as a flag, so
 * the flag parser, `--help`, the "next time without questions" line and the fix texts all come
 * from here. Light on purpose: `--help` loads it.
 */
import { usageError } from './errors.js';
import type { SetupState } from './inspect/inspect.js';
import type { Prompts } from './ui/prompts.js';

export const ENDPOINTS = {
  coding: 'https://api.z.ai/api/coding/paas/v4',
  general: 'https://api.z.ai/api/paas/v4',
  china: 'https://open.bigmodel.cn/api/paas/v4',
  'china-coding': 'https://open.bigmodel.cn/api/coding/paas/v4',
} as const;
export type EndpointName = keyof typeof ENDPOINTS;

export const DEFAULT_MODEL = 'glm-5.2';
export const DEFAULT_PORT = 4000;

export const CODING_PLAN_NOTE =
  'Z.ai says Coding Plan quotas are meant for its list of approved tools, and Codex is not on it; pay-as-you-go keys (the "general" endpoint) have no such limit.';

/** Every answer a setup needs from the user, whatever its source. */
export interface Draft {
  endpoint: string;
  model: string;
  port: number;
  zaiKey: string;
  makeDefault: boolean | undefined;
  shellRc: boolean;
}
export type QuestionId = keyof Draft;

/** What flags and the environment said, before prompts, stored values and defaults. */
export type Given = { [K in QuestionId]?: Draft[K] } & { zaiKeyFile?: string };

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  /** For --help: `--port N`. */
  valueName?: string;
  help: string;
}

export interface AskInput {
  prompts: Prompts;
  state: SetupState;
  draft: Partial<Draft>;
}

export interface Question<K extends QuestionId> {
  id: K;
  flags: FlagSpec[];
  env?: string;
  /** Flag values (and the environment variable) as parsed by node:util parseArgs. */
  fromArgs(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Given[K] | undefined;
  /** The value kept from the last run. */
  stored?(state: SetupState): Draft[K] | undefined;
  /** Interactive only: ask when nothing was given and this holds (default: nothing stored). */
  askWhen?(state: SetupState, draft: Partial<Draft>): boolean;
  ask?(input: AskInput): Promise<Draft[K] | undefined>;
  fallback(state: SetupState, draft: Partial<Draft>): Draft[K];
  /** After the value is known: a last check that may ask again (a taken port). Not in dry runs. */
  settle?(value: Draft[K], input: { prompts: Prompts | null; state: SetupState }): Promise<Draft[K]>;
  /** The flags that give this answer next time ([] when it needs none, or must not be in argv). */
  toArgs(value: Draft[K]): string[];
  /** For the "no terminal" fix text: how to give this answer without prompts. */
  howToGive: string;
}

export function resolveEndpoint(value: string, source = '--endpoint'): string {
  if (value in ENDPOINTS) return ENDPOINTS[value as EndpointName];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${source}: "${value}" is neither a plan name nor a URL.`, `Use one of ${Object.keys(ENDPOINTS).join(', ')} or a full https:// URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`${source}: "${value}" must be an http(s) URL.`);
  }
  if (url.username || url.password) throw usageError(`${source}: the URL must not contain credentials.`);
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

/** A string flag, else its environment variable, parsed and validated. */
function stringFrom<T>(flag: string, env: string | undefined, parse: (raw: string, source: string) => T) {
  return (values: Record<string, string | boolean | undefined>, environment: NodeJS.ProcessEnv): T | undefined => {
    const raw = values[flag];
    if (typeof raw === 'string') return parse(raw, `--${flag}`);
    const fromEnv = env ? environment[env] : undefined;
    return fromEnv ? parse(fromEnv, env!) : undefined;
  };
}

const endpointName = (url: string) => Object.entries(ENDPOINTS).find(([, value]) => value === url)?.[0] ?? url;

const endpoint: Question<'endpoint'> = {
  id: 'endpoint',
  flags: [
    {
      name: 'endpoint',
      type: 'string',
      valueName: 'PLAN|URL',
      help: `coding | general | china | china-coding | a URL\n(default: coding = ${ENDPOINTS.coding}; env GLM_CODEX_ENDPOINT)`,
    },
  ],
  env: 'GLM_CODEX_ENDPOINT',
  fromArgs: stringFrom('endpoint', 'GLM_CODEX_ENDPOINT', resolveEndpoint),
  stored: (state) => state.manifest.apiBase,
  async ask({ prompts }) {
    const choice = await prompts.select(
      'Which Z.ai endpoint (plan) does your key belong to?',
      [
        { value: 'coding', label: 'Coding Plan', hint: ENDPOINTS.coding },
        { value: 'general', label: 'Pay-as-you-go (general)', hint: ENDPOINTS.general },
        { value: 'china', label: 'China, pay-as-you-go (bigmodel.cn)', hint: ENDPOINTS.china },
        { value: 'china-coding', label: 'China, Coding Plan (bigmodel.cn)', hint: ENDPOINTS['china-coding'] },
        { value: 'custom', label: 'Another URL' },
      ],
      'coding',
    );
    if (choice !== 'custom') return ENDPOINTS[choice as EndpointName];
    const typed = await prompts.text('Endpoint URL (OpenAI-compatible chat base)', 'https://', (value) => {
      try {
        resolveEndpoint(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    });
    return resolveEndpoint(typed);
  },
  fallback: () => ENDPOINTS.coding,
  toArgs: (value) => ['--endpoint', endpointName(value)],
  howToGive: '--endpoint',
};

const model: Question<'model'> = {
  id: 'model',
  flags: [{ name: 'model', type: 'string', valueName: 'ID', help: `GLM model id (default: ${DEFAULT_MODEL}; env GLM_CODEX_MODEL)` }],
  env: 'GLM_CODEX_MODEL',
  fromArgs: stringFrom('model', 'GLM_CODEX_MODEL', validateModel),
  stored: (state) => state.manifest.model,
  ask: ({ prompts }) =>
    prompts.text('Model id', DEFAULT_MODEL, (value) => {
      try {
        validateModel(value, 'model');
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    }),
  fallback: () => DEFAULT_MODEL,
  toArgs: (value) => ['--model', value],
  howToGive: '--model',
};

const zaiKey: Question<'zaiKey'> = {
  id: 'zaiKey',
  flags: [{ name: 'zai-key-file', type: 'string', valueName: 'FILE', help: 'read the Z.ai API key from FILE (else env ZAI_API_KEY, else the stored key)' }],
  env: 'ZAI_API_KEY',
  // The key itself is read (and checked) by plan/answers.ts: from the environment or the file.
  fromArgs: () => undefined,
  stored: (state) => state.secrets.ZAI_API_KEY,
  fallback: () => {
    throw usageError('No Z.ai API key: none in the environment, in --zai-key-file, or stored from an earlier run.', 'Set ZAI_API_KEY=… in the environment, or pass --zai-key-file FILE.');
  },
  // Never in argv: a command line is visible to every user of the machine.
  toArgs: () => [],
  howToGive: 'ZAI_API_KEY or --zai-key-file',
};

const makeDefault: Question<'makeDefault'> = {
  id: 'makeDefault',
  flags: [
    { name: 'make-default', type: 'boolean', help: 'also make GLM Codex\'s default model (top-level model/model_provider)' },
    { name: 'no-make-default', type: 'boolean', help: 'put back the default model that --make-default replaced' },
  ],
  fromArgs: (values) => (values['make-default'] ? true : values['no-make-default'] ? false : undefined),
  askWhen: (state) => state.manifest.previousDefault === undefined,
  ask: async ({ prompts }) => (await prompts.confirm('Make GLM the default model for every `codex` run (not only `codex --profile glm`)?', false)) || undefined,
  fallback: () => undefined,
  toArgs: (value) => (value === true ? ['--make-default'] : []),
  howToGive: '--make-default',
};

const shellRc: Question<'shellRc'> = {
  id: 'shellRc',
  flags: [{ name: 'no-shell-rc', type: 'boolean', help: 'do not add the key block to ~/.bashrc, ~/.profile, ~/.zshenv, fish' }],
  fromArgs: (values) => (values['no-shell-rc'] ? false : undefined),
  askWhen: () => true,
  ask: ({ prompts, state }) =>
    prompts.confirm(
      `Add a line to your shell startup files (${state.rcFiles.map((rc) => tildePath(rc.path)).join(', ')}) so every new terminal can run \`codex --profile glm\`? It sources ${tildePath(state.keyEnvFiles.sh.path)} (mode 0600).`,
      true,
    ),
  fallback: () => true,
  toArgs: (value) => (value ? [] : ['--no-shell-rc']),
  howToGive: '--no-shell-rc',
};

const port: Question<'port'> = {
  id: 'port',
  flags: [{ name: 'port', type: 'string', valueName: 'N', help: `the proxy's port on 127.0.0.1 (default: ${DEFAULT_PORT}; env GLM_CODEX_PORT)` }],
  env: 'GLM_CODEX_PORT',
  fromArgs: stringFrom('port', 'GLM_CODEX_PORT', parsePort),
  stored: (state) => state.manifest.port,
  askWhen: () => false,
  // Taken by another program: ask for the next free one, or fail naming the holder.
  async settle(value, { prompts, state }) {
    const { choosePort } = await import('./runtime/runtime.js');
    return choosePort(value, state.paths, prompts);
  },
  fallback: () => DEFAULT_PORT,
  toArgs: (value) => ['--port', String(value)],
  howToGive: '--port',
};

export const QUESTIONS: { [K in QuestionId]: Question<K> } = { endpoint, model, zaiKey, makeDefault, shellRc, port };

function tildePath(path: string): string {
  const home = process.env.HOME ?? '';
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}
