import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * An error the user can act on: what went wrong, why, and how to fix it.
 * Messages must never contain a secret; callers pass redacted text.
 */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly fix: string | undefined;
  readonly code: string;

  constructor(code: string, message: string, options: { exitCode: ExitCodeValue; fix?: string; cause?: unknown }) {
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
