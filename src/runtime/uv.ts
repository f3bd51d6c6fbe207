/**
 * uv, the installer LiteLLM is installed with by default (seconds where pip takes minutes). A uv on
 * PATH is used as it is; otherwise the tool fetches one pinned release from the package index pip is
 * configured with (uv is a PyPI package: `pip install --target`), into `<state dir>/uv/`, which is the
 * tool's own (purge removes it), and so is the cache that uv keeps there.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runner } from '../process/run.js';
import { recordTree } from '../fs/made-record.js';
import { findOnPath, pathExists } from '../system.js';
import type { PythonInstall } from './python.js';

/** The uv release the tool fetches (scripts/ensure-uv.sh reads this line for the tests). */
export const UV_VERSION = '0.13.9';
/** Total deadline of the fetch (a wheel of about 20 MB). */
export const UV_FETCH_TIMEOUT_MS = 5 * 60_000;

const MARKER = '.glm-codex-complete';

export function uvHome(stateDir: string): string {
  return join(stateDir, 'uv');
}

function uvRelease(stateDir: string): string {
  return join(uvHome(stateDir), UV_VERSION);
}

function uvBinaryIn(dir: string, platform = process.platform): string {
  return platform === 'win32' ? join(dir, 'bin', 'uv.exe') : join(dir, 'bin', 'uv');
}

export interface Uv {
  path: string;
  /** Where it came from: the user's PATH, or the tool's own copy in the state dir. */
  source: 'path' | 'state-dir';
  /** uv's variables for this uv (the tool's copy keeps no cache: nothing in the state dir it did not record). */
  env: Record<string, string>;
}

function ownUv(stateDir: string, env: NodeJS.ProcessEnv): Uv {
  // The user's own UV_CACHE_DIR wins; otherwise uv caches in a temporary folder it removes itself, so the
  // state dir holds only the recorded uv release (purge deletes only what the tool recorded).
  const cache: Record<string, string> = env.UV_CACHE_DIR === undefined ? { UV_NO_CACHE: '1' } : {};
  return { path: uvBinaryIn(uvRelease(stateDir)), source: 'state-dir', env: cache };
}

/** uv on PATH, else the tool's complete copy in the state dir, else null. Reads only. */
export async function findUv(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Uv | null> {
  const onPath = await findOnPath('uv', env);
  if (onPath) return { path: onPath, source: 'path', env: {} };
  if (await pathExists(join(uvRelease(stateDir), MARKER))) return ownUv(stateDir, env);
  return null;
}

/** The last meaningful line of an installer's output, for a one-line reason. */
function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  return [...lines].reverse().find((line) => /error|no module|could not|not found|denied/i.test(line)) ?? lines[lines.length - 1] ?? 'no output';
}

export type UvFetch = { uv: Uv } | { uv: null; reason: string };

/**
 * Fetches uv with the given Python's pip, which reads its own configuration (PIP_INDEX_URL, pip.conf:
 * a corporate mirror works as for any pip install). Written beside its final place, renamed in when
 * it runs; a failure is returned as a one-line reason (the caller falls back to pip), never thrown.
 */
export async function fetchUv(stateDir: string, python: PythonInstall, options: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {}): Promise<UvFetch> {
  const env = options.env ?? process.env;
  const release = uvRelease(stateDir);
  const fresh = `${release}.new-${process.pid}`;
  try {
    await mkdir(uvHome(stateDir), { recursive: true, mode: 0o700 });
    await rm(fresh, { recursive: true, force: true });
    options.onLine?.(`pip install uv==${UV_VERSION}`);
    const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps', '--only-binary', ':all:', '--target', fresh, `uv==${UV_VERSION}`];
    const result = await runner.run(python.command[0]!, [...python.command.slice(1), ...args], { env, extendEnv: false, timeoutMs: UV_FETCH_TIMEOUT_MS });
    if (result.timedOut) return { uv: null, reason: `fetching uv from the package index took over ${UV_FETCH_TIMEOUT_MS / 60_000} minutes` };
    if (result.exitCode !== 0) {
      const why = lastLine(`${result.stdout}\n${result.stderr}`);
      return { uv: null, reason: /No module named pip/.test(why) ? `${python.command.join(' ')} has no pip to fetch uv with` : `fetching uv failed: ${why}` };
    }
    const version = await runner.run(uvBinaryIn(fresh), ['--version'], { timeoutMs: 30_000 });
    if (version.exitCode !== 0 || !version.stdout.includes(UV_VERSION)) return { uv: null, reason: `the fetched uv does not run: ${lastLine(`${version.stdout}\n${version.stderr}`)}` };
    await writeFile(join(fresh, MARKER), `${UV_VERSION}\n`);
    // Purge deletes only what the tool recorded (src/fs/made-record.ts).
    await rm(release, { recursive: true, force: true });
    await rename(fresh, release);
    // Purge deletes only what the tool recorded (src/fs/made-record.ts).
    await recordTree(uvHome(stateDir));
    return { uv: ownUv(stateDir, env) };
  } catch (error) {
    return { uv: null, reason: `fetching uv failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await rm(fresh, { recursive: true, force: true }).catch(() => undefined);
  }
}
