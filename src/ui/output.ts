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
  /** The wizard's frame: its opening line (nothing outside the wizard). */
  intro(title: string): void;
  /** A titled box in the wizard; elsewhere its lines as steps. */
  note(text: string, title: string): void;
  /** The last lines of a command, then the wizard's closing line (`closing`: "Done.", or why not). */
  outro(lines: string[], ok: boolean, closing: string): void;
  /** A long-running step: a spinner on a terminal, plain lines elsewhere. */
  /** `done` gives the closing line; the elapsed time is added unless `ownTime` says that line states its own duration. */
  task<T>(title: string, run: (update: (line: string) => void) => Promise<T>, done?: (result: T) => string, ownTime?: boolean): Promise<T>;
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

/** clack's frame: its log, and the intro, note and closing lines around it. */
export interface Frame {
  log: FramedLog;
  intro(title?: string): void;
  note(message?: string, title?: string): void;
  outro(message?: string): void;
  cancel(message?: string): void;
}

const SPINNER = ['◒', '◐', '◓', '◑'];
const PROGRESS_EVERY_MS = 10_000;

/** "42s", "1m 05s". */
export function elapsed(since: number, now = Date.now()): string {
  const seconds = Math.floor((now - since) / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** A line cut to `width` terminal columns, ANSI colours not counted (they take no column). */
export function fit(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  return cut(plain.replace(/[\r\n\t]+/g, ' '), Math.max(10, width));
}

/** The last space outside a `command` span: a command split over two lines cannot be pasted. */
function lastBreak(head: string, firstAfter?: number): number {
  let quoted = false;
  let found = -1;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === '`') quoted = !quoted;
    else if (head[i] === ' ' && !quoted) {
      if (firstAfter !== undefined && i >= firstAfter) return i;
      found = i;
    }
  }
  return firstAfter === undefined ? found : -1;
}

/** Breaks lines longer than `width` at a space (or anywhere, for a long word), keeping each line's indent. */
export function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const out: string[] = [];
      const indent = /^\s*/.exec(line)![0].slice(0, 8);
      let rest = line;
      while ([...rest].length > width) {
        const head = [...rest].slice(0, width).join('');
        const space = lastBreak(head);
        // No place to break before the width: break at the first place after it (a long command stays whole).
        const later = space > indent.length + 10 ? -1 : lastBreak(rest, head.length);
        const cutAt = space > indent.length + 10 ? space : later > 0 ? later : rest.length;
        if (cutAt >= rest.length) break;
        out.push(rest.slice(0, cutAt).trimEnd());
        rest = indent + rest.slice(cutAt).trimStart();
      }
      out.push(rest);
      return out;
    })
    .join('\n');
}

export function createOutput(options: { json: boolean; interactive: boolean; redact: (text: string) => string; frame?: Frame | null }): Output {
  const stream = options.json ? process.stderr : process.stdout;
  const color = stream.isTTY === true && !process.env.NO_COLOR;
  kleur.enabled = color;
  const write = (text: string) => stream.write(`${options.redact(text)}\n`);
  const problem = (text: string) => process.stderr.write(`${options.redact(text)}\n`);
  const frame = options.frame ?? null;
  const framed = frame?.log ?? null;
  // clack draws a gutter ("│  ") before each line; a line the terminal wraps would start outside it.
  const gutterWidth = () => Math.max(20, (process.stdout.columns || 0) - 4);
  const say = (kind: keyof FramedLog, plain: (message: string) => void) => (message: string) =>
    framed ? framed[kind](process.stdout.isTTY ? wrap(options.redact(message), gutterWidth()) : options.redact(message)) : plain(message);
  return {
    json: options.json,
    interactive: options.interactive,
    info: say('info', (message) => write(message)),
    success: say('success', (message) => write(`${kleur.green('✔')} ${message}`)),
    warn: say('warn', (message) => problem(`${kleur.yellow('!')} ${message}`)),
    error: say('error', (message) => problem(`${kleur.red('✖')} ${message}`)),
    step: say('step', (message) => write(`${kleur.cyan('›')} ${message}`)),
    raw: (text) => stream.write(options.redact(text)),
    intro: (title) => frame?.intro(options.redact(title)),
    note(text, title) {
      if (frame) frame.note(options.redact(text), title);
      else for (const line of text.split('\n')) write(`${kleur.cyan('›')} ${line}`);
    },
    outro(lines, ok, closing) {
      if (frame) {
        // Every line in the gutter (outro/cancel would put only the first one there); commands are never wrapped by us.
        const text = options.redact(lines.join('\n'));
        if (ok) frame.log.success(text);
        else frame.log.warn(text);
        if (ok) frame.outro(closing);
        else frame.cancel(closing);
        return;
      }
      for (const line of lines) (ok ? write : (message: string) => problem(`${kleur.yellow('!')} ${message}`))(line);
    },
    async task(title, run, done, ownTime = false) {
      const started = Date.now();
      const took = (text: string) => (done && ownTime ? text : `${text} (${elapsed(started)})`);
      let detail = '';
      const update = (line: string) => {
        detail = options.redact(line);
      };
      if (options.interactive && stream.isTTY) {
        // One line, redrawn in place and cut to the terminal's width: a line wider than the terminal
        // would wrap, and every redraw would then add a line.
        const tty = stream as NodeJS.WriteStream;
        let tick = 0;
        const draw = () => {
          const text = `${SPINNER[tick++ % SPINNER.length]}  ${title} (${elapsed(started)})${detail ? `: ${detail}` : ''}`;
          tty.write(`\r\x1b[2K${fit(text, (tty.columns || 80) - 1)}`);
        };
        let ended = false;
        const end = (text: string) => {
          if (ended) return;
          ended = true;
          clearInterval(timer);
          forget();
          tty.write(`\r\x1b[2K${text}\n\x1b[?25h`);
        };
        // In the wizard's frame every step starts with a gutter line, as the frame's own log lines do.
        tty.write(`${frame ? `${kleur.gray('│')}\n` : ''}\x1b[?25l`);
        draw();
        const timer = setInterval(draw, 120);
        const { onInterrupt } = await import('../interrupt.js');
        const forget = onInterrupt({ message: '', stop: async () => end(`${kleur.red('■')}  ${title}: stopped after ${elapsed(started)}`) });
        try {
          const value = await run(update);
          end(`${kleur.green('◆')}  ${took(options.redact(done ? done(value) : title))}`);
          return value;
        } catch (error) {
          end(`${kleur.red('■')}  ${title}: failed after ${elapsed(started)}`);
          throw error;
        }
      }
      // No spinner: a plain progress line at a steady pace (never per installer line).
      write(`${kleur.cyan('›')} ${title}…`);
      const timer = setInterval(() => write(`${kleur.cyan('›')} ${elapsed(started)}${detail ? `: ${cut(detail, 160)}` : ''}`), PROGRESS_EVERY_MS);
      try {
        const value = await run(update);
        if (done) write(`${kleur.green('✔')} ${took(done(value))}`);
        return value;
      } finally {
        clearInterval(timer);
      }
    },
    result(data) {
      if (options.json) process.stdout.write(`${options.redact(JSON.stringify(data, null, 2))}\n`);
    },
  };
}
