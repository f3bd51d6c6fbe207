/** The interactive questions (clack). Each throws CancelledError on Ctrl-C, so callers never see a half answer. */
import * as clack from '@clack/prompts';
import { CancelledError } from '../errors.js';

function answer<T>(value: T | symbol): Exclude<T, symbol> {
  if (clack.isCancel(value) || typeof value === 'symbol') throw new CancelledError();
  return value as Exclude<T, symbol>;
}

/**
 * While a prompt hides the cursor, SIGTERM or SIGHUP would end the process with it still hidden: show it
 * again, then die of the same signal (the handler is removed first, so the default action runs).
 */
export function restoreCursorOnSignals(write: (text: string) => void = (text) => process.stdout.write(text), raise: (signal: NodeJS.Signals) => void = (signal) => process.kill(process.pid, signal)): () => void {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  const forget = () => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    forget();
    try {
      write('\x1b[?25h\n');
    } catch {
      /* the terminal is gone */
    }
    raise(signal);
  }
  for (const signal of signals) process.once(signal, onSignal);
  return forget;
}

async function withCursorRestored<T>(ask: () => Promise<T>): Promise<T> {
  const forget = restoreCursorOnSignals();
  try {
    return await ask();
  } finally {
    forget();
  }
}

export interface Choice<T> {
  value: T;
  label: string;
  hint?: string;
}

export const prompts = {
  async secret(message: string, validate: (value: string) => string | undefined): Promise<string> {
    return answer(await withCursorRestored(() => clack.password({ message, mask: '•', validate: (value) => validate(value ?? '') })));
  },
  /** A placeholder (shown dimmed, never part of the answer) and the answer an empty Enter gives. */
  async text(message: string, shown: { placeholder: string; defaultValue?: string | undefined }, validate: (value: string) => string | undefined): Promise<string> {
    const { placeholder, defaultValue } = shown;
    return answer(
      await withCursorRestored(() => clack.text({
        message,
        placeholder,
        ...(defaultValue !== undefined ? { defaultValue } : {}),
        // An empty answer takes the default, so it is valid when there is one.
        validate: (value) => (!value && defaultValue !== undefined ? undefined : validate(value ?? '')),
      })),
    );
  },
  async select<T>(message: string, choices: Choice<T>[], initialValue: T): Promise<T> {
    const options = choices.map((c) => ({ value: c.value, label: c.label, ...(c.hint ? { hint: c.hint } : {}) }));
    return answer(await withCursorRestored(() => clack.select({ message, options: options as never, initialValue }))) as T;
  },
  async multiselect<T>(message: string, choices: Choice<T>[], initialValues: T[]): Promise<T[]> {
    const options = choices.map((c) => ({ value: c.value, label: c.label, ...(c.hint ? { hint: c.hint } : {}) }));
    return answer(await withCursorRestored(() => clack.multiselect({ message, options: options as never, initialValues, required: false }))) as T[];
  },
  async confirm(message: string, initialValue: boolean): Promise<boolean> {
    return answer(await withCursorRestored(() => clack.confirm({ message, initialValue })));
  },
};

export type Prompts = typeof prompts;
