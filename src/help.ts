import { questionFlags, SWITCHES } from './options.js';
import { QUESTIONS, type FlagSpec } from './questions.js';
import { commandName } from './invocation.js';

function flagLines(flags: FlagSpec[]): string {
  return flags
    .map((flag) => {
      const name = `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${flag.valueName ? ` ${flag.valueName}` : ''}`;
      const [first, ...more] = flag.help.split('\n');
      return [`  ${name.padEnd(23)}  ${first}`, ...more.map((line) => `${' '.repeat(27)}${line}`)].join('\n');
    })
    .join('\n');
}

/** The README's flag table, from the same tables as --help (test/unit/readme.test.ts keeps them equal). */
export function flagTableMarkdown(): string {
  const envOf = (flag: FlagSpec) => flag.env ?? Object.values(QUESTIONS).find((q) => q.flags.some((f) => f.name === flag.name))?.env;
  const rows = [...questionFlags(), ...SWITCHES].map((flag) => {
    const name = `\`${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${flag.valueName ? ` ${flag.valueName}` : ''}\``.replace(/\|/g, '\\|');
    const env = envOf(flag);
    return `| ${name} | ${env ? `\`${env}\`` : ''} | ${flag.help.replace(/\n/g, ' ').replace(/\|/g, '\\|')} |`;
  });
  return ['| flag | env | what |', '|---|---|---|', ...rows].join('\n');
}

/** The commands: what follows the tool's name, and what it does (continuation lines after the first). */
const USAGE: [string, string[]][] = [
  ['[setup] [options]', ['set up, or repair, everything (the default command)']],
  ['doctor', ['check the setup without changing anything']],
  ['status', ['is the proxy running, where, with which config']],
  ['usage [--days N]', ["the GLM Coding Plan's 5-hour and weekly windows (gateway: the key's", 'budget) and the tokens Codex spent on GLM per day and model']],
  ['start | stop', ['start or stop the proxy']],
  ['logs [-f]', ["show the last 50 lines of the proxy's log (-f: follow; Ctrl-C ends it)"]],
  ['uninstall [--purge]', ['undo everything the tool did and remove the stored keys (asks; the venv', 'on request; --purge: the whole state dir; without a terminal: --yes)']],
  ['backups', ['list the backups the tool made']],
  ['restore [NAME]', ['put the files of one backup back (the newest by default)']],
  ['autostart enable|disable|status', ['start the proxy at login, or not (local mode)']],
  ['gateway init DIR', ['write a team gateway bundle (compose, LiteLLM config, .env, README)']],
  [
    'gateway key create --user NAME [--budget USD] [--models a,b] [--gateway-url URL]',
    ["create a developer's key on the gateway (master key from", 'LITELLM_MASTER_KEY or --dir DIR/.env; --out FILE: key to a 0600 file;', 'deadline GLM_CODEX_GATEWAY_TIMEOUT seconds, default 30)'],
  ],
];

/** The usage lines name the tool as this user runs it (a checkout's full path too); a long command puts its description below. */
function usageLines(name: string): string {
  const indent = ' '.repeat(6);
  return USAGE.map(([args, what]) => {
    const head = `  ${name} ${args}`;
    const fits = head.length + 2 <= 38;
    const column = fits ? ' '.repeat(38) : indent;
    const first = fits ? `${head.padEnd(38)}${what[0]}` : `${head}\n${indent}${what[0]}`;
    return [first, ...what.slice(1).map((line) => `${column}${line}`)].join('\n');
  }).join('\n');
}

export function helpText(name = commandName()): string {
  return `glm-codex-setup: use Z.ai GLM models in OpenAI Codex CLI, through a local LiteLLM proxy (--mode local),
Z.ai's own Responses endpoint (--mode direct) or a team's LiteLLM gateway (--mode gateway).

Usage
${usageLines(name)}

Answers (asked in the wizard when no flag or variable gives them)
${flagLines(questionFlags())}

Options
${flagLines(SWITCHES)}

Non-interactive usage
  The Z.ai key is never a flag value (argv is visible to every user): set ZAI_API_KEY or use
  --zai-key-file. A missing required answer exits with code 2, naming the flag or variable.

  ZAI_API_KEY=... ${name} --non-interactive
  ${name} --non-interactive --zai-key-file ~/.zai-key --endpoint general --model glm-5.2
  ${name} --non-interactive --no-start --dry-run      # show what would change
  ${name} doctor --json

Exit codes
  0 success   1 internal error   2 usage (bad flag, missing answer)   3 prerequisite missing
  4 a file could not be changed safely (invalid TOML/YAML, read-only, locked)
  5 proxy could not start   6 validation failed   7 doctor found a problem   130 cancelled
`;
}
