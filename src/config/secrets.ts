/**
 * secrets.env (mode 0600): the Z.ai key and the proxy's master key. `NAME='value'` lines (POSIX
 * single quotes, so sourcing the file by hand runs nothing), read by this tool and passed to LiteLLM
 * through its environment, never through argv.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { shQuote } from './shell-env.js';

export interface Secrets {
  ZAI_API_KEY?: string;
  LITELLM_MASTER_KEY?: string;
  /** Gateway mode: the developer's virtual key for the team's LiteLLM. */
  GLM_CODEX_GATEWAY_KEY?: string;
}

const NAMES = ['ZAI_API_KEY', 'LITELLM_MASTER_KEY', 'GLM_CODEX_GATEWAY_KEY'] as const;
/** Printable ASCII without spaces or quotes: safe in env files, headers and shell snippets. */
const SAFE_VALUE = /^[\x21\x23-\x26\x28-\x7e]+$/;

export function isValidSecretValue(value: string): boolean {
  return SAFE_VALUE.test(value);
}

export function parseSecrets(text: string): { secrets: Secrets; otherLines: string[] } {
  const secrets: Secrets = {};
  const otherLines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    const name = match?.[1];
    if (match && (NAMES as readonly string[]).includes(name!)) {
      const value = unquote(match[2]!.trim());
      if (value) secrets[name as (typeof NAMES)[number]] = value;
    } else if (line.trim() !== '') {
      otherLines.push(line);
    }
  }
  return { secrets, otherLines };
}

export function renderSecrets(secrets: Secrets, otherLines: string[] = []): string {
  const lines = ['# glm-codex-setup secrets: keep this file private (mode 0600).'];
  for (const name of NAMES) {
    const value = secrets[name];
    if (value !== undefined) lines.push(`${name}=${shQuote(value)}`);
  }
  for (const line of otherLines) if (!line.startsWith('# glm-codex-setup secrets')) lines.push(line);
  return `${lines.join('\n')}\n`;
}

/** `'a'\''b'` (what shQuote writes) -> a'b; a value in double quotes or bare is taken as it is. */
function unquote(value: string): string {
  if (/^'(?:[^']|'\\'')*'$/.test(value)) return value.slice(1, -1).replace(/'\\''/g, "'");
  return value.replace(/^"(.*)"$/, '$1');
}

/**
 * Why a master key is too weak to keep, or null. LiteLLM answers with
 * `access-control-allow-origin: *`, so any web page the user opens can try keys on localhost.
 */
export function weakMasterKeyReason(key: string | undefined): string | null {
  if (key === undefined) return null;
  const body = key.replace(/^sk-/, '');
  if (body.length < 32) return `it has ${body.length} characters after "sk-"; a generated key has 32`;
  if (new Set(body).size < 12) return 'it repeats a few characters';
  if (!isValidSecretValue(key)) return 'it holds spaces, quotes or control characters';
  return null;
}

export const WEAK_KEY_WHY =
  'LiteLLM answers every origin (access-control-allow-origin: *), so a guessable key on 127.0.0.1 can be tried by any web page you open';

/** The stored master key when it is strong enough, else a new one. */
export function keptMasterKey(stored: string | undefined): string {
  return stored !== undefined && weakMasterKeyReason(stored) === null ? stored : generateMasterKey();
}

/** A proxy master key: `sk-` and 192 random bits. */
export function generateMasterKey(): string {
  return `sk-${randomBytes(24).toString('base64url')}`;
}

/** Longer than any real API key; a key goes into every request header, so a pasted file must not. */
export const MAX_KEY_LENGTH = 512;

/** Every variable that can carry one of the keys: the stored ones and those Codex reads in each mode. */
const KEY_VARIABLES = [...NAMES, 'LITELLM_API_KEY', 'GLM_CODEX_ZAI_KEY'];

/** `env` without any key: for processes that need none (they read secrets.env, or get only their own). */
export function withoutKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of KEY_VARIABLES) delete copy[name];
  return copy;
}

export function normalizeSecret(raw: string, source: string, label = 'Z.ai API key'): string {
  const key = raw.trim();
  if (!key) {
    throw new UserError('key-empty', `The ${label} from ${source} is empty.`, {
      exitCode: ExitCode.usage,
      fix: label === 'Z.ai API key' ? 'Put your key from https://z.ai/manage-apikey/apikey-list into ZAI_API_KEY or the --zai-key-file file.' : `Put the ${label} into the variable or the file.`,
    });
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new UserError('key-invalid', `The ${label} from ${source} is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}.`, {
      exitCode: ExitCode.usage,
      fix: `Copy the ${label} again; it is a single word like 0123abcd….XyZ, not a whole file.`,
    });
  }
  if (!isValidSecretValue(key)) {
    throw new UserError('key-invalid', `The ${label} from ${source} ${keyProblem(key)}.`, {
      exitCode: ExitCode.usage,
      fix: `Copy the ${label} again; it is a single word like 0123abcd….XyZ.`,
    });
  }
  return key;
}

/** What is wrong with a key that fails isValidSecretValue, named precisely (never echoing the key). */
export function keyProblem(key: string): string {
  for (const [index, char] of [...key].entries()) {
    const code = char.codePointAt(0)!;
    const at = `at character ${index + 1}`;
    if (code > 0x7e) return `contains a non-ASCII character ${at} (U+${code.toString(16).toUpperCase().padStart(4, '0')}; often a typographic dash or an invisible space picked up when copying)`;
    if (code < 0x20 || code === 0x7f) return `contains a control character ${at}`;
    if (char === ' ') return `contains a space ${at}`;
    if (char === '"' || char === "'") return `contains a quote ${at}`;
  }
  return 'contains characters a key cannot hold';
}

/** Replaces every known secret value in `text` with a mask; used on all output and logs we show. */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  for (const value of Object.values(secrets)) {
    if (typeof value === 'string' && value.length >= 6) out = out.split(value).join(`${value.slice(0, 3)}…(redacted)`);
  }
  return out;
}
