/**
 * The one place that starts processes. Every program the tool runs (Python, pip, uv, LiteLLM, Codex,
 * ps/lsof, the service managers, npm) goes through `runner`, so a test can replace it
 * (`setRunnerForTests`) and see each argv without the real program. No shell, ever: argv only.
 * execa is loaded on first use, so a command that starts nothing (Codex's auth command, mostly) stays fast.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Total deadline: the process is stopped (TERM, then KILL) when it is not done by then. */
  timeoutMs: number;
  cwd?: string;
  /** Added to this process's environment, or the whole environment when `extendEnv` is false. */
  env?: NodeJS.ProcessEnv;
  extendEnv?: boolean;
  /** Written to its stdin (else stdin is closed). */
  input?: string;
  /** Most characters kept of stdout and of stderr; the process is stopped beyond that. */
  maxOutput?: number;
  /** After the deadline's TERM, how long before KILL. */
  forceKillAfterMs?: number;
  /** Stops the process (TERM) when aborted; the result then has a null exit code. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** Null when it could not start, was killed, or overran its deadline or output cap. */
  exitCode: number | null;
  /** The final newline removed. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface StreamOptions {
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Each non-empty line of stdout and stderr, as it comes. */
  onLine(line: string): void;
  /** Its pid, once started (it leads its own process group: stop the group to stop all it started). */
  onSpawn?(pid: number): void;
}

export interface DetachedOptions {
  cwd?: string;
  /** The whole environment (nothing is inherited). */
  env: NodeJS.ProcessEnv;
  /** An open file descriptor for stdout and stderr; else both are discarded. */
  logFd?: number;
}

export interface InteractiveOptions {
  timeoutMs: number;
}

export interface Runner {
  /** Runs to completion and returns its output. */
  run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
  /** Runs in its own process group, its output line by line (an installer). Environment: exactly `env`. */
  stream(file: string, args: readonly string[], options: StreamOptions): Promise<{ exitCode: number | null; timedOut: boolean }>;
  /** Starts a process that outlives this one (its own group, stdin closed); resolves with its pid once it runs. */
  startDetached(file: string, args: readonly string[], options: DetachedOptions): Promise<number>;
  /** Runs on the user's terminal (stdout and stderr shown as they come); resolves with its exit code. */
  interactive(file: string, args: readonly string[], options: InteractiveOptions): Promise<number | null>;
}

const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;

const execaRunner: Runner = {
  async run(file, args, options) {
    const { execa } = await import('execa');
    try {
      const result = await execa(file, [...args], {
        cwd: options.cwd,
        env: options.env,
        extendEnv: options.extendEnv ?? true,
        ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
        reject: false,
        timeout: options.timeoutMs,
        maxBuffer: options.maxOutput ?? DEFAULT_MAX_OUTPUT,
        forceKillAfterDelay: options.forceKillAfterMs ?? 5_000,
        ...(options.signal ? { cancelSignal: options.signal } : {}),
      });
      const exitCode = result.failed && (result.timedOut || result.isMaxBuffer || result.exitCode === undefined) ? null : (result.exitCode ?? null);
      return { exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), timedOut: result.timedOut };
    } catch {
      return { exitCode: null, stdout: '', stderr: '', timedOut: false };
    }
  },

  async stream(file, args, options) {
    const { execa } = await import('execa');
    // Its own process group, so Ctrl-C can stop it and every process it started.
    const child = execa(file, [...args], { reject: false, stdin: 'ignore', all: true, detached: true, timeout: options.timeoutMs, extendEnv: false, env: options.env });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.all?.setEncoding('utf8');
    let buffered = '';
    child.all?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split(/\r?\n/);
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) options.onLine(line);
    });
    const result = await child;
    if (buffered.trim()) options.onLine(buffered);
    return { exitCode: result.exitCode ?? null, timedOut: result.timedOut };
  },

  startDetached(file, args, options) {
    return new Promise((resolve, reject) => {
      const output = options.logFd ?? 'ignore';
      const child = spawn(file, [...args], { cwd: options.cwd, detached: true, stdio: ['ignore', output, output], env: options.env });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve(child.pid!);
      });
    });
  },

  async interactive(file, args, options) {
    const { execa } = await import('execa');
    const result = await execa(file, [...args], { stdio: ['ignore', 'inherit', 'inherit'], reject: false, timeout: options.timeoutMs });
    return result.exitCode ?? null;
  },
};

let current: Runner = execaRunner;

/** The runner every spawn goes through. */
export const runner: Runner = {
  run: (file, args, options) => current.run(file, args, options),
  stream: (file, args, options) => current.stream(file, args, options),
  startDetached: (file, args, options) => current.startDetached(file, args, options),
  interactive: (file, args, options) => current.interactive(file, args, options),
};

/** Tests only: replace the runner (returns a function that puts the real one back). */
export function setRunnerForTests(replacement: Runner): () => void {
  current = replacement;
  return () => {
    current = execaRunner;
  };
}
