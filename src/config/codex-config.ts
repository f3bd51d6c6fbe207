/**
 * What the tool owns in Codex's configuration, expressed as lossless TOML edits:
 * `[model_providers.glm-litellm]` in config.toml, the `glm` profile (a file for Codex >= 0.134,
 * a `[profiles.glm]` table before), and optionally the top-level default model.
 */
import { KEY_ENV, PROFILE_NAME, PROVIDER_ID } from '../paths.js';
import { getIn } from './toml-data.js';
import { editToml, type TomlEdit, type TomlScalar } from './toml-edit.js';
import { parseTomlData, splitBom, type TomlData } from './toml-syntax.js';

export type ProfileShape = 'file' | 'table';

/** Codex moved profiles from `[profiles.x]` tables to `x.config.toml` files in 0.134.0. */
export function profileShapeFor(codexVersion: string | null): ProfileShape {
  if (!codexVersion) return 'file';
  const [major = 0, minor = 0] = codexVersion.split('.').map((part) => Number.parseInt(part, 10));
  return major > 0 || minor >= 134 ? 'file' : 'table';
}

/** `enforce`: rewritten on every run (Codex needs it to reach the proxy); otherwise written only when absent, so a user's own value stays. */
export interface Setting {
  key: string;
  value: TomlScalar;
  enforce: boolean;
}

const enforced = (key: string, value: TomlScalar): Setting => ({ key, value, enforce: true });
const preset = (key: string, value: TomlScalar): Setting => ({ key, value, enforce: false });

/** `secretsFile`: where the keys really are (the state dir may be anywhere), as people write it. */
export function providerSettings(port: number, secretsFile = '~/.glm-codex/secrets.env'): Setting[] {
  return [
    preset('name', 'GLM via LiteLLM (glm-codex-setup)'),
    enforced('base_url', `http://127.0.0.1:${port}/v1`),
    enforced('env_key', KEY_ENV),
    preset('env_key_instructions', `Open a new terminal, or run \`glm-codex-setup\` to repair the setup (the key is kept in ${secretsFile}).`),
    enforced('wire_api', 'responses'),
    preset('request_max_retries', 4),
    preset('stream_idle_timeout_ms', 300000),
  ];
}

/** Profile keys for GLM through LiteLLM (see the Codex facts); model and provider are enforced. */
export function profileFileSettings(model: string): Setting[] {
  return [
    enforced('model', model),
    enforced('model_provider', PROVIDER_ID),
    preset('model_context_window', 200000),
    preset('model_auto_compact_token_limit', 160000),
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
export function profileTableSettings(model: string): Setting[] {
  return profileFileSettings(model).filter((setting) => !setting.key.includes('.'));
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
  port: number;
  model: string;
  shape: ProfileShape;
  defaults: DefaultModelChange;
  /** secrets.env as people write it (~/...), named in env_key_instructions. */
  secretsFile?: string;
}

function settingEdits(base: readonly string[], data: TomlData, settings: Setting[]): TomlEdit[] {
  const edits: TomlEdit[] = [];
  for (const { key, value, enforce } of settings) {
    const path = [...base, ...key.split('.')];
    if (enforce || getIn(data, path) === undefined) edits.push({ op: 'set', path, value });
  }
  return edits;
}

/** True when a `[profiles.glm]` table was written by this tool (it points at our provider). */
export function isOwnLegacyProfile(data: TomlData): boolean {
  return getIn(data, ['profiles', PROFILE_NAME, 'model_provider']) === PROVIDER_ID;
}

export function codexConfigEdits(input: CodexConfigInput, data: TomlData): TomlEdit[] {
  const provider = ['model_providers', PROVIDER_ID];
  const edits = settingEdits(provider, data, providerSettings(input.port, input.secretsFile));

  if (input.shape === 'file') {
    if (isOwnLegacyProfile(data)) edits.push({ op: 'delete-table', path: ['profiles', PROFILE_NAME] });
    if (getIn(data, ['profile']) === PROFILE_NAME) edits.push({ op: 'delete-key', path: ['profile'] });
  } else {
    edits.push(...settingEdits(['profiles', PROFILE_NAME], data, profileTableSettings(input.model)));
  }

  const { makeDefault, previous } = input.defaults;
  if (makeDefault === true) {
    edits.push({ op: 'set', path: ['model'], value: input.model }, { op: 'set', path: ['model_provider'], value: PROVIDER_ID });
  } else if (makeDefault === false && getIn(data, ['model_provider']) === PROVIDER_ID) {
    for (const key of ['model', 'model_provider'] as const) {
      const before = previous?.[key] ?? null;
      edits.push(before === null ? { op: 'delete-key', path: [key] } : { op: 'set', path: [key], value: before });
    }
  } else if (makeDefault === undefined && getIn(data, ['model_provider']) === PROVIDER_ID && getIn(data, ['model']) !== input.model) {
    // GLM is already the default: keep the default model in step with the chosen one.
    edits.push({ op: 'set', path: ['model'], value: input.model });
  }
  return edits;
}

/** `data`: config.toml already parsed by the caller (it is parsed once per plan). */
export function planCodexConfig(input: CodexConfigInput, data: TomlData = parseTomlData(splitBom(input.text).body, input.file)): string {
  return editToml(input.text, codexConfigEdits(input, data), input.file, { data }).text;
}

/** The `glm.config.toml` profile file: created from the template, or updated keeping the user's keys. */
export function planProfileFile(text: string, file: string, model: string): string {
  const data = parseTomlData(splitBom(text).body, file);
  const edits = settingEdits([], data, profileFileSettings(model));
  return editToml(text, edits, file, { data }).text;
}

/**
 * A top-level `profile = "glm"` is removed for Codex >= 0.134 (it refuses the line at every start):
 * say so, whoever wrote it, and what to use instead.
 */
export function profileSelectorNote(data: TomlData, shape: ProfileShape, file: string): string | null {
  if (shape !== 'file' || getIn(data, ['profile']) !== PROFILE_NAME) return null;
  return `${file} had profile = "${PROFILE_NAME}" at the top level, which this Codex refuses at every start: the line is removed. Run \`codex --profile ${PROFILE_NAME}\`, or use --make-default to make GLM the default model and provider for every codex run.`;
}

/**
 * Problems in the user's own part of config.toml that stop Codex whatever this tool writes.
 * The tool never edits those parts silently; it names them with the fix.
 */
export function userConfigProblems(data: TomlData, file: string, shape: ProfileShape): string[] {
  const problems: string[] = [];
  const providers = getIn(data, ['model_providers']);
  if (providers && typeof providers === 'object') {
    for (const [id, provider] of Object.entries(providers as Record<string, unknown>)) {
      if (id === PROVIDER_ID || !provider || typeof provider !== 'object') continue;
      if ((provider as Record<string, unknown>).wire_api === 'chat') {
        problems.push(`${file}: provider "${id}" has wire_api = "chat", which Codex no longer accepts: every codex start fails. Set it to "responses" (or remove that provider).`);
      }
      if (['openai', 'ollama', 'lmstudio'].includes(id)) {
        problems.push(`${file}: provider id "${id}" is reserved by Codex and makes it refuse to start; rename [model_providers.${id}].`);
      }
    }
  }
  const selector = getIn(data, ['profile']);
  if (shape === 'file' && typeof selector === 'string' && selector !== PROFILE_NAME) {
    problems.push(`${file}: the legacy line profile = "${selector}" stops every start of this Codex version. Remove it and use \`codex --profile ${selector}\` with ${selector}.config.toml instead.`);
  }
  return problems;
}
