/** The commands a plan can hold (`run` operations), and how each is carried out. Only apply/ calls these. */
import { rm, rmdir } from 'node:fs/promises';
import { validateCatalog } from '../config/model-catalog.js';
import { appCopyDir, appCopyFiles, installAppCopy } from '../fs/app-copy.js';
import { removeAppCopyFiles } from '../fs/purge.js';
import { cli } from '../invocation.js';
import { runner } from '../process/run.js';
import { traceStep } from '../trace.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Options } from '../options.js';
import type { Paths } from '../paths.js';
import type { RunOperation } from '../units/operations.js';
import { installLiteLLM, type LiteLLMInstall } from '../runtime/litellm.js';
import { uvEnvFromPip } from '../runtime/pip-index.js';
import { installRequirement, VENV_DISK_COST } from '../runtime/litellm-versions.js';
import { findPython, type PythonInstall } from '../runtime/python.js';
import { fetchUv, findUv, UV_VERSION, uvHome, type Uv } from '../runtime/uv.js';
import { ensureProxyRunning, stopProxies, type ProxyReport, type RuntimePlan } from '../runtime/runtime.js';
import type { Output } from '../ui/output.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { executePurge, planPurge } from '../fs/purge.js';
import { createGatewayKey, type CreatedKey } from '../gateway/key-create.js';
import { detectCodex, type CodexInstall } from '../codex/version.js';

const CODEX_INSTALL_TIMEOUT_MS = 20 * 60_000;

export interface ActionEnv {
  paths: Paths;
  out: Output;
  options: Pick<Options, 'python'>;
  /** What inspection found: the LiteLLM that serves, or the Python to install one with. */
  runtime: RuntimePlan | null;
  /** Told of each file as it is written, so progress lines keep the order things happened in. */
  onWritten?: (path: string) => void;
}

/** What the commands produced, for the verify step and --json. */
export interface RunResults {
  litellm: LiteLLMInstall | null;
  proxy: ProxyReport | null;
  stopped: number[];
  /** install-codex: the Codex found on PATH afterwards (null: the install failed or it is not on PATH). */
  codex: CodexInstall | null;
  /** create-gateway-key: the key the gateway made (its value is shown once, or written to `out`). */
  gatewayKey: CreatedKey | null;
  /** purge-state-dir: the folder is gone (false: something else appeared in it, and it stays). */
  purged?: boolean;
  /** purge-state-dir: what the purge found there that glm-codex-setup did not make, and kept. */
  purgeKept?: string[];
}

/** uv on PATH or the tool's copy, else fetched; null (with the reason in one line) means pip. */
async function ensureUv(stateDir: string, python: PythonInstall, out: Output): Promise<Uv | null> {
  const found = await findUv(stateDir);
  if (found) return found;
  const started = Date.now();
  const fetched = await out.task(
    `Fetching uv ${UV_VERSION} (the fast installer) from the package index`,
    (update) => fetchUv(stateDir, python, { onLine: update }),
    (result) => (result.uv ? `Fetched uv ${UV_VERSION} into ${uvHome(stateDir)}` : 'uv could not be fetched'),
  );
  traceStep('uv-fetch', started);
  if (fetched.uv) return fetched.uv;
  out.warn(`Installing with pip instead of uv (slower): ${fetched.reason}`);
  return null;
}

export async function runAction(op: RunOperation, env: ActionEnv, results: RunResults): Promise<void> {
  const { paths, out } = env;
  switch (op.action) {
    case 'install-litellm': {
      const python = env.runtime?.python ?? (await findPython(env.options.python));
      out.step(`LiteLLM: ${op.reason}; installing LiteLLM ${op.version} into ${op.venv} with Python ${python.version} (${VENV_DISK_COST} of disk)`);
      // Asking pip for its index (for uv) reads only, so it runs while uv is fetched.
      const uvIndexEnv = uvEnvFromPip(python.command);
      const uv = await ensureUv(paths.stateDir, python, out);
      results.litellm = await out.task(
        'Installing LiteLLM',
        (update) => installLiteLLM({ venv: op.venv, python, requirement: installRequirement(op.version), onLine: update, uv, uvIndexEnv }),
        (installed) => `Installed LiteLLM ${installed.version}`,
      );
      return;
    }
    case 'ensure-proxy': {
      const litellm = results.litellm ?? env.runtime?.chosen ?? null;
      if (!litellm) throw new Error('ensure-proxy planned without a LiteLLM to run');
      if (!results.litellm) out.success(`LiteLLM ${litellm.version} (${litellm.source}) bridges`);
      results.litellm = litellm;
      results.proxy = await ensureProxyRunning({ paths, litellm, port: op.port, out });
      await (await import('../runtime/supervisor.js')).ensureSupervisor(paths);
      if (results.proxy.action === 'reused') out.success(`Proxy already running with this configuration (pid ${results.proxy.pid}, port ${results.proxy.port})`);
      return;
    }
    case 'validate-catalog': {
      const checked = await validateCatalog(op.codexBin, op.path);
      if (!checked.ok) {
        throw new UserError('catalog-invalid', `Codex does not load the model catalog ${op.path}: ${checked.message} The profile was not changed to use it.`, {
          exitCode: ExitCode.config,
          fix: `Run ${cli()} again; if it repeats, report it with \`codex --version\`.`,
        });
      }
      out.success(`Codex loads the model catalog (${op.path})`);
      return;
    }
    case 'install-app-copy': {
      const dir = await installAppCopy(op.stateDir, await appCopyFiles());
      out.success(`Copied the tool into ${dir} (Codex's auth command runs it)`);
      return;
    }
    case 'remove-app-copy': {
      // File by file: what the user put there stays.
      const kept = await removeAppCopyFiles(appCopyDir(op.stateDir));
      if (kept.length === 0) out.success(`Removed ${appCopyDir(op.stateDir)}`);
      else out.warn(`Removed the tool's files from ${appCopyDir(op.stateDir)}; kept what glm-codex-setup did not make there: ${kept.slice(0, 8).join(', ')}${kept.length > 8 ? ` and ${kept.length - 8} more` : ''}.`);
      return;
    }
    case 'service': {
      for (const [file, ...args] of op.argvs) {
        const result = await runner.run(file!, args, { timeoutMs: 30_000 });
        if (result.exitCode !== 0) {
          throw new UserError('service-failed', `\`${[file, ...args].join(' ')}\` failed (exit ${String(result.exitCode)}): ${result.stderr.trim().split('\n').pop() ?? ''}`, {
            exitCode: ExitCode.proxy,
            fix: `Run ${cli('--no-autostart')} to leave the service manager alone; the proxy still starts on demand.`,
          });
        }
      }
      out.success(op.label);
      return;
    }
    case 'install-codex': {
      const [file, ...args] = op.argv;
      // npm downloads Codex: a total deadline, as for every network step.
      const exitCode = await runner.interactive(file!, args, { timeoutMs: CODEX_INSTALL_TIMEOUT_MS });
      const found = await detectCodex();
      const command = op.argv.join(' ');
      if (exitCode === 0 && found.version) {
        out.success(`Installed Codex ${found.version} (${found.bin}).`);
        results.codex = found;
      } else if (exitCode === 0) out.warn(`npm installed Codex, but \`codex\` is not on your PATH: add the folder \`npm prefix -g\` names (its bin/) to PATH.`);
      else out.warn(`The install failed (exit ${String(exitCode)}); run it yourself: ${command}   (a permission error: use a Node version manager, or set npm's prefix to a folder you own)`);
      return;
    }
    case 'remove-empty-dirs': {
      // rmdir refuses a folder with anything in it: what the user put there keeps its folder.
      for (const dir of op.dirs) await rmdir(dir).catch(() => undefined);
      return;
    }
    case 'remove-run-files': {
      // After the proxy stopped (it writes its log until then); a file that is gone is fine.
      for (const file of op.files) await rm(file, { force: true });
      return;
    }
    case 'remove-venv': {
      await rm(op.venv, { recursive: true, force: true });
      out.success(`Removed ${op.venv}`);
      return;
    }
    case 'purge-state-dir': {
      // Planned again now: what the undo just wrote (state.json) is the tool's, and anything that appeared meanwhile is not.
      const plan = await planPurge(op.stateDir);
      results.purged = await executePurge(plan);
      results.purgeKept = plan.kept;
      return;
    }
    case 'create-gateway-key': {
      const { out: file, ...request } = op;
      const created = await createGatewayKey({ gatewayUrl: request.gatewayUrl, masterKey: request.masterKey, user: request.user, budget: request.budget, models: request.models, keyAlias: request.keyAlias, timeoutMs: request.timeoutMs });
      if (file) await writeFileAtomic(file, `${created.key}\n`, { newFileMode: 0o600, forceMode: 0o600 });
      results.gatewayKey = created;
      return;
    }
    case 'stop-proxy': {
      // Every proxy of this state dir (the recorded one and orphans), recognised by its command line: never a reused pid.
      const { stopped } = await stopProxies(paths);
      for (const pid of stopped) out.success(`Stopped the proxy (pid ${pid})`);
      results.stopped.push(...stopped);
      return;
    }
  }
}
