/** The interactive questions (clack). Each throws CancelledError on Ctrl-C, so callers never see a half answer. */
import * as clack from '@clack/prompts';
import { CancelledError } from '../errors.js';

function answer<T>(value: T | symbol): Exclude<T, symbol> {
  if (clack.isCancel(value) || typeof value === 'symbol') throw new CancelledError();
  return value as Exclude<T, symbol>;
}

export interface Choice<T> {
  value: T;
  label: string;
  hint?: string;
}

export const prompts = {
  async secret(message: string, validate: (value: string) => string | undefined): Promise<string> {
    return answer(await clack.password({ message, mask: '•', validate: (value) => validate(value ?? '') }));
  },
  /** A placeholder (shown dimmed, never part of the answer) and the answer an empty Enter gives. */
  async text(message: string, shown: { placeholder: string; defaultValue?: string | undefined }, validate: (value: string) => string | undefined): Promise<string> {
    const { placeholder, defaultValue } = shown;
    return answer(
      await clack.text({
        message,
        placeholder,
        ...(defaultValue !== undefined ? { defaultValue } : {}),
        // An empty answer takes the default, so it is valid when there is one.
        validate: (value) => (!value && defaultValue !== undefined ? undefined : validate(value ?? '')),
      }),
    );
  },
  async select<T>(message: string, choices: Choice<T>[], initialValue: T): Promise<T> {
    const options = choices.map((c) => ({ value: c.value, label: c.label, ...(c.hint ? { hint: c.hint } : {}) }));
    return answer(await clack.select({ message, options: options as never, initialValue })) as T;
  },
  async multiselect<T>(message: string, choices: Choice<T>[], initialValues: T[]): Promise<T[]> {
    const options = choices.map((c) => ({ value: c.value, label: c.label, ...(c.hint ? { hint: c.hint } : {}) }));
    return answer(await clack.multiselect({ message, options: options as never, initialValues, required: false })) as T[];
  },
  async confirm(message: string, initialValue: boolean): Promise<boolean> {
    return answer(await clack.confirm({ message, initialValue }));
  },
};

export type Prompts = typeof prompts;
