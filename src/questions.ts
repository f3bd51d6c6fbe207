/**
 * The questions the tool answers before it plans: one table. Each row says where its answer comes
 * from (flag, environment, prompt, stored value, default) and how it is written back as a flag, so
 * the flag parser, `--help`, the "next time without questions" line and the fix texts all come
 * from here. Light on purpose: `--help` loads it.
 */
import { DEFAULT_MODE, modeMemory, type ModeName } from './config/manifest.js';
import { registerModeFacts, type ModeFacts } from './config/mode-registry.js';
import { codexAtLeast } from './config/codex-release.js';
import { usageError } from './errors.js';
import type { SetupState } from './inspect/inspect.js';
import type { Prompts } from './ui/prompts.js';
import { cli } from './invocation.js';

export const ENDPOINTS = {
  coding: 'https://api.z.ai/api/coding/paas/v4',
  general: 'https://api.z.ai/api/paas/v4',
  china: 'https://open.bigmodel.cn/api/paas/v4',
  'china-coding': 'https://open.bigmodel.cn/api/coding/paas/v4',
} as const;
export type EndpointName = keyof typeof ENDPOINTS;

/** Z.ai's own Responses endpoint (documented for Coding Plan keys): direct mode, no proxy. */
export const RESPONSES_ENDPOINTS = {
  coding: 'https://api.z.ai/api/v1',
  'china-coding': 'https://open.bigmodel.cn/api/v1',
} as const;

export { DEFAULT_MODE, type ModeName } from './config/manifest.js';

/** The Z.ai endpoints a mode offers: plan name -> URL, the wizard's labels, and what a custom URL looks like. */
interface EndpointSet {
  urls: Record<string, string>;
  labels: Record<string, string>;
  /** A stored URL that belongs to this set's API (a chat base is no Responses base). */
  fits(url: string): boolean;
  /** The custom URL prompt's example. */
  example: string;
}

const CHAT_SET: EndpointSet = {
  urls: ENDPOINTS,
  labels: { coding: 'Coding Plan', general: 'Pay-as-you-go (general)', china: 'China, pay-as-you-go (bigmodel.cn)', 'china-coding': 'China, Coding Plan (bigmodel.cn)' },
  fits: () => true,
  example: 'OpenAI-compatible chat base, e.g. https://api.z.ai/api/paas/v4',
};

const RESPONSES_SET: EndpointSet = {
  urls: RESPONSES_ENDPOINTS,
  labels: { coding: 'Coding Plan', 'china-coding': 'China, Coding Plan (bigmodel.cn)' },
  fits: (url) => url.includes('/api/v1'),
  example: 'Responses base, e.g. https://api.z.ai/api/v1',
};

interface ModeRow extends ModeFacts {
  label: string;
  hint: string;
  endpoints: EndpointSet;
}

/** Types each row as a ModeRow and keeps the names as written. */
const modeRows = <K extends string>(rows: Record<K, ModeRow>): Record<K, ModeRow> => rows;

/**
 * Each mode's row of this table: its choice in the wizard, the endpoints it offers (data, not
 * branches), and the facts the fast paths read without loading src/modes/ (ModeFacts). The rows are
 * the list of modes: a new mode adds its row here and its file in src/modes/.
 */
export const MODE_CHOICES = modeRows({
  local: { label: 'Local LiteLLM bridge', hint: 'a proxy on 127.0.0.1 translates to Z.ai\'s Chat Completions; any Z.ai key', endpoints: CHAT_SET, authKey: 'LITELLM_MASTER_KEY', localProxy: true, zaiApi: 'chat' },
  direct: { label: 'Z.ai directly', hint: 'Z.ai\'s own Responses endpoint; no Python, no proxy; documented for Coding Plan keys', endpoints: RESPONSES_SET, authKey: 'ZAI_API_KEY', localProxy: false, zaiApi: 'responses' },
  // The gateway holds Z.ai's key and endpoint: no endpoint question in this mode.
  gateway: { label: 'A team gateway', hint: 'your team\'s shared LiteLLM, with your own virtual key', endpoints: CHAT_SET, authKey: 'GLM_CODEX_GATEWAY_KEY', localProxy: false, zaiApi: null },
});

declare module './config/manifest.js' {
  /** The rows above are the modes' names (state.json's `mode`, `--mode`, src/modes/index.ts). */
  interface ModeNames extends Record<keyof typeof MODE_CHOICES, true> {}
}

export const MODE_NAMES = Object.keys(MODE_CHOICES) as ModeName[];
registerModeFacts(MODE_CHOICES);

export const DEFAULT_MODEL = 'glm-5.2';
export const DEFAULT_PORT = 4000;

export const CODING_PLAN_NOTE =
  'Z.ai documents Codex as a Coding Plan client through its own Responses endpoint (https://api.z.ai/api/v1): that is the "Z.ai directly" mode (--mode direct). Through this bridge, a Coding Plan key goes with the "coding" endpoint, a pay-as-you-go key with "general".';

/** Every answer a setup needs from the user, whatever its source. */
export interface Draft {
  mode: ModeName;
  /** Z.ai's base URL: its Chat Completions base (local), or its Responses base (direct). */
  endpoint: string;
  /** A team's LiteLLM gateway (gateway mode), without /v1. */
  gatewayUrl: string;
  model: string;
  /** Every model set up (the default first): the catalog lists them, Codex's /model switches between them. */
  models: string[];
  port: number;
  zaiKey: string;
  gatewayKey: string;
  makeDefault: boolean | undefined;
  shellRc: boolean;
  /** The provider table's id, when not the mode's own (a table of the user's has that id). */
  providerId: string | undefined;
  /** Local mode: start the proxy at login through the service manager. */
  autostart: boolean;
  /** How Codex gets the key: its auth command (Codex 0.160+), or an environment variable from the shell files. */
  codexAuth: 'command' | 'env';
  /** Move the user's legacy profiles out of config.toml (Codex 0.134+ refuses them). */
  migrateProfiles: boolean;
}
export type QuestionId = keyof Draft;

/** What flags and the environment said, before prompts, stored values and defaults. */
export type Given = { [K in QuestionId]?: Draft[K] } & { zaiKeyFile?: string; gatewayKeyFile?: string };

/** A secret answer: never a flag value; from its variable, a file, the prompt or the stored copy. */
export interface SecretSource {
  env: string;
  fileFlag: string;
  file(given: Given): string | undefined;
  /** Its name in secrets.env. */
  storedAs: 'ZAI_API_KEY' | 'GLM_CODEX_GATEWAY_KEY';
  /** For people: "Z.ai API key". */
  label: string;
  whereToGet: string;
}

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  /** For --help: `--port N`. */
  valueName?: string;
  /** The environment variable that gives the same (for --help's and the README's tables). */
  env?: string;
  help: string;
}

export interface AskInput {
  prompts: Prompts;
  state: SetupState;
  draft: Partial<Draft>;
  /** The value in use now (a re-run that changes the setup): the prompt starts from it. */
  current?: unknown;
}

export interface Question<K extends QuestionId> {
  id: K;
  flags: FlagSpec[];
  env?: string;
  /** Flag values (and the environment variable) as parsed by node:util parseArgs. */
  fromArgs(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Given[K] | undefined;
  /** The value kept from the last run. */
  stored?(state: SetupState, draft: Partial<Draft>): Draft[K] | undefined;
  /** Interactive only: ask when nothing was given and this holds (default: nothing stored). A re-run that changes the setup asks every question. */
  askWhen?(state: SetupState, draft: Partial<Draft>): boolean;
  /** A repair of the user's own files, offered even when a re-run keeps the settings in use. */
  repair?: boolean;
  /** What the setup in use has, when no stored value says it ("Keep them" keeps it). */
  inUse?(state: SetupState): Draft[K] | undefined;
  /** What the prompt starts from when this is not a stored value (default: the stored value). */
  current?(state: SetupState): Draft[K] | undefined;
  ask?(input: AskInput): Promise<Draft[K] | undefined>;
  fallback(state: SetupState, draft: Partial<Draft>): Draft[K];
  /** A given or stored value made final once the mode is known (a plan name becomes that mode's URL). */
  finalize?(value: Draft[K], draft: Partial<Draft>): Draft[K];
  /** Secret answers are read by plan/answers.ts from these sources. */
  secret?: SecretSource;
  /** After the value is known: a last check that may ask again (a taken port). Not in dry runs. */
  settle?(value: Draft[K], input: { prompts: Prompts | null; state: SetupState }): Promise<Draft[K]>;
  /** The flags that give this answer next time ([] when it needs none, or must not be in argv). */
  toArgs(value: Draft[K], draft: Partial<Draft>): string[];
  /** For the "no terminal" fix text: how to give this answer without prompts. */
  howToGive: string;
}

export function resolveEndpoint(value: string, source = '--endpoint'): string {
  if (value in ENDPOINTS) return ENDPOINTS[value as EndpointName];
  return checkUrl(value, source);
}

/** The plan names of a mode's endpoints: Chat Completions bases (local), Responses bases (direct). */
export function endpointsFor(mode: ModeName | undefined): Record<string, string> {
  return MODE_CHOICES[mode ?? DEFAULT_MODE].endpoints.urls;
}

/** A plan name of any mode, or a URL; resolved to the mode's URL by the endpoint question's finalize. */
function endpointInput(value: string, source: string): string {
  return value in ENDPOINTS || value in RESPONSES_ENDPOINTS ? value : checkUrl(value, source);
}

/** Longer than any real endpoint; keeps a pasted document out of config.toml and the bridge config. */
export const MAX_URL_LENGTH = 2048;
/** Model and provider ids: longer than any real one, short enough for a TOML key and a table header. */
export const MAX_ID_LENGTH = 128;

export function checkUrl(value: string, source: string): string {
  if (value.length > MAX_URL_LENGTH) throw usageError(`${source}: the URL is ${value.length} characters long; the limit is ${MAX_URL_LENGTH}.`, 'Give the base URL only, e.g. https://api.example.com/v4.');
  // Checked as typed: the URL parser silently drops tabs and newlines that would then reach the files.
  if (/[\s\x00-\x1f\x7f]/.test(value)) throw usageError(`${source}: ${JSON.stringify(value)} contains a space, tab, newline or control character.`, 'Type the URL again without it.');
  let url: URL;
  value = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\/[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw usageError(`${source}: "${value}" has two schemes.`, `Give the URL once, e.g. ${value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}.`);
  }
  if (!/^https?:\/\/[^/?#]/i.test(value)) {
    throw usageError(`${source}: "${value}" is not an http(s) URL with a host.`, `Use a plan name (${Object.keys(ENDPOINTS).join(', ')}; direct mode: ${Object.keys(RESPONSES_ENDPOINTS).join(', ')}) or a full URL such as https://api.example.com/v4.`);
  }
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${source}: "${value}" is neither a plan name nor a URL.`, `Use a plan name (${Object.keys(ENDPOINTS).join(', ')}; direct mode: ${Object.keys(RESPONSES_ENDPOINTS).join(', ')}) or a full https:// URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`${source}: "${value}" must be an http(s) URL.`);
  }
  if (url.username || url.password) throw usageError(`${source}: the URL must not contain credentials.`);
  if (!url.hostname) throw usageError(`${source}: "${value}" has no host.`);
  if (url.search || url.hash || /[?#]/.test(value)) {
    // A base URL gets paths such as /v1 or /chat/completions appended; after a ? or # they would land in the query or fragment.
    throw usageError(`${source}: "${value}" contains a query (?) or fragment (#); a base URL cannot hold one.`, `Give the URL without it, e.g. ${url.origin}${url.pathname.replace(/\/+$/, '')}.`);
  }
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
  if (value.length > MAX_ID_LENGTH) throw usageError(`${source}: the model id is ${value.length} characters long; the limit is ${MAX_ID_LENGTH}.`, 'Example: --model glm-5.2');
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

const endpointName = (url: string, mode: ModeName | undefined) => Object.entries(endpointsFor(mode)).find(([, value]) => value === url)?.[0] ?? url;

const mode: Question<'mode'> = {
  id: 'mode',
  flags: [{ name: 'mode', type: 'string', valueName: 'MODE', help: `${MODE_NAMES.join(' | ')}: how Codex reaches GLM (default: ${DEFAULT_MODE},\nor the last run's; env GLM_CODEX_MODE)` }],
  env: 'GLM_CODEX_MODE',
  fromArgs: stringFrom('mode', 'GLM_CODEX_MODE', (raw, source) => {
    if ((MODE_NAMES as readonly string[]).includes(raw)) return raw as ModeName;
    throw usageError(`${source}: "${raw}" is not a mode.`, `Use one of ${MODE_NAMES.join(', ')}.`);
  }),
  stored: (state) => state.manifest.mode ?? (state.manifest.model ? DEFAULT_MODE : undefined),
  ask: ({ prompts, current }) => {
    // A re-run marks the mode in use; a first run marks the default.
    const marked = (current as ModeName | undefined) ?? DEFAULT_MODE;
    const mark = current === undefined ? ' (default)' : ' (in use)';
    const choices = MODE_NAMES.map((value) => ({ value, label: MODE_CHOICES[value].label, hint: MODE_CHOICES[value].hint }));
    return prompts.select<ModeName>('How should Codex reach GLM?', choices.map((c) => (c.value === marked ? { ...c, label: `${c.label}${mark}` } : c)), marked);
  },
  fallback: () => DEFAULT_MODE,
  // Always spelled out: without it the next run takes the last run's mode, not this one.
  toArgs: (value) => ['--mode', value],
  howToGive: '--mode',
};

const endpoint: Question<'endpoint'> = {
  id: 'endpoint',
  flags: [
    {
      name: 'endpoint',
      type: 'string',
      valueName: 'PLAN|URL',
      help: `coding | general | china | china-coding | a URL\n(default: coding = ${ENDPOINTS.coding}; env GLM_CODEX_ENDPOINT)\ndirect mode: coding = ${RESPONSES_ENDPOINTS.coding} | china-coding | a URL`,
    },
  ],
  env: 'GLM_CODEX_ENDPOINT',
  fromArgs: stringFrom('endpoint', 'GLM_CODEX_ENDPOINT', endpointInput),
  finalize(value, draft) {
    const plans = endpointsFor(draft.mode);
    if (value in plans) return plans[value]!;
    if (value in ENDPOINTS || value in RESPONSES_ENDPOINTS) {
      throw usageError(`--endpoint ${value} has no ${draft.mode} endpoint.`, `In ${draft.mode} mode use one of ${Object.keys(plans).join(', ')}, or a URL.`);
    }
    return value;
  },
  // The last endpoint given in this mode (a chat base is no Responses base).
  stored: (state, draft) => modeMemory(state.manifest, draft.mode).apiBase,
  askWhen: (state, draft) => modeMemory(state.manifest, draft.mode).apiBase === undefined,
  async ask({ prompts, draft, current }) {
    const set = MODE_CHOICES[draft.mode ?? DEFAULT_MODE].endpoints;
    const plans = set.urls;
    const currentUrl = typeof current === 'string' && set.fits(current) ? current : undefined;
    const currentPlan = currentUrl === undefined ? 'coding' : (Object.entries(plans).find(([, url]) => url === currentUrl)?.[0] ?? 'custom');
    const choices = Object.entries(plans).map(([value, url]) => ({ value, label: set.labels[value] ?? value, hint: url }));
    const custom = { value: 'custom', label: 'Another URL', ...(currentPlan === 'custom' ? { hint: currentUrl } : {}) };
    const choice = await prompts.select('Which Z.ai endpoint (plan) does your key belong to?', [...choices, custom], currentPlan);
    if (choice !== 'custom') return plans[choice]!;
    const what = set.example;
    // A placeholder, never pre-filled text: typed text must never land after a pre-filled "https://".
    const keep = currentPlan === 'custom' ? currentUrl : undefined;
    const typed = await prompts.text(`Endpoint URL (${what})`, { placeholder: keep ?? 'https://…', defaultValue: keep }, (value) => {
      try {
        checkUrl(value, 'URL');
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    });
    return checkUrl(typed, 'URL');
  },
  fallback: (_state, draft) => endpointsFor(draft.mode).coding!,
  toArgs: (value, draft) => ['--endpoint', endpointName(value, draft.mode)],
  howToGive: '--endpoint',
};

const gatewayUrl: Question<'gatewayUrl'> = {
  id: 'gatewayUrl',
  flags: [{ name: 'gateway-url', type: 'string', valueName: 'URL', help: 'gateway mode: your team\'s LiteLLM gateway, e.g. https://llm.example.com\n(env GLM_CODEX_GATEWAY_URL)' }],
  env: 'GLM_CODEX_GATEWAY_URL',
  fromArgs: stringFrom('gateway-url', 'GLM_CODEX_GATEWAY_URL', gatewayBase),
  stored: (state, draft) => modeMemory(state.manifest, draft.mode).gatewayUrl,
  ask: async ({ prompts, current }) => gatewayBase(await prompts.text('Gateway URL (your team\'s LiteLLM, e.g. https://llm.example.com)', { placeholder: (current as string | undefined) ?? 'https://…', defaultValue: current as string | undefined }, (value) => {
    try {
      gatewayBase(value, 'URL');
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }), 'URL'),
  fallback: () => {
    throw usageError('Gateway mode needs the gateway\'s URL.', 'Pass --gateway-url https://llm.example.com (or set GLM_CODEX_GATEWAY_URL).');
  },
  toArgs: (value) => ['--gateway-url', value],
  howToGive: '--gateway-url',
};

/** A gateway's base URL as the user gives it, with or without /v1; stored without. */
export function gatewayBase(value: string, source = '--gateway-url'): string {
  return checkUrl(value, source).replace(/\/v1$/, '');
}

const model: Question<'model'> = {
  id: 'model',
  flags: [{ name: 'model', type: 'string', valueName: 'ID', help: `GLM model id (default: ${DEFAULT_MODEL}; env GLM_CODEX_MODEL)` }],
  env: 'GLM_CODEX_MODEL',
  fromArgs: stringFrom('model', 'GLM_CODEX_MODEL', validateModel),
  stored: (state, draft) => modeMemory(state.manifest, draft.mode).model ?? state.manifest.model,
  ask: ({ prompts, current }) =>
    prompts.text('Model id', { placeholder: (current as string | undefined) ?? DEFAULT_MODEL, defaultValue: (current as string | undefined) ?? DEFAULT_MODEL }, (value) => {
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

/** GLM models offered in the wizard when Z.ai's own list does not answer (Z.ai's current ones). */
export const OFFERED_MODELS = [
  { value: 'glm-5.4', label: 'GLM-5.4', hint: '1M context, Coding Plan' },
  { value: 'glm-5.3', label: 'GLM-5.3', hint: '1M context' },
  { value: 'glm-5.2', label: 'GLM-5.2', hint: '1M context' },
  { value: 'glm-5.1', label: 'GLM-5.1', hint: '200K context' },
];

/** The models offered: those Z.ai lists for the key (local and direct mode) where it answers, else the table's. */
async function modelOffers(draft: Partial<Draft>): Promise<{ offers: { value: string; label: string; hint?: string }[]; fromZai: boolean }> {
  if (!draft.zaiKey || !draft.endpoint) return { offers: OFFERED_MODELS, fromZai: false };
  const { fetchZaiModels } = await import('./inspect/zai-models.js');
  const { glmRank, modelSpec } = await import('./config/model-catalog.js');
  const listed = await fetchZaiModels(draft.endpoint, draft.zaiKey);
  if (!listed.ok) return { offers: OFFERED_MODELS, fromZai: false };
  // Newest first: what Z.ai released last is what a re-run most likely came for.
  const newestFirst = [...listed.ids].sort((a, b) => (glmRank(b) ?? -1) - (glmRank(a) ?? -1));
  const offers = newestFirst.map((id) => {
    const spec = modelSpec(id);
    const window = spec.contextWindow >= 1_000_000 ? `${Math.floor(spec.contextWindow / 1_000_000)}M` : `${Math.round(spec.contextWindow / 1000)}K`;
    const hint = spec.known ? `${window} context` : spec.derivedFrom ? `new: limits of ${modelSpec(spec.derivedFrom).displayName} (${window})` : `new: conservative ${window} context`;
    return { value: id, label: spec.known ? spec.displayName : id, hint };
  });
  return { offers, fromZai: true };
}

function modelList(raw: string, source: string): string[] {
  const ids = raw.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw usageError(`${source}: no model ids in "${raw}".`, 'Example: --models glm-5.3,glm-5.2');
  return [...new Set(ids.map((id) => validateModel(id, source)))];
}

const models: Question<'models'> = {
  id: 'models',
  flags: [
    {
      name: 'models',
      type: 'string',
      valueName: 'A,B',
      help: 'every model to set up, comma-separated (default: the --model alone, or the last\nrun\'s); Codex\'s /model switches between them (env GLM_CODEX_MODELS).\ngateway key create: the models the key may use',
    },
  ],
  env: 'GLM_CODEX_MODELS',
  fromArgs: stringFrom('models', 'GLM_CODEX_MODELS', modelList),
  stored: (state, draft) => modeMemory(state.manifest, draft.mode).models ?? state.manifest.models,
  askWhen: (state, draft) => (modeMemory(state.manifest, draft.mode).models ?? state.manifest.models) === undefined,
  async ask({ prompts, draft, current }) {
    const { offers, fromZai } = await modelOffers(draft);
    // A re-run that changes the setup starts from the models in use: ticked, and offered even when the list lacks them.
    const inUse = ((current as string[] | undefined) ?? []).filter((id) => id !== draft.model);
    const missing = inUse.filter((id) => !offers.some((offer) => offer.value === id)).map((id) => ({ value: id, label: id, hint: 'in use' }));
    const others = [...offers, ...missing].filter((offer) => offer.value !== draft.model);
    if (others.length === 0) return [draft.model!];
    const source = fromZai ? ' (Z.ai\'s list for your key)' : '';
    const chosen = await prompts.multiselect(`More models to switch to inside Codex (/model)${source}? ${draft.model ?? ''} is the default`, others, inUse);
    return [draft.model!, ...chosen];
  },
  // The default model is always set up, and comes first.
  finalize: (value, draft) => [...new Set([draft.model!, ...value])],
  fallback: (_state, draft) => [draft.model!],
  // Always spelled out: without it the next run takes the last run's list.
  toArgs: (value) => ['--models', value.join(',')],
  howToGive: '--models',
};

const zaiKey: Question<'zaiKey'> = {
  id: 'zaiKey',
  flags: [{ name: 'zai-key-file', type: 'string', valueName: 'FILE', help: 'read the Z.ai API key from FILE (else env ZAI_API_KEY, else the stored key)' }],
  env: 'ZAI_API_KEY',
  secret: {
    env: 'ZAI_API_KEY',
    fileFlag: '--zai-key-file',
    file: (given) => given.zaiKeyFile,
    storedAs: 'ZAI_API_KEY',
    label: 'Z.ai API key',
    whereToGet: 'create one at https://z.ai/manage-apikey/apikey-list',
  },
  fromArgs: () => undefined,
  fallback: () => undefined as never,
  // Never in argv: a command line is visible to every user of the machine.
  toArgs: () => [],
  howToGive: 'ZAI_API_KEY or --zai-key-file',
};

const gatewayKey: Question<'gatewayKey'> = {
  id: 'gatewayKey',
  flags: [{ name: 'gateway-key-file', type: 'string', valueName: 'FILE', help: 'gateway mode: read your virtual key from FILE (else env GLM_CODEX_GATEWAY_KEY,\nelse the stored key)' }],
  env: 'GLM_CODEX_GATEWAY_KEY',
  secret: {
    env: 'GLM_CODEX_GATEWAY_KEY',
    fileFlag: '--gateway-key-file',
    file: (given) => given.gatewayKeyFile,
    storedAs: 'GLM_CODEX_GATEWAY_KEY',
    label: 'gateway virtual key',
    whereToGet: `ask your gateway's operator (${cli('gateway key create')})`,
  },
  fromArgs: () => undefined,
  fallback: () => undefined as never,
  toArgs: () => [],
  howToGive: 'GLM_CODEX_GATEWAY_KEY or --gateway-key-file',
};

const makeDefault: Question<'makeDefault'> = {
  id: 'makeDefault',
  flags: [
    { name: 'make-default', type: 'boolean', help: 'also make GLM Codex\'s default model (top-level model/model_provider)' },
    { name: 'no-make-default', type: 'boolean', help: 'put back the default model that --make-default replaced' },
  ],
  fromArgs: (values) => (values['make-default'] ? true : values['no-make-default'] ? false : undefined),
  current: (state) => state.manifest.previousDefault !== undefined,
  askWhen: (state) => state.manifest.previousDefault === undefined,
  // On a re-run that changes the setup, "no" to a default made earlier puts the old default back.
  ask: async ({ prompts, current }) => {
    const yes = await prompts.confirm('Make GLM the default model for every `codex` run (not only `codex --profile glm`)?', current === true);
    return yes ? true : current === true ? false : undefined;
  },
  fallback: () => undefined,
  // undefined ("unchanged") is resolved to what the run left before the line is printed (setup.ts).
  toArgs: (value) => (value === true ? ['--make-default'] : value === false ? ['--no-make-default'] : []),
  howToGive: '--make-default',
};

const shellRc: Question<'shellRc'> = {
  id: 'shellRc',
  flags: [{ name: 'no-shell-rc', type: 'boolean', help: 'do not add the key block to ~/.bashrc, ~/.profile, ~/.zshenv, fish' }],
  fromArgs: (values) => (values['no-shell-rc'] ? false : undefined),
  // What the setup in use has: a block in a startup file, or none.
  inUse: (state) => state.manifest.mode === undefined && state.manifest.model === undefined ? undefined : state.rcFiles.some((rc) => rc.text?.includes('# >>> glm-codex-setup >>>') === true),
  // Only when the key goes through the environment: with Codex's auth command no shell file is touched.
  askWhen: (state, draft) => draft.codexAuth === 'env' || !commandAuthAvailable(state.codex.version),
  // A re-run that asks everything still skips it when Codex's auth command carries the key (nothing to add).
  ask: async ({ prompts, state, draft }) =>
    !(draft.codexAuth === 'env' || !commandAuthAvailable(state.codex.version)) ? undefined : prompts.confirm(
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
  stored: (state, draft) => modeMemory(state.manifest, draft.mode).port,
  askWhen: () => false,
  ask: async ({ prompts, current }) => {
    const now = String((current as number | undefined) ?? DEFAULT_PORT);
    return parsePort(await prompts.text('Port for the proxy on 127.0.0.1', { placeholder: now, defaultValue: now }, (value) => {
      try {
        parsePort(value, 'port');
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    }), 'port');
  },
  // Taken by another program: ask for the next free one, or fail naming the holder.
  async settle(value, { prompts, state }) {
    const { choosePort } = await import('./runtime/runtime.js');
    return choosePort(value, state.paths, prompts);
  },
  fallback: () => DEFAULT_PORT,
  toArgs: (value) => ['--port', String(value)],
  howToGive: '--port',
};

function commandAuthAvailable(version: string | null): boolean {
  return version !== null && codexAtLeast(version, 160);
}

const RESERVED_PROVIDERS = ['openai', 'ollama', 'lmstudio', 'oss'];

export function validateProviderId(value: string, source: string): string {
  if (value.length > MAX_ID_LENGTH) throw usageError(`${source}: the provider id is ${value.length} characters long; the limit is ${MAX_ID_LENGTH}.`, 'Example: --provider-id glm-codex');
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) throw usageError(`${source}: "${value}" is not a provider id (letters, digits, "-", "_").`, 'Example: --provider-id glm-codex');
  if (RESERVED_PROVIDERS.includes(value)) throw usageError(`${source}: "${value}" is reserved by Codex.`, 'Pick another id, e.g. --provider-id glm-codex');
  return value;
}

const providerId: Question<'providerId'> = {
  id: 'providerId',
  flags: [{ name: 'provider-id', type: 'string', valueName: 'ID', help: 'the id of the provider table the tool writes (default: glm-litellm, glm-zai or\nglm-gateway by mode); for when config.toml has a table of yours under that id' }],
  fromArgs: stringFrom('provider-id', undefined, validateProviderId),
  stored: (state) => state.manifest.providerId,
  askWhen: () => false,
  fallback: () => undefined,
  toArgs: (value) => (value === undefined ? [] : ['--provider-id', value]),
  howToGive: '--provider-id',
};

const autostart: Question<'autostart'> = {
  id: 'autostart',
  flags: [
    { name: 'autostart', type: 'boolean', help: 'local mode: start the proxy at login (systemd user unit, LaunchAgent, logon task);\nwithout it the proxy starts on demand, when Codex runs its auth command' },
    { name: 'no-autostart', type: 'boolean', help: 'remove the login service --autostart set up' },
  ],
  fromArgs: (values) => (values.autostart ? true : values['no-autostart'] ? false : undefined),
  stored: (state) => state.manifest.autostart,
  askWhen: (state) => state.manifest.autostart === undefined && state.serviceManager.available,
  // Not asked where nothing could start it at login (containers, WSL1): a re-run that asks everything skips it too.
  ask: async ({ prompts, state }) =>
    state.serviceManager.available ? prompts.confirm(`Start the LiteLLM proxy at login (${state.serviceManager.reason})? Without it, Codex starts it when it needs it.`, false) : undefined,
  fallback: () => false,
  toArgs: (value) => [value ? '--autostart' : '--no-autostart'],
  howToGive: '--autostart',
};

const codexAuth: Question<'codexAuth'> = {
  id: 'codexAuth',
  flags: [
    {
      name: 'codex-auth',
      type: 'string',
      valueName: 'command|env',
      help: 'how Codex gets the key: command (default where Codex is 0.160+) = Codex runs the tool\'s own\ncopy, which prints the key and starts the proxy when it is down (any shell, the IDE, services,\nafter a reboot); env = an environment variable the shell startup files set (older Codex;\nenv GLM_CODEX_AUTH)',
    },
  ],
  env: 'GLM_CODEX_AUTH',
  fromArgs: stringFrom('codex-auth', 'GLM_CODEX_AUTH', (raw, source) => {
    if (raw === 'command' || raw === 'env') return raw;
    throw usageError(`${source}: "${raw}" is neither command nor env.`, 'Use --codex-auth command or --codex-auth env.');
  }),
  stored: (state) => state.manifest.codexAuth,
  askWhen: () => false,
  fallback: () => 'command',
  toArgs: (value) => ['--codex-auth', value],
  howToGive: '--codex-auth',
};

const migrateProfiles: Question<'migrateProfiles'> = {
  id: 'migrateProfiles',
  repair: true,
  flags: [{ name: 'migrate-profiles', type: 'boolean', help: 'move your legacy [profiles.x] tables out of config.toml into $CODEX_HOME/x.config.toml and\nremove a top-level profile = "x" (Codex 0.134+ refuses both; backups first)' }],
  fromArgs: (values) => (values['migrate-profiles'] ? true : undefined),
  // Asked only when there is something to migrate, for a Codex that reads profile files.
  askWhen: (state) => legacyToMigrate(state) !== null,
  ask: async ({ prompts, state }) => {
    const what = legacyToMigrate(state);
    if (what === null) return undefined;
    return prompts.confirm(`config.toml holds legacy profiles (${what}), which Codex ${state.codex.version} refuses. Move each into ${tildePath(state.paths.codexHome)}/<name>.config.toml (backups first)? \`codex --profile <name>\` then works as before.`, true);
  },
  fallback: () => false,
  toArgs: () => [],
  howToGive: '--migrate-profiles',
};

/** "[profiles.work], profile = \"work\"" when config.toml has legacy profiles and Codex reads profile files; else null. */
function legacyToMigrate(state: SetupState): string | null {
  const [major = 0, minor = 0] = (state.codex.version ?? '0.0').split('.').map((part) => Number.parseInt(part, 10));
  if (state.codex.version === null || (major === 0 && minor < 134)) return null;
  const { names, selector } = state.legacyProfiles;
  const parts = [...names.map((name) => `[profiles.${name}]`), ...(selector === null ? [] : [`profile = "${selector}"`])];
  return parts.length === 0 ? null : parts.join(', ');
}

export const QUESTIONS: { [K in QuestionId]: Question<K> } = { mode, endpoint, gatewayUrl, model, models, zaiKey, gatewayKey, makeDefault, shellRc, port, providerId, autostart, codexAuth, migrateProfiles };

function tildePath(path: string): string {
  const home = process.env.HOME ?? '';
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}
