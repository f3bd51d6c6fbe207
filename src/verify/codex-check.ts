/**
 * The end-to-end check: a real `codex exec --profile glm` through the proxy. The profile sets
 * `unbounded_connection_retries = false`, and a timeout bounds the run, so a dead proxy cannot hang it.
 */
import { runner } from '../process/run.js';
import { withoutKeys } from '../config/secrets.js';

export interface CodexCheckResult {
  ok: boolean;
  reply: string | null;
  durationMs: number;
  /** The last lines of Codex's own output when it failed (secrets are redacted by the output layer). */
  detail: string | null;
}

export async function runCodexCheck(input: {
  codexBin: string;
  codexHome: string;
  profile: string;
  /** What Codex needs in its environment to authenticate (the provider's env_key and its value). */
  authEnv: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
}): Promise<CodexCheckResult> {
  const started = performance.now();
  const result = await runner.run(input.codexBin, ['exec', '--skip-git-repo-check', '--profile', input.profile, 'Reply with OK'], {
    cwd: input.cwd,
    // Only the key this profile needs: Codex may write its environment to disk (~/.codex/shell_snapshots).
    env: { ...withoutKeys(process.env), CODEX_HOME: input.codexHome, ...input.authEnv },
    extendEnv: false,
    timeoutMs: input.timeoutMs ?? 120_000,
  });
  const durationMs = Math.round(performance.now() - started);
  const stdout = result.stdout.trim();
  if (result.exitCode === 0 && stdout) {
    return { ok: true, reply: stdout.split('\n').slice(-3).join('\n'), durationMs, detail: null };
  }
  const why = result.timedOut ? `no answer within ${Math.round((input.timeoutMs ?? 120_000) / 1000)} s` : `exit code ${result.exitCode}`;
  const tail = result.stderr.trim().split('\n').slice(-8).join('\n');
  return { ok: false, reply: null, durationMs, detail: `${why}\n${tail}` };
}
