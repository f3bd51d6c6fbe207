/**
 * Runs Codex's auth command the way Codex does: the table's absolute command and args, an empty
 * environment, no shell, a time limit (the table's timeout_ms). For doctor: does it print the proxy key?
 */
import type { CodexAuthTable } from '../config/codex-auth.js';
import { runner } from '../process/run.js';

export interface AuthCommandRun {
  /** Exit code; null when it was killed (timeout) or could not start. */
  exitCode: number | null;
  /** stdout with the final newline removed: the token Codex would send. Never print it. */
  token: string;
  /** The command's one-line diagnosis on failure. */
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export async function runAuthCommand(table: Pick<CodexAuthTable, 'command' | 'args' | 'timeout_ms'>, env: NodeJS.ProcessEnv = {}): Promise<AuthCommandRun> {
  const started = performance.now();
  const result = await runner.run(table.command, table.args, { env, extendEnv: false, timeoutMs: table.timeout_ms, maxOutput: 1024 * 1024 });
  return {
    exitCode: result.exitCode,
    token: result.stdout.replace(/\r?\n$/, ''),
    stderr: result.stderr.trim(),
    timedOut: result.timedOut,
    durationMs: Math.round(performance.now() - started),
  };
}
