/**
 * How the user started this tool, so every printed hint names a command they can type:
 * `npx glm-codex-setup` (npx / npm exec), `glm-codex-setup` (on their PATH), else the script's full
 * path (a checkout, `npm start -- …` included). Also the user's own PATH: npm puts its packages'
 * node_modules/.bin first on PATH for `npm start` and npx, and a program found only there (this
 * package's own devDependency Codex) is not one the user's shell will find.
 */
import { realpathSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { findOnPath } from './system.js';

const NAME = 'glm-codex-setup';

/*
 * The command name and the folder flags every printed hint carries are module state, not read from
 * the Context: cli() is called from some 40 files (runtime errors, units, doctor lines) that get no
 * Context, and a usage error needs the name before there is one. So each is written once per run, by
 * cli.ts's main (the name before argv is parsed, the folders after), and the Context reads them back
 * (context.ts). A second write is a bug and throws.
 */
let current: string | null = null;
/** `--state-dir DIR` / `--codex-home DIR` when the user gave them: a hint without them would act on other folders. */
let where: string | null = null;

/** The command as the user can type it, with `args` after it: cli('doctor') -> "npx glm-codex-setup doctor". */
export function cli(args = ''): string {
  const name = commandName();
  return `${args ? `${name} ${args}` : name}${where ?? ''}`;
}

/** The folder flags every printed command keeps (absolute paths). Once per run. */
export function setCommandFolders(flags: { stateDir?: string; codexHome?: string }): void {
  if (where !== null) throw new Error('the folder flags of printed commands are set once per run (cli.ts main)');
  const words = [...(flags.codexHome ? ['--codex-home', resolve(flags.codexHome)] : []), ...(flags.stateDir ? ['--state-dir', resolve(flags.stateDir)] : [])];
  where = words.length > 0 ? ` ${words.map(shellWord).join(' ')}` : '';
}

/** How the user can type this tool's name (the package name until main has detected it). */
export function commandName(): string {
  return current ?? NAME;
}

/** Once per run. */
export function setCommandName(name: string): void {
  if (current !== null) throw new Error('the command name is set once per run (cli.ts main)');
  current = name;
}

/** For tests only: forget both, as a new process would start. */
export function resetInvocationForTests(): void {
  current = null;
  where = null;
}

/** Set by npm for `npm start`, `npm run`, `npx`, `npm exec`: its node_modules/.bin entries are on PATH then. */
function underNpm(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.npm_lifecycle_event || env.npm_command || env.npm_execpath);
}

const NPM_ADDED = /[\\/](node_modules[\\/]\.bin|node-gyp-bin)[\\/]?$/;

/**
 * PATH as the user's shell has it: without the folders npm put in front of it for this run (the
 * node_modules/.bin of the package and its parents, npx's cache, node-gyp-bin). Only the leading run
 * of such folders goes: one the user put on their own PATH stays.
 */
export function userPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.PATH ?? '';
  if (!underNpm(env)) return path;
  const dirs = path.split(delimiter);
  let first = 0;
  while (first < dirs.length && (dirs[first] === '' || NPM_ADDED.test(dirs[first]!))) first++;
  return dirs.slice(first).join(delimiter);
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The tool's private copy in a state dir, which Codex's auth command and the supervisor run: not for people to type. */
const APP_COPY_SCRIPT = /[\\/]app(\.(new|old)-\d+)?[\\/]bin[\\/]glm-codex-setup\.js$/;

export async function detectCommandName(env: NodeJS.ProcessEnv = process.env, script = process.argv[1] ?? NAME): Promise<string> {
  const scriptPath = real(script);
  if (env.npm_command === 'exec' || env.npm_lifecycle_event === 'npx') return `npx ${NAME}`;
  if (APP_COPY_SCRIPT.test(scriptPath)) return (await findOnPath(NAME, { ...env, PATH: userPath(env) })) ? NAME : `npx ${NAME}`;
  // `npm start -- …` from a checkout: the script's full path runs from anywhere (`npm start` would run
  // another project's start script outside the checkout, and rebuild every time inside it).
  if (env.npm_lifecycle_event === 'start' && env.npm_package_name === NAME) return shellWord(scriptPath);
  const onPath = await findOnPath(NAME, { ...env, PATH: userPath(env) });
  if (onPath && real(onPath) === scriptPath) return NAME;
  return shellWord(scriptPath);
}
