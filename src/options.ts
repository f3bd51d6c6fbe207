import { parseArgs } from 'node:util';
import { usageError } from './errors.js';
import { parseGatewayOptions, type GatewayOptions } from './gateway/options.js';
import { QUESTIONS, type FlagSpec, type Given, type QuestionId } from './questions.js';
import { cli } from './invocation.js';
import { FIRST_FLAG, parseLiteLLMVersion, TESTED_LITELLM } from './runtime/litellm-versions.js';

export const COMMANDS = ['setup', 'doctor', 'status', 'usage', 'start', 'stop', 'logs', 'uninstall', 'backups', 'restore', 'gateway', 'auth-token', 'autostart', 'supervise'] as const;
export type Command = (typeof COMMANDS)[number];

export { DEFAULT_MODEL, DEFAULT_PORT, ENDPOINTS, parsePort, resolveEndpoint, validateModel, type EndpointName } from './questions.js';

export interface Options {
  command: Command;
  help: boolean;
  version: boolean;
  nonInteractive: boolean;
  codexHome: string | undefined;
  stateDir: string | undefined;
  /** The answers that flags and the environment gave (questions.ts); the rest is asked, stored or defaulted. */
  given: Given;
  start: boolean;
  dryRun: boolean;
  json: boolean;
  python: string | undefined;
  /** The LiteLLM release to install instead of the tested one. */
  litellmVersion: string | undefined;
  yes: boolean;
  follow: boolean;
  purge: boolean;
  forceRebuild: boolean;
  /** restore: which backup (a folder name under backups/); the newest when absent. */
  target: string | undefined;
  /** gateway: the operator's action (init DIR, key create) and its flags. */
  gateway: GatewayOptions | undefined;
  /** usage --days N: how many days of tokens (default 7). */
  days: number | undefined;
}

/** A flag's commands: every command, setup's (the answers; autostart enable|disable is setup), or the ones named. */
export type FlagScope = 'all' | 'setup' | readonly Command[];

/** Flags that are not answers to a question: how the tool runs, not what it sets up. */
export const SWITCHES: (FlagSpec & { commands: FlagScope })[] = [
  { name: 'non-interactive', type: 'boolean', commands: 'all', env: 'GLM_CODEX_NON_INTERACTIVE=1', help: 'no prompts: every answer from flags, env or defaults' },
  { name: 'codex-home', type: 'string', commands: 'all', valueName: 'DIR', env: 'CODEX_HOME', help: "Codex's folder (default: $CODEX_HOME, else ~/.codex)" },
  { name: 'state-dir', type: 'string', commands: 'all', valueName: 'DIR', env: 'GLM_CODEX_HOME', help: "the tool's folder: glm-bridge.yaml, secrets.env, logs, venv, backups\n(default: $GLM_CODEX_HOME, else ~/.glm-codex)" },
  { name: 'no-start', type: 'boolean', commands: 'setup', help: 'write the configuration only: no install, no proxy, no validation' },
  {
    name: 'dry-run',
    type: 'boolean',
    commands: ['setup', 'autostart', 'uninstall', 'restore', 'gateway'],
    help: 'show what it would do (a diff of every file, secrets masked; the commands it would run)\nand change nothing: setup, uninstall, restore, autostart, gateway init, key create --out',
  },
  { name: 'json', type: 'boolean', commands: 'all', help: 'stdout holds exactly one JSON object with the result (never a secret);\nimplies --non-interactive: answers come from flags, env or the last run' },
  { name: 'force-rebuild', type: 'boolean', commands: 'setup', help: 'config.toml does not parse: back it up and rebuild it from what still parses' },
  { name: 'python', type: 'string', commands: ['setup', 'autostart', 'doctor', 'start'], valueName: 'PATH', help: 'the Python to install LiteLLM with (default: python3, python, py -3)' },
  {
    name: 'litellm-version',
    type: 'string',
    commands: 'setup',
    valueName: 'X.Y.Z',
    help: `local mode: the LiteLLM release to install (default: ${TESTED_LITELLM}, the one the tests prove;\n${FIRST_FLAG} or newer)`,
  },
  { name: 'yes', type: 'boolean', commands: ['setup', 'autostart', 'uninstall'], short: 'y', help: 'do not ask for confirmation (uninstall without a terminal needs it,\nor --non-interactive)' },
  { name: 'follow', type: 'boolean', commands: ['logs'], short: 'f', help: 'logs: keep printing new lines' },
  { name: 'purge', type: 'boolean', commands: ['uninstall'], help: "uninstall: also remove the tool's state dir" },
  { name: 'user', type: 'string', commands: ['gateway'], valueName: 'NAME', help: 'gateway key create: the developer the key is for' },
  { name: 'budget', type: 'string', commands: ['gateway'], valueName: 'USD', help: 'gateway key create: the key\'s spending limit' },
  { name: 'dir', type: 'string', commands: ['gateway'], valueName: 'DIR', help: 'gateway key create: the bundle folder whose .env holds LITELLM_MASTER_KEY' },
  { name: 'out', type: 'string', commands: ['gateway'], valueName: 'FILE', help: 'gateway key create: write the new key to FILE (mode 0600) instead of showing it' },
  { name: 'force', type: 'boolean', commands: ['gateway'], help: 'gateway init: write into a non-empty folder (replaced files are backed up,\n.env secrets kept); key create: replace the --out file' },
  { name: 'days', type: 'string', commands: ['usage'], valueName: 'N', help: 'usage: the tokens of the last N days, today included (default 7)' },
  { name: 'help', type: 'boolean', commands: 'all', short: 'h', help: 'this help' },
  { name: 'version', type: 'boolean', commands: 'all', short: 'v', help: "the tool's version" },
];

/** Answers' flags that other commands read too (the rest are setup's). */
const ANSWER_FLAGS_ELSEWHERE: Record<string, readonly Command[]> = {
  port: ['start'],
  endpoint: ['gateway'],
  models: ['gateway'],
  'gateway-url': ['gateway'],
};

/** The commands that take the flag `name`. */
export function flagCommands(name: string): readonly Command[] {
  const scope: FlagScope = SWITCHES.find((flag) => flag.name === name)?.commands ?? 'setup';
  if (scope === 'all') return COMMANDS;
  const own = scope === 'setup' ? (['setup', 'autostart'] as const) : scope;
  return [...own, ...(ANSWER_FLAGS_ELSEWHERE[name] ?? [])];
}

/** Each flag given to a command that does not take it is a usage error (as gh does); so are two that contradict. */
function checkFlags(command: Command, given: string[]): void {
  for (const name of given) {
    const commands = flagCommands(name);
    if (!commands.includes(command)) {
      throw usageError(`--${name} is not a flag of \`${command}\` (it belongs to ${commands.join(', ')}).`, `Run \`${cli('--help')}\` for each command's flags.`);
    }
  }
  for (const name of given) {
    if (name.startsWith('no-') && given.includes(name.slice(3))) throw usageError(`--${name.slice(3)} and --${name} contradict each other.`, 'Give one of them.');
  }
}

/** Every question's flags, in the table's order. */
export function questionFlags(): FlagSpec[] {
  return Object.values(QUESTIONS).flatMap((question) => question.flags);
}

function parseArgsConfig() {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const flag of [...questionFlags(), ...SWITCHES]) config[flag.name] = { type: flag.type, ...(flag.short ? { short: flag.short } : {}) };
  // Accepted only to be refused with the reason.
  config['zai-key'] = { type: 'string' };
  return config;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: parseArgsConfig(), allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message.replace(/\. To specify.*$/s, '.'), `Run \`${cli('--help')}\` for the list of flags.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const { positionals } = parsed;
  if (values['zai-key'] !== undefined) {
    throw usageError('--zai-key is not accepted: a key in the command line is visible to every user of this machine.', 'Set ZAI_API_KEY in the environment, or pass --zai-key-file FILE.');
  }
  const [first, ...rest] = positionals;
  const command = (first ?? 'setup') as Command;
  if (!COMMANDS.includes(command)) throw usageError(`Unknown command "${first}".`, `Commands: ${COMMANDS.join(', ')}.`);
  const oneArgument = command === 'restore' || command === 'autostart';
  if (command !== 'gateway' && rest.length > (oneArgument ? 1 : 0)) throw usageError(`Unexpected argument "${rest[oneArgument ? 1 : 0]}".`);
  checkFlags(command, Object.keys(values).filter((name) => values[name] !== undefined && name !== 'zai-key'));

  const given: Given = {};
  for (const id of Object.keys(QUESTIONS) as QuestionId[]) readGiven(id, values, env, given);
  if (typeof values['zai-key-file'] === 'string') given.zaiKeyFile = values['zai-key-file'];

  const flag = (name: string) => values[name] === true;
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    command,
    help: flag('help'),
    version: flag('version'),
    nonInteractive: flag('non-interactive') || isTruthy(env.GLM_CODEX_NON_INTERACTIVE),
    codexHome: text('codex-home'),
    stateDir: text('state-dir'),
    given,
    start: !flag('no-start'),
    dryRun: flag('dry-run'),
    json: flag('json'),
    python: text('python'),
    litellmVersion: text('litellm-version') === undefined ? undefined : parseLiteLLMVersion(text('litellm-version')!),
    yes: flag('yes'),
    follow: flag('follow'),
    purge: flag('purge'),
    forceRebuild: flag('force-rebuild'),
    target: command === 'restore' || command === 'autostart' ? rest[0] : undefined,
    gateway: command === 'gateway' ? parseGatewayOptions(rest, values as Parameters<typeof parseGatewayOptions>[1]) : undefined,
    days: parseDays(text('days')),
  };
}

function readGiven<K extends QuestionId>(id: K, values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, given: Given): void {
  const value = QUESTIONS[id].fromArgs(values, env);
  if (value !== undefined) given[id] = value;
}

export const MAX_USAGE_DAYS = 3660;

function parseDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const days = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= MAX_USAGE_DAYS)) throw usageError(`--days wants a whole number of days from 1 to ${MAX_USAGE_DAYS}, not "${value}".`, `For example \`${cli('usage --days 30')}\`.`);
  return days;
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value);
}
