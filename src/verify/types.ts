import type { ExitCodeValue } from '../exit-codes.js';
import type { CodexCheckResult } from './codex-check.js';
import type { ValidationResult } from './validate.js';

/** The verify step's result: the mode's validation requests and the real Codex run. */
export interface VerifyReport {
  ok: boolean;
  exitCode: ExitCodeValue;
  validation: ValidationResult[];
  /** The real `codex exec --profile glm`; null when Codex is not installed. */
  codex: CodexCheckResult | null;
}
