/**
 * The Codex model catalog for GLM (`model_catalog_json`): without an entry for its model Codex runs on
 * fallback metadata (a warning at every start, a context window capped at 272,000 x 95%, no reasoning
 * effort sent). The file is `{"models": [ModelInfo, ...]}` in the shape `codex debug models` prints; it
 * replaces Codex's whole model list for the run, so only the glm profile may point at it.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runner } from '../process/run.js';
import { pathExists } from '../system.js';

export interface ReasoningLevel {
  effort: string;
  description: string;
}

export interface GlmModelSpec {
  id: string;
  displayName: string;
  description: string;
  /** Tokens; Codex uses `effective_context_window_percent` (95) of it. */
  contextWindow: number;
  /** Documentation only: Codex has no catalog field or profile key for it that 0.169 accepts. */
  maxOutputTokens: number;
  inputModalities: string[];
  /** What Z.ai accepts as `reasoning_effort` for this model; empty = Codex sends no effort. */
  reasoningLevels: ReasoningLevel[];
  defaultReasoningLevel: string | null;
  /** Known to Z.ai's documentation, or a user's own id with conservative values. */
  known: boolean;
  /** An id the table does not know, given the limits of this table entry (its closest family). */
  derivedFrom?: string;
}

const LOW: ReasoningLevel = { effort: 'low', description: 'Light reasoning, the fastest answers' };
const HIGH: ReasoningLevel = { effort: 'high', description: 'Deep reasoning, faster and cheaper than max' };
const MAX: ReasoningLevel = { effort: 'max', description: 'Maximum reasoning depth (Z.ai default, recommended for coding)' };

/*
 * Z.ai's documentation (2026-11): GLM-5.4 (2026-11-24, Coding Plan) has a 1M context, takes low, high and
 * max as `reasoning_effort` and accepts images as input. GLM-5.3 and GLM-5.2 have a 1M context (Z.ai's own Codex catalog says
 * 1,048,576 for 5.3), 128K output, text input, and take `reasoning_effort` (high and max are the levels
 * both accept; max is the default). GLM-5.1 and GLM-5: 200K context, 128K output; `reasoning_effort` is
 * documented for GLM-5.2 and above only, so none is declared for them.
 */
export const GLM_MODELS: readonly GlmModelSpec[] = [
  {
    id: 'glm-5.4',
    displayName: 'GLM-5.4',
    description: "Z.ai's newest flagship (Coding Plan), 1M context, text and image input.",
    contextWindow: 1_000_000,
    maxOutputTokens: 131_072,
    inputModalities: ['text', 'image'],
    reasoningLevels: [LOW, HIGH, MAX],
    defaultReasoningLevel: 'max',
    known: true,
  },
  {
    id: 'glm-5.3',
    displayName: 'GLM-5.3',
    description: 'Z.ai flagship for coding and long agent tasks (1M context).',
    contextWindow: 1_048_576,
    maxOutputTokens: 131_072,
    inputModalities: ['text'],
    reasoningLevels: [HIGH, MAX],
    defaultReasoningLevel: 'max',
    known: true,
  },
  {
    id: 'glm-5.2',
    displayName: 'GLM-5.2',
    description: 'Z.ai flagship for long-horizon coding (1M context).',
    contextWindow: 1_000_000,
    maxOutputTokens: 131_072,
    inputModalities: ['text'],
    reasoningLevels: [HIGH, MAX],
    defaultReasoningLevel: 'max',
    known: true,
  },
  {
    id: 'glm-5.1',
    displayName: 'GLM-5.1',
    description: 'Z.ai GLM-5.1 (200K context).',
    contextWindow: 200_000,
    maxOutputTokens: 131_072,
    inputModalities: ['text'],
    reasoningLevels: [],
    defaultReasoningLevel: null,
    known: true,
  },
  {
    id: 'glm-5',
    displayName: 'GLM-5',
    description: 'Z.ai GLM-5 (200K context).',
    contextWindow: 200_000,
    maxOutputTokens: 131_072,
    inputModalities: ['text'],
    reasoningLevels: [],
    defaultReasoningLevel: null,
    known: true,
  },
  {
    id: 'glm-4.7',
    displayName: 'GLM-4.7',
    description: 'Z.ai GLM-4.7 (200K context).',
    contextWindow: 200_000,
    maxOutputTokens: 131_072,
    inputModalities: ['text'],
    reasoningLevels: [],
    defaultReasoningLevel: null,
    known: true,
  },
];

/** A model id the table does not know: values that cannot overrun any current GLM model. */
const CUSTOM_CONTEXT_WINDOW = 128_000;
const CUSTOM_MAX_OUTPUT = 32_768;
/** Compact at 80% of the window: room for the summary turn inside the 95% Codex uses. */
const AUTO_COMPACT_SHARE = 0.8;

export function modelSpec(id: string): GlmModelSpec {
  const known = GLM_MODELS.find((model) => model.id === id);
  if (known) return known;
  const family = closestFamily(id);
  if (family) {
    return {
      ...family,
      id,
      displayName: id,
      description: `${id} (not in glm-codex-setup's table: the limits of ${family.displayName}, its closest known family).`,
      known: false,
      derivedFrom: family.id,
    };
  }
  return {
    id,
    displayName: id,
    description: `${id} (a model id glm-codex-setup does not know: conservative limits).`,
    contextWindow: CUSTOM_CONTEXT_WINDOW,
    maxOutputTokens: CUSTOM_MAX_OUTPUT,
    inputModalities: ['text'],
    reasoningLevels: [],
    defaultReasoningLevel: null,
    known: false,
  };
}

interface GlmVersion {
  major: number;
  minor: number;
  /** `-air`, `-flash`, `-turbo`...: a variant of the numbered model. */
  variant: string;
}

function glmVersion(id: string): GlmVersion | null {
  const match = /^glm-(\d+)(?:\.(\d+))?(-[a-z0-9.-]+)?$/i.exec(id);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), variant: (match[3] ?? '').toLowerCase() };
}

/** Newer GLM releases rank higher (glm-5.4 > glm-5.3 > glm-4.7; a variant just below its base); null for other ids. */
export function glmRank(id: string): number | null {
  const version = glmVersion(id);
  return version ? version.major * 1000 + version.minor - (version.variant ? 0.5 : 0) : null;
}

/**
 * A GLM id the table does not know, by the nearest table entry of the same major version: the variant's
 * own base first (glm-5.3-air -> glm-5.3), else the newest release at or below it (glm-5.5 -> glm-5.4),
 * else the oldest above it. Null when the id is not a GLM version or no release shares its major version.
 */
export function closestFamily(id: string): GlmModelSpec | null {
  const wanted = glmVersion(id);
  if (!wanted) return null;
  const sameMajor = GLM_MODELS.map((spec) => ({ spec, version: glmVersion(spec.id) }))
    .filter((entry): entry is { spec: GlmModelSpec; version: GlmVersion } => entry.version !== null && entry.version.major === wanted.major && entry.version.variant === '')
    .sort((a, b) => b.version.minor - a.version.minor);
  const base = sameMajor.find((entry) => entry.version.minor === wanted.minor);
  if (base) return base.spec;
  const below = sameMajor.find((entry) => entry.version.minor < wanted.minor);
  return (below ?? sameMajor[sameMajor.length - 1])?.spec ?? null;
}

export function autoCompactLimit(spec: GlmModelSpec): number {
  return Math.floor(spec.contextWindow * AUTO_COMPACT_SHARE);
}

/**
 * The catalog file's text. Every field Codex 0.169 and 0.171 require is present; `basePrompt` is Codex's
 * own prompt (see codex/base-prompt.ts): an empty one would make Codex send no base prompt at all.
 */
export function renderModelCatalog(models: string[], basePrompt: string): string {
  if (basePrompt.trim() === '') throw new Error('renderModelCatalog: the base prompt is empty; Codex would run without its instructions.');
  if (models.length === 0) throw new Error('renderModelCatalog: no models.');
  const unique = [...new Set(models)];
  const entries = unique.map((id, index) => catalogEntry(modelSpec(id), index + 1, basePrompt));
  return `${JSON.stringify({ models: entries }, null, 2)}\n`;
}

function catalogEntry(spec: GlmModelSpec, priority: number, basePrompt: string): Record<string, unknown> {
  return {
    slug: spec.id,
    display_name: spec.displayName,
    description: spec.description,
    ...(spec.defaultReasoningLevel ? { default_reasoning_level: spec.defaultReasoningLevel } : {}),
    supported_reasoning_levels: spec.reasoningLevels,
    shell_type: 'shell_command',
    visibility: 'list',
    supported_in_api: true,
    priority,
    support_verbosity: false,
    truncation_policy: { mode: 'tokens', limit: 10_000 },
    experimental_supported_tools: [],
    input_modalities: spec.inputModalities,
    context_window: spec.contextWindow,
    max_context_window: spec.contextWindow,
    auto_compact_token_limit: autoCompactLimit(spec),
    base_instructions: basePrompt,
  };
}

/**
 * The glm profile's context keys, consistent with the catalog. Measured with 0.169.0 and 0.171.0: a
 * profile's `model_context_window` applies to every model of the profile (`-m other` included) and
 * overrides the catalog's per-model value, so the keys are written only when every model set up shares
 * one window; otherwise the catalog alone carries them (`context_window`, `auto_compact_token_limit`).
 * Only keys Codex accepts under --strict-config (never model_max_output_tokens,
 * model_supports_reasoning_summaries, model_reasoning_summary_format, model_family).
 */
export function profileModelSettings(models: string[]): { model_context_window?: number; model_auto_compact_token_limit?: number } {
  const specs = [...new Set(models)].map(modelSpec);
  const first = specs[0];
  if (!first || specs.some((spec) => spec.contextWindow !== first.contextWindow)) return {};
  return { model_context_window: first.contextWindow, model_auto_compact_token_limit: autoCompactLimit(first) };
}

export interface CatalogValidation {
  ok: boolean;
  message: string;
}

/**
 * Asks the installed Codex to load the catalog (`codex debug models -c model_catalog_json=...`, offline)
 * in an empty CODEX_HOME, so only the catalog is judged, and checks every entry kept a base prompt.
 */
export async function validateCatalog(codexBin: string, file: string, opts: { timeoutMs?: number } = {}): Promise<CatalogValidation> {
  if (!(await pathExists(file))) {
    return { ok: false, message: `${file} does not exist: Codex would stop at every start with "No such file or directory (os error 2)", naming no file.` };
  }
  const home = await mkdtemp(join(tmpdir(), 'glm-codex-catalog-'));
  try {
    const codexHome = join(home, 'codex-home');
    await mkdir(codexHome);
    const result = await runner.run(codexBin, ['debug', 'models', '-c', `model_catalog_json=${JSON.stringify(file)}`], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: codexHome },
      extendEnv: false,
      timeoutMs: opts.timeoutMs ?? 30_000,
    });
    if (result.timedOut) return { ok: false, message: `\`codex debug models\` did not answer within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)} s.` };
    if (result.exitCode !== 0) return { ok: false, message: codexErrorLine(String(result.stderr)) ?? `\`codex debug models\` exited with code ${String(result.exitCode)}.` };
    let parsed: { models?: { slug?: unknown; base_instructions?: unknown }[] };
    try {
      parsed = JSON.parse(String(result.stdout)) as typeof parsed;
    } catch {
      return { ok: false, message: '`codex debug models` did not print JSON: this Codex release prints its catalog differently.' };
    }
    const loaded = parsed.models ?? [];
    const expected = await catalogSlugs(file);
    const missing = expected.filter((slug) => !loaded.some((model) => model.slug === slug));
    if (missing.length > 0) return { ok: false, message: `Codex loaded the catalog without ${missing.join(', ')}.` };
    const noPrompt = loaded.filter((model) => typeof model.base_instructions !== 'string' || model.base_instructions.trim() === '').map((model) => String(model.slug));
    if (noPrompt.length > 0) return { ok: false, message: `${file}: ${noPrompt.join(', ')} has an empty base prompt, so Codex would send no instructions.` };
    return { ok: true, message: `Codex loads ${loaded.length} model${loaded.length === 1 ? '' : 's'}: ${loaded.map((model) => String(model.slug)).join(', ')}.` };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function catalogSlugs(file: string): Promise<string[]> {
  try {
    // The tool's own file, in the state dir whose owner and mode are checked (fs/state-dir-trust.ts).
    const data = JSON.parse(await readFile(file, 'utf8')) as { models?: { slug?: unknown }[] };
    return (data.models ?? []).map((model) => model.slug).filter((slug): slug is string => typeof slug === 'string');
  } catch {
    return [];
  }
}

/** Codex's `Error: ...` line, without the stack backtrace it prints after it. */
function codexErrorLine(stderr: string): string | null {
  const line = stderr.split('\n').find((text) => text.startsWith('Error:'));
  return line ? line.replace(/^Error:\s*/, '').trim() : null;
}
