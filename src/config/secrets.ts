/**
 * secrets.env (mode 0600): the Z.ai key and the proxy's master key. Plain `NAME=value` lines,
 * read by this tool and passed to LiteLLM through its environment, never through argv.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

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
      const value = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
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
    if (value !== undefined) lines.push(`${name}=${value}`);
  }
  for (const line of otherLines) if (!line.startsWith('# glm-codex-setup secrets')) lines.push(line);
  return `${lines.join('\n')}\n`;
}

/** A proxy master key: `sk-` and 192 random bits. */
export function generateMasterKey(): string {
  return `sk-${randomBytes(24).toString('base64url')}`;
}

export function normalizeSecret(raw: string, source: string, label = 'Z.ai API key'): string {
  const key = raw.trim();
  if (!key) {
    throw new UserError('key-empty', `The ${label} from ${source} is empty.`, {
      exitCode: ExitCode.usage,
      fix: label === 'Z.ai API key' ? 'Put your key from https://z.ai/manage-apikey/apikey-list into ZAI_API_KEY or the --zai-key-file file.' : `Put the ${label} into the variable or the file.`,
    });
  }
  if (!isValidSecretValue(key)) {
    throw new UserError('key-invalid', `The ${label} from ${source} contains spaces, quotes or control characters.`, {
      exitCode: ExitCode.usage,
      fix: `Copy the ${label} again; it is a single word like 0123abcd….XyZ.`,
    });
  }
  return key;
}

/** Replaces every known secret value in `text` with a mask; used on all output and logs we show. */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  for (const value of Object.values(secrets)) {
    if (typeof value === 'string' && value.length >= 6) out = out.split(value).join(`${value.slice(0, 3)}…(redacted)`);
  }
  return out;
}
