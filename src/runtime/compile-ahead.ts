/**
 * The first start of LiteLLM in the tool's own venv compiles each module it imports (the install
 * writes no bytecode: see UV_INSTALL_FLAGS). templates/compile_ahead.py writes that bytecode on the
 * other core while the start runs, which takes about a third off the first start on two cores.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runner } from '../process/run.js';
import { packageRoot } from '../templates.js';
import { runsFromVenv } from './proxy.js';

/** What the `litellm` console script imports first, in order (LiteLLM's package, its CLI, the server). */
export const PROXY_ENTRY_MODULES = ['litellm', 'litellm.proxy.proxy_cli', 'litellm.proxy.proxy_server'] as const;

export interface CompileAhead {
  /** Stops it if still running and waits for it to end: how many modules it compiled (null: stopped first, or it failed). */
  stop(): Promise<number | null>;
}

/**
 * Starts the compile beside a proxy start when the proxy runs from `venv` (never for a LiteLLM of the
 * user's: its bytecode settings stay the user's). On a warm venv the script ends at once.
 */
export function startCompileAhead(launcher: readonly string[], venv: string, timeoutMs: number): CompileAhead | null {
  if (!runsFromVenv(launcher, venv)) return null;
  const python = join(venv, 'bin', 'python');
  const script = join(packageRoot(), 'templates', 'compile_ahead.py');
  if (!existsSync(python) || !existsSync(script)) return null;
  const controller = new AbortController();
  // -I and an empty environment: no user site, no PYTHON* variables, no keys; it reads and writes only the venv's site-packages.
  const running = runner.run(python, ['-I', script, ...PROXY_ENTRY_MODULES], { timeoutMs, env: {}, extendEnv: false, signal: controller.signal, forceKillAfterMs: 1_000 });
  return {
    async stop() {
      controller.abort();
      const result = await running;
      return result.exitCode === 0 && /^\d+$/.test(result.stdout.trim()) ? Number(result.stdout.trim()) : null;
    },
  };
}
