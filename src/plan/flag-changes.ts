/**
 * The flags (or variables) of this run that change the setup in use: "Keep them" applies them, so the
 * re-run's question names them instead of promising to keep the settings as shown.
 */
import type { SetupState } from '../inspect/inspect.js';
import type { Options } from '../options.js';
import { QUESTIONS, type Draft, type Question, type QuestionId } from '../questions.js';

const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((item) => b.includes(item)) : JSON.stringify(a) === JSON.stringify(b);

/** Each changing answer as its flag: ["--models glm-5.2,glm-5.4"]. Keys are never named. */
export function flagChanges(given: Options['given'], state: SetupState): string[] {
  const draft: Partial<Draft> = { ...given, mode: given.mode ?? QUESTIONS.mode.stored?.(state, {}) ?? QUESTIONS.mode.fallback(state, {}) };
  draft.model = given.model ?? QUESTIONS.model.stored?.(state, draft);
  const changes: string[] = [];
  for (const id of Object.keys(QUESTIONS) as QuestionId[]) {
    const question = QUESTIONS[id] as Question<QuestionId>;
    if (given[id] === undefined || question.secret) continue;
    // As the run will use it: a plan name becomes the mode's URL, the default model heads the list.
    const value = question.finalize ? question.finalize(given[id] as Draft[QuestionId], draft) : given[id];
    const inUse = id === 'mode' ? QUESTIONS.mode.stored?.(state, {}) : (question.stored?.(state, draft) ?? question.inUse?.(state) ?? question.current?.(state));
    if (same(value, inUse)) continue;
    const words = question.toArgs(value as Draft[QuestionId], draft);
    if (words.length > 0) changes.push(words.join(' '));
  }
  return changes;
}
