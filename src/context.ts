/**
 * Everything a command needs, built once from argv: options, paths, whether it may ask, the prompts
 * (or none), the output, and the secrets to mask. Steps take the parts they use (Pick<Context, ...>).
 */
import type { Options } from './options.js';
import { resolvePaths, type Paths } from './paths.js';
import type { Output } from './ui/output.js';
import type { Prompts } from './ui/prompts.js';

export interface Context {
  options: Options;
  paths: Paths;
  /** Prompts may be shown: stdin is a terminal and --non-interactive was not given. */
  interactive: boolean;
  /** The questions, or null when the run must not ask. */
  prompts: Prompts | null;
  out: Output;
  version: string;
  /** How the user can type this tool's name (npx glm-codex-setup, glm-codex-setup, or the script's full path): every printed command starts with it. */
  commandName: string;
  /** Lets the output layer mask secrets as soon as they are known. */
  addSecret(value: string | undefined): void;
}

export async function buildContext(
  options: Options,
  parts: { version: string; stdinIsTty: boolean; redact: (text: string) => string; addSecret: (value: string | undefined) => void },
): Promise<Context> {
  // --json implies --non-interactive: stdout holds exactly one JSON document, never a prompt.
  const interactive = !options.nonInteractive && !options.json && parts.stdinIsTty;
  const { detectCommandName, setCommandName } = await import('./invocation.js');
  const commandName = await detectCommandName();
  setCommandName(commandName);
  const { createOutput } = await import('./ui/output.js');
  const framed = interactive && options.command === 'setup' ? (await import('@clack/prompts')).log : null;
  const out = createOutput({ json: options.json, interactive, redact: parts.redact, framed });
  const prompts = interactive ? (await import('./ui/prompts.js')).prompts : null;
  return { options, paths: resolvePaths(options), interactive, prompts, out, version: parts.version, commandName, addSecret: parts.addSecret };
}
