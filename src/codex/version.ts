import { runner } from '../process/run.js';
import { userPath } from '../invocation.js';
import { findOnPath } from '../system.js';

export interface CodexInstall {
  bin: string | null;
  version: string | null;
}

/**
 * Reads `codex --version` ("codex-cli 0.169.0") of the Codex the user's own shell finds: never one
 * that only npm's node_modules/.bin puts on PATH for this run (`npm start` from a checkout would
 * otherwise find this package's own devDependency). Null when Codex is not installed or does not answer.
 */
export async function detectCodex(env: NodeJS.ProcessEnv = process.env): Promise<CodexInstall> {
  const bin = await findOnPath('codex', { ...env, PATH: userPath(env) });
  return bin ? codexAt(bin) : { bin: null, version: null };
}

/** `--version` of the Codex at `bin`. */
export async function codexAt(bin: string): Promise<CodexInstall> {
  try {
    const result = await runner.run(bin, ['--version'], { timeoutMs: 15_000 });
    if (result.exitCode !== 0) return { bin: null, version: null };
    const match = /(\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.]+)?)/.exec(result.stdout);
    return { bin, version: match?.[1] ?? null };
  } catch {
    return { bin: null, version: null };
  }
}
