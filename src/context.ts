/**
 * Everything a command needs, built once from argv: options, paths, whether it may ask, the prompts
 * (or none), the output, and the secrets to mask. Steps take the parts they use (Pick<Context, ...>).
 */
import { commandName } from './invocation.js';
import type { Options } from './options.js';
import { resolvePaths, type Paths } from './paths.js';
import type { Output } from './ui/output.js';
import type { Prompts } from './ui/prompts.js';

export interface Context {
  options: Options;
  paths: Paths;
  /** Prompts may be shown: stdin is a terminal and no run without questions was asked for. */
  interactive: boolean;
  /** A run without questions was asked for (--non-interactive, GLM_CODEX_NON_INTERACTIVE, or --json, which implies it): answers come from flags, env, the last run or defaults, and what would be confirmed goes ahead. */
  unattended: boolean;
  /** How a change that needs the user's yes gets it: asked on the terminal, given (--yes, or a run without questions), or impossible (no terminal, nothing said). */
  confirm: 'ask' | 'given' | 'no-terminal';
  /** The questions, or null when the run must not ask. */
  prompts: Prompts | null;
  out: Output;
  version: string;
  /** How the user can type this tool's name (npx glm-codex-setup, glm-codex-setup, or the script's full path): every printed command starts with it. Read from invocation.ts, where main wrote it once. */
  commandName: string;
  /** Lets the output layer mask secrets as soon as they are known. */
  addSecret(value: string | undefined): void;
}

export async function buildContext(
  options: Options,
  parts: {
    version: string;
    stdinIsTty: boolean;
    redact: (text: string) => string;
    addSecret: (value: string | undefined) => void;
    /** Where HOME, CODEX_HOME and GLM_CODEX_HOME come from (tests give their own). */
    env?: NodeJS.ProcessEnv;
    /** Another output (tests record what a command says). */
    out?: Output;
  },
): Promise<Context> {
  // --json implies --non-interactive: stdout holds exactly one JSON document, never a prompt.
  const unattended = options.nonInteractive || options.json;
  const interactive = !unattended && parts.stdinIsTty;
  const confirm = options.yes || unattended ? 'given' : interactive ? 'ask' : 'no-terminal';
  const { createOutput } = await import('./ui/output.js');
  // The wizard draws its frame (clack) around everything it says; other commands print plain lines.
  const frame = interactive && options.command === 'setup' ? await import('@clack/prompts') : null;
  const out = parts.out ?? createOutput({ json: options.json, interactive, redact: parts.redact, frame });
  const prompts = interactive ? (await import('./ui/prompts.js')).prompts : null;
  return { options, paths: resolvePaths(options, parts.env), interactive, unattended, confirm, prompts, out, version: parts.version, commandName: commandName(), addSecret: parts.addSecret };
}
