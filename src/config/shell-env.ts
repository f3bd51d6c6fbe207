/**
 * How the proxy key reaches Codex in every new terminal. Codex reads it from LITELLM_API_KEY
 * (the provider's env_key). A marked block in each shell's startup file sources a small 0600 file
 * in the state dir that exports the key: the key itself never lands in rc files (often published
 * as dotfiles) nor in config.toml. Re-runs replace the block in place; uninstall removes it.
 */
import { cli } from '../invocation.js';
import { join } from 'node:path';
import { findOnPath, pathExists } from '../system.js';

export const BLOCK_START = '# >>> glm-codex-setup >>>';
export const BLOCK_END = '# <<< glm-codex-setup <<<';

export type ShellKind = 'sh' | 'fish';

export interface RcTarget {
  path: string;
  kind: ShellKind;
  /** For people: "bash (interactive)", "bash (login)", "zsh", "fish". */
  shell: string;
}

/** POSIX single quotes: the one place this tool writes shell code. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish single quotes: only \\ and ' are special inside them. */
export function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

export function keyEnvFiles(stateDir: string): Record<ShellKind, string> {
  return { sh: join(stateDir, 'codex-env.sh'), fish: join(stateDir, 'codex-env.fish') };
}

export function renderKeyEnv(kind: ShellKind, envVar: string, key: string, what = 'the local LiteLLM proxy key'): string {
  const header = `# Written by glm-codex-setup (mode 0600): ${what} for \`codex --profile glm\`.\n`;
  return kind === 'sh' ? `${header}export ${envVar}=${shQuote(key)}\n` : `${header}set -gx ${envVar} ${fishQuote(key)}\n`;
}

export function renderBlock(kind: ShellKind, envFile: string, eol = '\n'): string {
  const lines =
    kind === 'sh'
      ? [`if [ -r ${shQuote(envFile)} ]; then . ${shQuote(envFile)}; fi`]
      : [`test -r ${fishQuote(envFile)}; and source ${fishQuote(envFile)}`];
  // Mode-neutral (the file holds whichever key the mode sends); the uninstall command as this user runs the tool.
  return [BLOCK_START, `# Gives \`codex --profile glm\` its key. \`${cli('uninstall')}\` removes this.`, ...lines, BLOCK_END].join(eol);
}

function findBlock(text: string): { start: number; end: number } | null {
  const start = text.indexOf(BLOCK_START);
  if (start === -1) return null;
  const endMarker = text.indexOf(BLOCK_END, start);
  if (endMarker === -1) return null;
  return { start, end: endMarker + BLOCK_END.length };
}

/** The file with exactly one current block: replaced in place, or appended after the user's content. */
export function upsertBlock(text: string | null, kind: ShellKind, envFile: string): string {
  const current = text ?? '';
  const eol = current.includes('\r\n') ? '\r\n' : '\n';
  const block = renderBlock(kind, envFile, eol);
  const found = findBlock(current);
  if (found) return current.slice(0, found.start) + block + current.slice(found.end);
  if (current === '') return `${block}${eol}`;
  const separator = current.endsWith('\n') ? eol : `${eol}${eol}`;
  return `${current}${separator}${block}${eol}`;
}

/** The file without the block and the blank line the tool put before it. */
export function removeBlock(text: string): string {
  const found = findBlock(text);
  if (!found) return text;
  let { start, end } = found;
  if (text.startsWith('\r\n', end)) end += 2;
  else if (text[end] === '\n') end += 1;
  const before = text.slice(0, start);
  const blank = /(\r?\n)(\r?\n)$/.exec(before);
  if (blank) start -= blank[2]!.length;
  return text.slice(0, start) + text.slice(end);
}

export function hasBlock(text: string | null): boolean {
  return text !== null && findBlock(text) !== null;
}

/**
 * The startup files to touch: bash's interactive file and the login file bash will actually read
 * (first of ~/.bash_profile, ~/.bash_login, ~/.profile); zsh's ~/.zshenv (read by every zsh) when
 * zsh is used; a conf.d file for fish when fish is used.
 */
export async function rcTargets(home: string, env: NodeJS.ProcessEnv = process.env): Promise<RcTarget[]> {
  const targets: RcTarget[] = [{ path: join(home, '.bashrc'), kind: 'sh', shell: 'bash (interactive)' }];
  const loginCandidates = ['.bash_profile', '.bash_login', '.profile'].map((name) => join(home, name));
  let login = loginCandidates[2]!;
  for (const candidate of loginCandidates) {
    if (await pathExists(candidate)) {
      login = candidate;
      break;
    }
  }
  targets.push({ path: login, kind: 'sh', shell: 'bash (login)' });
  if ((await findOnPath('zsh', env)) !== null || (await pathExists(join(home, '.zshrc'))) || (await pathExists(join(home, '.zshenv')))) {
    targets.push({ path: join(home, '.zshenv'), kind: 'sh', shell: 'zsh' });
  }
  if ((await findOnPath('fish', env)) !== null || (await pathExists(join(home, '.config', 'fish')))) {
    targets.push({ path: join(home, '.config', 'fish', 'conf.d', 'glm-codex-setup.fish'), kind: 'fish', shell: 'fish' });
  }
  return targets;
}

/**
 * Every startup file a block may sit in, whatever today's detection says (rustup's rcfiles() for
 * cleanup): the login file bash reads changes when a ~/.bash_profile appears, and zsh or fish may be
 * gone, but a block the tool wrote earlier must still be found and removed.
 */
export function rcCandidates(home: string, recorded: readonly string[] = []): RcTarget[] {
  const fixed: RcTarget[] = [
    { path: join(home, '.bashrc'), kind: 'sh', shell: 'bash (interactive)' },
    ...['.bash_profile', '.bash_login', '.profile'].map((name): RcTarget => ({ path: join(home, name), kind: 'sh', shell: 'bash (login)' })),
    { path: join(home, '.zshenv'), kind: 'sh', shell: 'zsh' },
    { path: join(home, '.config', 'fish', 'conf.d', 'glm-codex-setup.fish'), kind: 'fish', shell: 'fish' },
  ];
  const known = new Set(fixed.map((target) => target.path));
  const more = recorded.filter((path) => !known.has(path)).map((path): RcTarget => ({ path, kind: path.endsWith('.fish') ? 'fish' : 'sh', shell: 'shell (recorded)' }));
  return [...fixed, ...more];
}
