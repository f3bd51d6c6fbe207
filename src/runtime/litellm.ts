/**
 * Finding LiteLLM (our venv, then `litellm` on PATH, then the detected Python) and installing it
 * into the tool's own venv. A venv only counts once the install finished and was verified: a marker
 * file written last, so an interrupted install is never mistaken for a good one.
 */
import { rm, writeFile } from 'node:fs/promises';
import { recordTree } from '../fs/made-record.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { findOnPath, pathExists } from '../system.js';
import { onInterrupt, stopProcessGroup } from '../interrupt.js';
import { cli } from '../invocation.js';
import { traceStep } from '../trace.js';
import { classifyLiteLLM, INSTALL_REQUIREMENT, type LiteLLMVerdict } from './litellm-versions.js';
import { readShebangLine } from '../process/info.js';
import { runner } from '../process/run.js';
import { uvEnvFromPip } from './pip-index.js';
import type { PythonInstall } from './python.js';
import type { Uv } from './uv.js';

export type LiteLLMSource = 'venv' | 'path' | 'python';

export interface LiteLLMInstall {
  source: LiteLLMSource;
  version: string;
  /** The Python that has LiteLLM installed. */
  python: string;
  /** argv prefix that starts the proxy. */
  launcher: string[];
  /** fastapi/uvicorn etc. are there: `litellm[proxy]`, not just the SDK. */
  proxyExtras: boolean;
  verdict: LiteLLMVerdict;
}

const MARKER = '.glm-codex-complete';
const PROBE = [
  'import json, importlib.util',
  'import importlib.metadata as m',
  'try:\n    v = m.version("litellm")\nexcept Exception:\n    v = None',
  'mods = ["fastapi", "uvicorn", "backoff", "yaml"]',
  'print(json.dumps({"version": v, "proxy": all(importlib.util.find_spec(x) is not None for x in mods)}))',
].join('\n');

export function venvPython(venv: string, platform = process.platform): string {
  return platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python');
}

function venvLiteLLM(venv: string, platform = process.platform): string {
  return platform === 'win32' ? join(venv, 'Scripts', 'litellm.exe') : join(venv, 'bin', 'litellm');
}

async function probe(python: string[]): Promise<{ version: string | null; proxy: boolean } | null> {
  try {
    const result = await runner.run(python[0]!, [...python.slice(1), '-c', PROBE], { timeoutMs: 30_000 });
    if (result.exitCode !== 0) return null;
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null') as { version: string | null; proxy: boolean };
  } catch {
    return null;
  }
}

/** The interpreter named in a script's `#!` line (console scripts made by pip point at their venv's Python). */
async function shebangPython(script: string): Promise<string | null> {
  const interpreter = /^\s*(\S+)/.exec((await readShebangLine(script)) ?? '')?.[1];
  return interpreter && !interpreter.endsWith('/env') ? interpreter : null;
}

async function installFrom(source: LiteLLMSource, python: string[], launcher: string[]): Promise<LiteLLMInstall | null> {
  const result = await probe(python);
  if (!result?.version) return null;
  return { source, version: result.version, python: python.join(' '), launcher, proxyExtras: result.proxy, verdict: classifyLiteLLM(result.version) };
}

/** Our venv, counted only when complete. */
export async function detectVenvLiteLLM(venv: string): Promise<LiteLLMInstall | null> {
  if (!(await pathExists(join(venv, MARKER)))) return null;
  return installFrom('venv', [venvPython(venv)], [venvLiteLLM(venv)]);
}

export async function detectLiteLLM(venv: string, python: PythonInstall | null): Promise<LiteLLMInstall[]> {
  const found: LiteLLMInstall[] = [];
  const own = await detectVenvLiteLLM(venv);
  if (own) found.push(own);
  const onPath = await findOnPath('litellm');
  if (onPath && !onPath.startsWith(venv)) {
    const interpreter = await shebangPython(onPath);
    const install = interpreter ? await installFrom('path', [interpreter], [onPath]) : null;
    if (install) found.push(install);
  }
  // One that bridges is enough: asking the detected Python too would only cost time.
  if (python && !chooseLiteLLM(found)) {
    const install = await installFrom('python', python.command, [...python.command, '-m', 'litellm.proxy.proxy_cli']);
    if (install && !found.some((f) => f.python === install.python || f.version === install.version)) found.push(install);
  }
  return found;
}

/** The LiteLLM a launcher runs (a console script, or `python -m litellm.proxy.proxy_cli`), found without PATH. */
export async function detectLauncher(launcher: readonly string[]): Promise<LiteLLMInstall | null> {
  const [first, ...rest] = launcher;
  if (!first || !(await pathExists(first))) return null;
  if (rest.length === 0) {
    const interpreter = await shebangPython(first);
    return interpreter ? installFrom('path', [interpreter], [first]) : null;
  }
  return rest[0] === '-m' ? installFrom('python', [first], [...launcher]) : null;
}

/** The venv's `litellm` script: what an install into the state dir will run. */
export function venvLauncher(venv: string): string[] {
  return [venvLiteLLM(venv)];
}

/** The first install that can run the proxy and bridges; compromised ones are reported, never used. */
export function chooseLiteLLM(found: LiteLLMInstall[]): LiteLLMInstall | null {
  return found.find((f) => f.verdict.kind === 'bridges' && f.proxyExtras) ?? null;
}

export interface InstallOptions {
  venv: string;
  python: PythonInstall;
  requirement?: string;
  onLine?: (line: string) => void;
  /** The environment the installers see (and where uv is looked up); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The uv to install with (null: pip); by default uv on PATH, if any. */
  uv?: Uv | null;
  /** pip's index as uv variables, when the caller already asked pip (beside the uv fetch: it takes a Python start). */
  uvIndexEnv?: Promise<Record<string, string>>;
}

/** The installer's total deadline (it downloads from the package index). */
export const INSTALL_TIMEOUT_MS = 20 * 60_000;

async function runStreaming(file: string, args: string[], onLine: (line: string) => void, tail: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Its own process group, so Ctrl-C can stop the installer and every process it started.
  let pid: number | undefined;
  const forget = onInterrupt({
    message: `The LiteLLM install was stopped; the unfinished venv is marked incomplete and the next run of ${cli()} installs it again.`,
    stop: () => stopProcessGroup(pid),
  });
  const result = await runner
    .stream(file, args, {
      timeoutMs: INSTALL_TIMEOUT_MS,
      env: { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      onSpawn: (started) => (pid = started),
      onLine: (line) => {
        tail.push(line);
        if (tail.length > 25) tail.shift();
        onLine(line.trim());
      },
    })
    .finally(forget);
  if (result.timedOut) tail.push(`(stopped: no result within ${INSTALL_TIMEOUT_MS / 60_000} minutes)`);
  return result.exitCode ?? 1;
}

/**
 * No `--compile-bytecode`: compiling all of site-packages costs about 8 s on 2 cores, more than half of it
 * for modules the proxy never imports, while LiteLLM's first start compiles only what it imports (about
 * 5 s more than a compiled start) and keeps it, since the proxy always writes bytecode into the tool's
 * venv (proxyBaseEnv), and runtime/compile-ahead.ts writes much of it on the other core meanwhile. The
 * first run is about 3 s faster than compiling at install, later starts the same (bench/: fresh machine).
 */
export const UV_INSTALL_FLAGS: readonly string[] = [];

/** Creates (or upgrades) the tool's venv with a LiteLLM that bridges. uv when available, else venv + pip. */
export async function installLiteLLM(options: InstallOptions): Promise<LiteLLMInstall> {
  const { venv, python } = options;
  const requirement = options.requirement ?? INSTALL_REQUIREMENT;
  const onLine = options.onLine ?? (() => undefined);
  const tail: string[] = [];
  await rm(join(venv, MARKER), { force: true });
  const baseEnv = options.env ?? process.env;
  const found = options.uv !== undefined ? options.uv : await findOnPath('uv', baseEnv).then((path) => (path ? { path, source: 'path' as const, env: {} } : null));
  const uv = found?.path ?? null;
  // uv does not read pip's configuration: hand it the index pip would use (a corporate mirror, say).
  // It never downloads a Python of its own: the venv uses the Python the tool found.
  const env = found ? { ...baseEnv, ...(await (options.uvIndexEnv ?? uvEnvFromPip(python.command, baseEnv))), ...found.env, UV_PYTHON_DOWNLOADS: 'never' } : baseEnv;
  const pythonExe = venvPython(venv);
  const manual = uv
    ? `uv venv --python ${python.executable} ${venv} && uv pip install --python ${pythonExe} '${requirement}'`
    : `${python.command.join(' ')} -m venv ${venv} && ${pythonExe} -m pip install '${requirement}'`;
  const fail = (what: string) =>
    new UserError('install-failed', `Installing LiteLLM failed (${what}). Last lines of the installer:\n${tail.slice(-12).join('\n')}`, {
      exitCode: ExitCode.prerequisite,
      fix: `Check the network (PIP_INDEX_URL / HTTPS_PROXY are honoured), or run by hand: ${manual}`,
    });

  if (await pathExists(pythonExe)) {
    // A venv whose Python no longer runs, or that holds a compromised release, is rebuilt from scratch:
    // an upgrade in place could leave a malicious .pth file behind.
    const current = await probe([pythonExe]);
    if (current === null || (current.version !== null && classifyLiteLLM(current.version).kind === 'compromised')) {
      await rm(venv, { recursive: true, force: true });
    }
  }
  if (!(await pathExists(pythonExe))) {
    await rm(venv, { recursive: true, force: true });
    const venvStarted = Date.now();
    const code = uv
      ? await runStreaming(uv, ['venv', '--python', python.executable, venv], onLine, tail, env)
      : await runStreaming(python.command[0]!, [...python.command.slice(1), '-m', 'venv', venv], onLine, tail, env);
    if (code !== 0) {
      await rm(venv, { recursive: true, force: true });
      if (tail.some((line) => /ensurepip|python3-venv/.test(line))) {
        throw new UserError('venv-missing', 'Python cannot create virtual environments here (the venv module is missing).', {
          exitCode: ExitCode.prerequisite,
          fix: 'Install it (Debian/Ubuntu: sudo apt install python3-venv), then run again.',
        });
      }
      throw fail('creating the virtual environment');
    }
    traceStep('venv', venvStarted);
  }
  const installStarted = Date.now();
  const code = uv
    ? await runStreaming(uv, ['pip', 'install', ...UV_INSTALL_FLAGS, '--python', pythonExe, requirement], onLine, tail, env)
    : await runStreaming(pythonExe, ['-m', 'pip', 'install', '--upgrade', requirement], onLine, tail, env);
  if (code !== 0) throw fail(`exit code ${code}`);
  traceStep('install', installStarted);

  const installed = await installFrom('venv', [pythonExe], [venvLiteLLM(venv)]);
  if (!installed || installed.verdict.kind !== 'bridges' || !installed.proxyExtras) {
    throw fail(`the result does not work: LiteLLM ${installed?.version ?? 'missing'}`);
  }
  await writeFile(join(venv, MARKER), `${installed.version}\n`);
  // What purge may delete: the files this install left (file by file).
  await recordTree(venv);
  return installed;
}
