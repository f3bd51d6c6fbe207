/**
 * What the tool owns in Codex's configuration, expressed as lossless TOML edits:
 * the provider table (`[model_providers.glm-litellm]` in local mode) in config.toml, the profile (a
 * file for Codex >= 0.134, a `[profiles.glm]` table before), and optionally the top-level default.
 * Which provider and profile: the mode's ProviderSpec.
 */
import type { ProviderSpec } from './provider.js';
import { codexAtLeast } from './codex-release.js';
import { getIn } from './toml-data.js';
import { editToml, type TomlEdit, type TomlScalar } from './toml-edit.js';
import { parseTomlData, splitBom, type TomlData } from './toml-syntax.js';

export type ProfileShape = 'file' | 'table';

/** Codex moved profiles from `[profiles.x]` tables to `x.config.toml` files in 0.134.0. */
export function profileShapeFor(codexVersion: string | null): ProfileShape {
  if (!codexVersion) return 'file';
  return codexAtLeast(codexVersion, 134) ? 'file' : 'table';
}

/** `enforce`: rewritten on every run (Codex needs it to reach the proxy); otherwise written only when absent, so a user's own value stays. */
export interface Setting {
  key: string;
  value: TomlScalar;
  enforce: boolean;
}

const enforced = (key: string, value: TomlScalar): Setting => ({ key, value, enforce: true });
const preset = (key: string, value: TomlScalar): Setting => ({ key, value, enforce: false });

export function providerSettings(provider: ProviderSpec): Setting[] {
  const { command } = provider.auth;
  // Codex refuses a provider with both `auth` and `env_key`: one or the other.
  const auth = command
    ? [
        enforced('auth.command', command.command),
        enforced('auth.args', command.args),
        enforced('auth.timeout_ms', command.timeout_ms),
        enforced('auth.refresh_interval_ms', command.refresh_interval_ms),
      ]
    : [enforced('env_key', provider.auth.envVar), preset('env_key_instructions', provider.auth.instructions)];
  return [
    preset('name', provider.name),
    enforced('base_url', provider.baseUrl),
    ...auth,
    enforced('wire_api', 'responses'),
    preset('request_max_retries', 4),
    preset('stream_idle_timeout_ms', 300000),
  ];
}

/** What the other way of passing the key left in the provider table (a Codex upgrade, a downgrade). */
function otherAuthEdits(data: TomlData, provider: ProviderSpec): TomlEdit[] {
  const base = ['model_providers', provider.id];
  if (provider.auth.command) {
    return (['env_key', 'env_key_instructions'] as const).filter((key) => getIn(data, [...base, key]) !== undefined).map((key) => ({ op: 'delete-key', path: [...base, key] }));
  }
  return getIn(data, [...base, 'auth']) === undefined ? [] : [{ op: 'delete-table', path: [...base, 'auth'] }];
}

/** Profile keys for GLM through LiteLLM (see the Codex facts); model and provider are enforced. */
/**
 * With a model catalog, the profile names it and its context keys follow the catalog (Codex applies
 * a profile's model_context_window to every model, over the catalog's per-model value).
 */
export interface ProfileCatalog {
  path: string;
  /** The window keys every model set up shares; {} when they differ (the catalog alone carries them). */
  context: { model_context_window?: number; model_auto_compact_token_limit?: number };
}

const CONTEXT_KEYS = ['model_context_window', 'model_auto_compact_token_limit'] as const;

export function profileFileSettings(model: string, providerId: string, catalog: ProfileCatalog | null = null): Setting[] {
  const context = catalog
    ? [enforced('model_catalog_json', catalog.path), ...CONTEXT_KEYS.flatMap((key) => (catalog.context[key] === undefined ? [] : [enforced(key, catalog.context[key]!)]))]
    : [preset('model_context_window', 200000), preset('model_auto_compact_token_limit', 160000)];
  return [
    enforced('model', model),
    enforced('model_provider', providerId),
    ...context,
    preset('model_reasoning_summary', 'none'),
    preset('web_search', 'disabled'),
    preset('analytics.enabled', false),
    preset('agents.enabled', false),
    preset('features.plugins', false),
    preset('features.goals', false),
    // A dead proxy must fail fast, not "Reconnecting..." forever.
    preset('features.unbounded_connection_retries', false),
  ];
}

/** Only flat keys are valid inside a legacy `[profiles.glm]` table. */
export function profileTableSettings(model: string, providerId: string): Setting[] {
  return profileFileSettings(model, providerId).filter((setting) => !setting.key.includes('.'));
}

export interface DefaultModelChange {
  /** Set the top-level default to GLM (true), put back what was there (false), or leave it (undefined). */
  makeDefault: boolean | undefined;
  /** What the top-level keys held before the tool first changed them; null = absent. */
  previous: { model: string | null; model_provider: string | null } | null;
}

export interface CodexConfigInput {
  text: string;
  file: string;
  provider: ProviderSpec;
  model: string;
  shape: ProfileShape;
  defaults: DefaultModelChange;
  /** The provider of the mode being left (its table goes; a default that named it follows the new one). */
  previous?: Pick<ProviderSpec, 'id'> | null;
}

function settingEdits(base: readonly string[], data: TomlData, settings: Setting[]): TomlEdit[] {
  const edits: TomlEdit[] = [];
  for (const { key, value, enforce } of settings) {
    const path = [...base, ...key.split('.')];
    if (enforce || getIn(data, path) === undefined) edits.push({ op: 'set', path, value });
  }
  return edits;
}

/** True when a `[profiles.<profile>]` table was written by this tool (it points at our provider). */
export function isOwnLegacyProfile(data: TomlData, provider: Pick<ProviderSpec, 'id' | 'profile'>): boolean {
  return getIn(data, ['profiles', provider.profile, 'model_provider']) === provider.id;
}

export function codexConfigEdits(input: CodexConfigInput, data: TomlData): TomlEdit[] {
  const { provider } = input;
  const edits = [...otherAuthEdits(data, provider), ...settingEdits(['model_providers', provider.id], data, providerSettings(provider))];

  if (input.shape === 'file') {
    if (isOwnLegacyProfile(data, provider)) edits.push({ op: 'delete-table', path: ['profiles', provider.profile] });
    if (getIn(data, ['profile']) === provider.profile) edits.push({ op: 'delete-key', path: ['profile'] });
  } else {
    edits.push(...settingEdits(['profiles', provider.profile], data, profileTableSettings(input.model, provider.id)));
  }

  const left = input.previous && input.previous.id !== provider.id ? input.previous.id : null;
  if (left !== null && getIn(data, ['model_providers', left]) !== undefined) edits.push({ op: 'delete-table', path: ['model_providers', left] });
  const { makeDefault, previous } = input.defaults;
  if (left !== null && makeDefault !== false && getIn(data, ['model_provider']) === left) {
    edits.push({ op: 'set', path: ['model'], value: input.model }, { op: 'set', path: ['model_provider'], value: provider.id });
  } else if (makeDefault === true) {
    edits.push({ op: 'set', path: ['model'], value: input.model }, { op: 'set', path: ['model_provider'], value: provider.id });
  } else if (makeDefault === false && (getIn(data, ['model_provider']) === provider.id || (left !== null && getIn(data, ['model_provider']) === left))) {
    // A mode switch with --no-make-default: the default named the table just deleted; it goes back too.
    for (const key of ['model', 'model_provider'] as const) {
      const before = previous?.[key] ?? null;
      edits.push(before === null ? { op: 'delete-key', path: [key] } : { op: 'set', path: [key], value: before });
    }
  } else if (makeDefault === undefined && getIn(data, ['model_provider']) === provider.id && getIn(data, ['model']) !== input.model) {
    // GLM is already the default: keep the default model in step with the chosen one.
    edits.push({ op: 'set', path: ['model'], value: input.model });
  }
  return edits;
}

/** `data`: config.toml already parsed by the caller (it is parsed once per plan). */
export function planCodexConfig(input: CodexConfigInput, data: TomlData = parseTomlData(splitBom(input.text).body, input.file)): string {
  return editToml(input.text, codexConfigEdits(input, data), input.file, { data }).text;
}

/**
 * A top-level `profile = "<profile>"` is removed for Codex >= 0.134 (it refuses the line at every
 * start): say so, whoever wrote it, and what to use instead.
 */
export function profileSelectorNote(data: TomlData, shape: ProfileShape, file: string, profile: string): string | null {
  if (shape !== 'file' || getIn(data, ['profile']) !== profile) return null;
  return `${file} had profile = "${profile}" at the top level, which this Codex refuses at every start: the line is removed. Run \`codex --profile ${profile}\`, or use --make-default to make GLM the default model and provider for every codex run.`;
}

/** The `glm.config.toml` profile file: created from the template, or updated keeping the user's keys. */
export function planProfileFile(text: string, file: string, model: string, providerId: string, catalog: ProfileCatalog | null = null): string {
  const data = parseTomlData(splitBom(text).body, file);
  const edits = settingEdits([], data, profileFileSettings(model, providerId, catalog));
  // Context keys the catalog's models do not share would cap them all: they go.
  for (const key of CONTEXT_KEYS) if (catalog && catalog.context[key] === undefined && data[key] !== undefined) edits.push({ op: 'delete-key', path: [key] });
  return editToml(text, edits, file, { data }).text;
}

/**
 * Problems in the user's own part of config.toml that stop Codex whatever this tool writes.
 * The tool never edits those parts silently; it names them with the fix.
 */
export function userConfigProblems(data: TomlData, file: string, shape: ProfileShape, provider: Pick<ProviderSpec, 'id' | 'profile'>): string[] {
  const own = provider;
  const problems: string[] = [];
  const providers = getIn(data, ['model_providers']);
  if (providers && typeof providers === 'object') {
    for (const [id, table] of Object.entries(providers as Record<string, unknown>)) {
      if (id === own.id || !table || typeof table !== 'object') continue;
      if ((table as Record<string, unknown>).wire_api === 'chat') {
        problems.push(`${file}: provider "${id}" has wire_api = "chat", which Codex no longer accepts: every codex start fails. Set it to "responses" (or remove that provider).`);
      }
      if (['openai', 'ollama', 'lmstudio'].includes(id)) {
        problems.push(`${file}: provider id "${id}" is reserved by Codex and makes it refuse to start; rename [model_providers.${id}].`);
      }
    }
  }
  const selector = legacySelectorProblem(data, file, shape, own);
  if (selector) problems.push(selector);
  return problems;
}

/** A top-level `profile = "x"` (not the tool's own), which stops every start of a profile-file Codex. */
export function legacySelectorProblem(data: TomlData, file: string, shape: ProfileShape, own: Pick<ProviderSpec, 'profile'>): string | null {
  const selector = getIn(data, ['profile']);
  if (shape !== 'file' || typeof selector !== 'string' || selector === own.profile) return null;
  return `${file}: the legacy line profile = "${selector}" stops every start of this Codex version. Run again with --migrate-profiles to remove it (backed up first): \`codex --profile ${selector}\` gives the same settings.`;
}
