/**
 * All user-facing text goes through here. Human output goes to stdout, or to stderr when --json
 * owns stdout. Every line passes through `redact` so a secret can never be printed.
 */
import kleur from 'kleur';

export interface Output {
  readonly json: boolean;
  readonly interactive: boolean;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  step(message: string): void;
  raw(text: string): void;
  /** A long-running step: a spinner on a terminal, plain lines elsewhere. */
  task<T>(title: string, run: (update: (line: string) => void) => Promise<T>, done?: (result: T) => string): Promise<T>;
  result(data: Record<string, unknown>): void;
}

/** clack's log functions, used in interactive mode so everything sits in the wizard's frame. */
export interface FramedLog {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  step(message: string): void;
}

export function createOutput(options: { json: boolean; interactive: boolean; redact: (text: string) => string; framed?: FramedLog | null }): Output {
  const stream = options.json ? process.stderr : process.stdout;
  const color = stream.isTTY === true && !process.env.NO_COLOR;
  kleur.enabled = color;
  const write = (text: string) => stream.write(`${options.redact(text)}\n`);
  const problem = (text: string) => process.stderr.write(`${options.redact(text)}\n`);
  const framed = options.framed ?? null;
  const say = (kind: keyof FramedLog, plain: (message: string) => void) => (message: string) =>
    framed ? framed[kind](options.redact(message)) : plain(message);
  return {
    json: options.json,
    interactive: options.interactive,
    info: say('info', (message) => write(message)),
    success: say('success', (message) => write(`${kleur.green('✔')} ${message}`)),
    warn: say('warn', (message) => problem(`${kleur.yellow('!')} ${message}`)),
    error: say('error', (message) => problem(`${kleur.red('✖')} ${message}`)),
    step: say('step', (message) => write(`${kleur.cyan('›')} ${message}`)),
    raw: (text) => stream.write(options.redact(text)),
    async task(title, run, done) {
      if (options.interactive && stream.isTTY) {
        const { spinner } = await import('@clack/prompts');
        const spin = spinner();
        spin.start(title);
        try {
          const value = await run((line) => spin.message(`${title}: ${options.redact(line).slice(0, 70)}`));
          spin.stop(done ? options.redact(done(value)) : title);
          return value;
        } catch (error) {
          spin.error(`${title}: failed`);
          throw error;
        }
      }
      write(`${kleur.cyan('›')} ${title}…`);
      const value = await run(() => undefined);
      if (done) write(`${kleur.green('✔')} ${done(value)}`);
      return value;
    },
    result(data) {
      if (options.json) process.stdout.write(`${options.redact(JSON.stringify(data, null, 2))}\n`);
    },
  };
}
