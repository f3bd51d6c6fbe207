/**
 * Every answer resolves as flag ?? env ?? (interactive ? prompt : stored value ?? default), walking
 * the mode's rows of the question table (questions.ts): one code path for both kinds of run.
 */
import { readFile } from 'node:fs/promises';
import { isValidSecretValue, normalizeZaiKey } from '../config/secrets.js';
import type { Context } from '../context.js';
import { UserError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { SetupState } from '../inspect/inspect.js';
import type { Answers, Mode } from '../modes/types.js';
import type { Options } from '../options.js';
import { QUESTIONS, type Draft, type Question, type QuestionId } from '../questions.js';
import type { Prompts } from '../ui/prompts.js';

export { CODING_PLAN_NOTE } from '../questions.js';

/** The Z.ai key: the environment, else --zai-key-file, else (asked or) the stored one. */
export async function resolveZaiKey(options: Pick<Options, 'given'>, state: SetupState, prompts: Prompts | null, env = process.env): Promise<string> {
  if (env.ZAI_API_KEY) return normalizeZaiKey(env.ZAI_API_KEY, 'the ZAI_API_KEY variable');
  const file = options.given.zaiKeyFile;
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UserError('key-file', `Cannot read --zai-key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, {
        exitCode: ExitCode.usage,
        fix: 'Check the path and its permissions.',
      });
    }
    return normalizeZaiKey(text, file);
  }
  const stored = state.secrets.ZAI_API_KEY;
  if (prompts) {
    if (stored && (await prompts.confirm(`Keep the Z.ai API key stored in ${state.paths.secrets}?`, true))) return stored;
    const entered = await prompts.secret('Your Z.ai API key (input hidden)', (value) => {
      const key = value.trim();
      if (!key) return 'The key is required: create one at https://z.ai/manage-apikey/apikey-list';
      return isValidSecretValue(key) ? undefined : 'That does not look like a key: no spaces or quotes.';
    });
    return normalizeZaiKey(entered, 'the prompt');
  }
  return stored ?? QUESTIONS.zaiKey.fallback(state, {});
}

async function resolveOne<K extends QuestionId>(id: K, ctx: Pick<Context, 'options' | 'prompts'>, state: SetupState, draft: Partial<Draft>, env: NodeJS.ProcessEnv): Promise<Draft[K]> {
  if (id === 'zaiKey') return (await resolveZaiKey(ctx.options, state, ctx.prompts, env)) as Draft[K];
  const question = QUESTIONS[id];
  const value = await firstAnswer(question, ctx, state, draft);
  const { start, dryRun } = ctx.options;
  return question.settle && start && !dryRun ? question.settle(value, { prompts: ctx.prompts, state }) : value;
}

async function firstAnswer<K extends QuestionId>(question: Question<K>, ctx: Pick<Context, 'options' | 'prompts'>, state: SetupState, draft: Partial<Draft>): Promise<Draft[K]> {
  const given = ctx.options.given[question.id] as Draft[K] | undefined;
  if (given !== undefined) return given;
  const stored = question.stored?.(state);
  const asking = ctx.prompts !== null && question.ask !== undefined && (question.askWhen ? question.askWhen(state, draft) : stored === undefined);
  const asked = asking ? await question.ask!({ prompts: ctx.prompts!, state, draft }) : undefined;
  if (asked !== undefined) return asked;
  return stored !== undefined ? stored : question.fallback(state, draft);
}

export async function resolveAnswers<A extends Answers>(
  ctx: Pick<Context, 'options' | 'prompts'>,
  state: SetupState,
  mode: Mode<A>,
  env = process.env,
): Promise<{ answers: A; draft: Draft }> {
  const draft: Partial<Draft> = {};
  for (const id of mode.questions) (draft as Record<QuestionId, unknown>)[id] = await resolveOne(id, ctx, state, draft, env);
  return { answers: mode.answers(draft as Draft, state), draft: draft as Draft };
}

/** The same setup next time, without questions: every answer as its flag (the key never). */
export function nonInteractiveCommand(mode: Mode, answers: Draft, extra: string[] = []): string {
  const args = mode.questions.flatMap((id) => (QUESTIONS[id].toArgs as (value: unknown) => string[])(answers[id]));
  return ['glm-codex-setup', '--non-interactive', ...args, ...extra].join(' ');
}

export function requireInteractiveTerminal(options: Options, stdinIsTty: boolean, mode: Mode): void {
  if (!options.nonInteractive && !stdinIsTty) {
    const ways = mode.questions.map((id) => QUESTIONS[id].howToGive);
    throw usageError('No terminal to ask questions on (stdin is not a TTY).', `Run with --non-interactive and give the answers as flags/env: ${ways.join(', ')}.`);
  }
}
