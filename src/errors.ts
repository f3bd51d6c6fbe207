import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * Every code a UserError can carry: what `--json` prints as `error.code` (and the auth command's stand-in
 * passes on), one list so a script can rely on them and a typo cannot invent one. `internal` is a bug.
 */
export const ERROR_CODES = [
  'bridge-unloadable',
  'cancelled',
  'catalog-invalid',
  'changed-meanwhile',
  'codex-base-prompt',
  'gateway-bad-master-key',
  'gateway-dir-not-empty',
  'gateway-dir-not-folder',
  'gateway-key-failed',
  'gateway-master-key-missing',
  'gateway-no-database',
  'gateway-not-litellm',
  'gateway-out-exists',
  'gateway-timeout',
  'gateway-unexpected',
  'gateway-unreachable',
  'install-failed',
  'key-empty',
  'key-file',
  'key-file-missing',
  'key-file-unreadable',
  'key-invalid',
  'key-missing',
  'key-refused',
  'litellm-missing',
  'locked',
  'no-backup',
  'no-proxy-in-mode',
  'not-a-file',
  'not-a-folder',
  'not-set-up',
  'port-foreign',
  'state-dir-unsafe',
  'state-dir-not-a-folder',
  'not-a-regular-file',
  'no-space',
  'not-utf8',
  'not-writable',
  'port-busy',
  'provider-not-ours',
  'proxy-not-ready',
  'proxy-spawn',
  'purge-refused',
  'python-missing',
  'python-too-old',
  'read-only',
  'service-failed',
  'symlink-loop',
  'toml-conflict',
  'toml-invalid',
  'toml-verify',
  'unreadable',
  'usage',
  'venv-missing',
  'write-failed',
  'yaml-invalid',
  'yaml-shape',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * An error the user can act on: what went wrong, why, and how to fix it.
 * Messages must never contain a secret; callers pass redacted text.
 */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly fix: string | undefined;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: { exitCode: ExitCodeValue; fix?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.code = code;
    this.exitCode = options.exitCode;
    this.fix = options.fix;
  }
}

export class CancelledError extends UserError {
  constructor() {
    super('cancelled', 'Cancelled. Nothing was left half-written.', { exitCode: ExitCode.cancelled });
  }
}

export function usageError(message: string, fix?: string): UserError {
  return new UserError('usage', message, { exitCode: ExitCode.usage, ...(fix ? { fix } : {}) });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
