/**
 * Runs Codex's auth command the way Codex does: the table's absolute command and args, an empty
 * environment, no shell, a time limit (the table's timeout_ms). For doctor: does it print the proxy key?
 */
import { execFile } from 'node:child_process';
import type { CodexAuthTable } from '../config/codex-auth.js';

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

export function runAuthCommand(table: Pick<CodexAuthTable, 'command' | 'args' | 'timeout_ms'>, env: NodeJS.ProcessEnv = {}): Promise<AuthCommandRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(table.command, table.args, { env, timeout: table.timeout_ms, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const killed = error !== null && (error as { killed?: boolean }).killed === true;
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
      resolve({
        exitCode: code,
        token: String(stdout ?? '').replace(/\r?\n$/, ''),
        stderr: String(stderr ?? '').trim(),
        timedOut: killed,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
