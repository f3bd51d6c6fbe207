/**
 * Every answer resolves as flag ?? env ?? (interactive ? prompt : stored value ?? default), walking
 * the question table (questions.ts): the mode first, then the mode's own questions. One code path
 * for both kinds of run.
 */
import { readKeyFile } from '../config/key-file.js';
import { modeFacts } from '../config/mode-registry.js';
import { isValidSecretValue, normalizeSecret } from '../config/secrets.js';
import type { Context } from '../context.js';
import { UserError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { SetupState } from '../inspect/inspect.js';
import { shellWord } from '../invocation.js';
import { tildify } from '../paths.js';
import { MODES } from '../modes/index.js';
import type { Answers, Mode } from '../modes/types.js';
import type { Options } from '../options.js';
import { DEFAULT_MODEL, QUESTIONS, type Draft, type Question, type QuestionId, type SecretSource } from '../questions.js';
import type { Prompts } from '../ui/prompts.js';
import type { RuntimePlan } from '../runtime/runtime.js';

export { CODING_PLAN_NOTE } from '../questions.js';

/** A key: its environment variable, else its file flag, else (asked, offering the stored one) the stored one. */
export async function resolveSecret(source: SecretSource, options: Pick<Options, 'given'>, state: SetupState, prompts: Prompts | null, env = process.env): Promise<string> {
  const fromEnv = env[source.env];
  if (fromEnv) return normalizeSecret(fromEnv, `the ${source.env} variable`, source.label);
  const file = source.file(options.given);
  if (file) return normalizeSecret(await readKeyFile(file, source), file, source.label);
  const stored = state.secrets[source.storedAs];
  if (prompts) {
    if (stored && (await prompts.confirm(`Keep the ${source.label} stored in ${tildify(state.paths.secrets)}?`, true))) return stored;
    return askSecret(source, prompts);
  }
  if (stored) return stored;
  throw usageError(`No ${source.label}: none in the environment, in ${source.fileFlag}, or stored from an earlier run.`, `Set ${source.env}=… in the environment, or pass ${source.fileFlag} FILE.`);
}

async function askSecret(source: SecretSource, prompts: Prompts): Promise<string> {
  const entered = await prompts.secret(`Your ${source.label} (input hidden)`, (value) => {
    const key = value.trim();
    if (!key) return `The key is required: ${source.whereToGet}`;
    return isValidSecretValue(key) ? undefined : 'That does not look like a key: no spaces or quotes.';
  });
  return normalizeSecret(entered, 'the prompt', source.label);
}

/**
 * A new Z.ai key is asked of Z.ai before it replaces the stored one: refused, the stored key stays
 * (the wizard offers to type it again or keep the stored one; a script stops with Z.ai's diagnosis).
 */
async function checkedKey(source: SecretSource, key: string, ctx: AskContext, state: SetupState, draft: Partial<Draft>): Promise<string> {
  const stored = state.secrets[source.storedAs];
  const api = modeFacts(draft.mode).zaiApi;
  const { start, dryRun } = ctx.options;
  if (source.storedAs !== 'ZAI_API_KEY' || !stored || key === stored || !start || dryRun || !draft.endpoint || api === null) return key;
  const { refusedKey } = await import('../verify/key-check.js');
  const model = state.manifest.model ?? DEFAULT_MODEL;
  let candidate = key;
  for (;;) {
    const refused = await refusedKey({ api, apiBase: draft.endpoint, key: candidate, model });
    if (!refused) return candidate;
    const kept = `the stored key in ${tildify(state.paths.secrets)} is kept, unchanged`;
    if (!ctx.prompts) throw new UserError('key-refused', `Z.ai refused the new ${source.label}, so ${kept}. ${refused.cause}`, { exitCode: ExitCode.validation, fix: refused.fix });
    const next = await ctx.prompts.select(
      `Z.ai refused the new key (${refused.cause.replace(/\.$/, '')}); ${kept}. What now?`,
      [
        { value: 'again', label: 'Type the key again' },
        { value: 'keep', label: 'Keep the stored key', hint: 'the one in use' },
      ],
      'again',
    );
    if (next === 'keep') return stored;
    candidate = await askSecret(source, ctx.prompts);
  }
}

/** How the answers are asked: `revisit` (a re-run where the user chose to change the setup) asks every question, starting from the values in use. */
export type AskContext = Pick<Context, 'options' | 'prompts'> & { revisit?: boolean; keep?: boolean };

async function resolveOne<K extends QuestionId>(id: K, ctx: AskContext, state: SetupState, draft: Partial<Draft>, env: NodeJS.ProcessEnv): Promise<Draft[K]> {
  const question = QUESTIONS[id];
  // "Keep them": a stored key is kept without asking.
  const prompts = ctx.keep && question.secret && state.secrets[question.secret.storedAs] ? null : ctx.prompts;
  if (question.secret) return (await checkedKey(question.secret, await resolveSecret(question.secret, ctx.options, state, prompts, env), ctx, state, draft)) as Draft[K];
  let value = await firstAnswer(question, ctx, state, draft);
  if (question.finalize) value = question.finalize(value, draft);
  const { start, dryRun } = ctx.options;
  return question.settle && start && !dryRun ? question.settle(value, { prompts: ctx.prompts, state }) : value;
}

async function firstAnswer<K extends QuestionId>(question: Question<K>, ctx: AskContext, state: SetupState, draft: Partial<Draft>): Promise<Draft[K]> {
  const given = ctx.options.given[question.id] as Draft[K] | undefined;
  if (given !== undefined) return given;
  const stored = question.stored?.(state, draft);
  // "Keep them" asks nothing the setup in use answers: its stored value, what it has now, or "unchanged"
  // (a repair of the user's own files, such as moving legacy profiles, is still offered).
  if (ctx.keep === true && !question.repair) {
    const inUse = question.inUse?.(state);
    if (stored !== undefined) return stored;
    if (inUse !== undefined) return inUse;
    if (question.current) return question.fallback(state, draft);
  }
  const current = question.current ? question.current(state) : stored;
  const asking = ctx.prompts !== null && question.ask !== undefined && (ctx.revisit === true || (question.askWhen ? question.askWhen(state, draft) : stored === undefined));
  const asked = asking ? await question.ask!({ prompts: ctx.prompts!, state, draft, ...(ctx.revisit ? { current } : {}) }) : undefined;
  if (asked !== undefined) return asked;
  return stored !== undefined ? stored : question.fallback(state, draft);
}

export interface Resolved {
  answers: Answers;
  /** The answers as the question table has them (for the next-time command). */
  draft: Draft;
}

/** The mode comes first: it decides which questions follow (and whether LiteLLM is looked for). */
export async function resolveMode(ctx: AskContext, state: SetupState, env = process.env): Promise<Mode> {
  return MODES[await resolveOne('mode', ctx, state, {}, env)];
}

/** The mode's questions, in order. */
export async function resolveAnswers(
  ctx: AskContext,
  state: SetupState,
  mode: Mode,
  runtime: RuntimePlan | null = null,
  env = process.env,
): Promise<Resolved> {
  const draft: Partial<Draft> = { mode: mode.id };
  for (const id of mode.questions) {
    if (id !== 'mode') (draft as Record<QuestionId, unknown>)[id] = await resolveOne(id, ctx, state, draft, env);
  }
  return { answers: mode.answers(draft as Draft, state, runtime), draft: draft as Draft };
}

/** The same setup next time, without questions: every answer as its flag (keys never). */
export function nonInteractiveCommand(mode: Mode, answers: Draft, extra: string[] = [], command = 'glm-codex-setup'): string {
  const args = mode.questions.flatMap((id) => (QUESTIONS[id].toArgs as (value: unknown, draft: Draft) => string[])(answers[id], answers));
  return [command, ...['--non-interactive', ...args, ...extra].map(shellWord)].join(' ');
}

export function requireInteractiveTerminal(ctx: Pick<Context, 'interactive' | 'unattended'>): void {
  if (!ctx.interactive && !ctx.unattended) {
    const ways = [...new Set(Object.values(MODES).flatMap((mode) => mode.questions.map((id) => QUESTIONS[id].howToGive)))];
    throw usageError('No terminal to ask questions on (stdin is not a TTY).', `Run with --non-interactive and give the answers as flags/env: ${ways.join(', ')}.`);
  }
}
