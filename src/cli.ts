/**
 * Entry point. Only argv parsing and the help text load eagerly; everything a command needs
 * (prompts, YAML, TOML, HTTP, processes) is imported when that command runs.
 */
import { systemErrorAsUserError } from './fs/system-errors.js';
import { CancelledError, UserError, errorMessage } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { parseOptions, type Options } from './options.js';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** A closed pipe or a full disk behind stdout/stderr (EPIPE, ENOSPC): the exit code still tells; no 'error' stack. */
function ignoreOutputErrors(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
  }
}

export async function main(argv: string[]): Promise<number> {
  ignoreOutputErrors();
  let options: Options;
  try {
    if (!argv.includes('--version')) {
      // Fix texts and --help's usage lines name the tool as the user can type it, from the first error on.
      const { detectCommandName, setCommandName } = await import('./invocation.js');
      setCommandName(await detectCommandName());
    }
    options = parseOptions(argv);
    // Every printed command keeps the folders given as flags (setup's next-time line adds its own, from ctx.commandName).
    const { setCommandFolders } = await import('./invocation.js');
    setCommandFolders({ stateDir: options.stateDir, codexHome: options.codexHome });
  } catch (error) {
    return reportEarly(error, argv.includes('--json'));
  }
  if (options.help) {
    process.stdout.write((await import('./help.js')).helpText());
    return ExitCode.ok;
  }
  if (options.version) {
    process.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }

  (await import('./fs/umask.js')).restrictUmask();
  const secrets = new Set<string>();
  const redactText = (text: string) => {
    let out = text;
    for (const value of secrets) out = out.split(value).join(`${value.slice(0, 3)}…(redacted)`);
    return out;
  };
  const addSecret = (value: string | undefined) => {
    if (value && value.length >= 6) secrets.add(value);
  };
  const { buildContext } = await import('./context.js');
  const ctx = await buildContext(options, { version: VERSION, stdinIsTty: process.stdin.isTTY === true, redact: redactText, addSecret });
  const { out } = ctx;
  if (process.env.ZAI_API_KEY) ctx.addSecret(process.env.ZAI_API_KEY.trim());

  const onSigint = async () => {
    // While files are being replaced, finish the one in hand and stop before the next.
    const { requestStop } = await import('./apply/apply.js');
    if (requestStop()) return;
    const { interruptIsQuiet, stopForInterrupt } = await import('./interrupt.js');
    if (interruptIsQuiet()) process.exit(ExitCode.ok);
    const stopped = await stopForInterrupt();
    out.error(['Cancelled (Ctrl-C). Nothing was left half-written.', ...stopped.filter(Boolean)].join('\n'));
    process.exit(ExitCode.cancelled);
  };
  process.on('SIGINT', onSigint);
  try {
    const { runCommand } = await import('./commands/index.js');
    return await runCommand(ctx);
  } catch (error) {
    // A step that failed because Ctrl-C stopped it: the SIGINT handler says so and exits 130.
    if ((await import('./interrupt.js')).interrupting()) await new Promise(() => undefined);
    return reportError(error, out, options);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function reportEarly(thrown: unknown, json: boolean): number {
  const error = systemErrorAsUserError(thrown) ?? thrown;
  const code = error instanceof UserError ? error.exitCode : ExitCode.internal;
  const fix = error instanceof UserError ? error.fix : undefined;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code: (error as UserError).code ?? 'internal', message: errorMessage(error), fix } }, null, 2)}\n`);
  }
  process.stderr.write(`glm-codex-setup: ${errorMessage(error)}\n${fix ? `  fix: ${fix}\n` : ''}`);
  return code;
}

function reportError(thrown: unknown, out: import('./ui/output.js').Output, options: Options): number {
  const error = systemErrorAsUserError(thrown) ?? thrown;
  if (error instanceof CancelledError) {
    out.error(error.message);
    out.result({ ok: false, command: options.command, error: { code: error.code, message: error.message } });
    return error.exitCode;
  }
  if (error instanceof UserError) {
    out.error(error.fix ? `${error.message}\n  fix: ${error.fix}` : error.message);
    out.result({ ok: false, command: options.command, error: { code: error.code, message: error.message, fix: error.fix ?? null } });
    return error.exitCode;
  }
  const stack = process.env.GLM_CODEX_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  out.error(`Unexpected error: ${errorMessage(error)}${stack}\n  This is a bug: please report it (set GLM_CODEX_DEBUG=1 for details).`);
  out.result({ ok: false, command: options.command, error: { code: 'internal', message: errorMessage(error) } });
  return ExitCode.internal;
}
