/**
 * `glm-codex-setup auth-token --state-dir DIR`: the command behind Codex's
 * `[model_providers.glm-litellm.auth]`. Prints the proxy key and nothing else on stdout, after making
 * sure the proxy runs (starting it when it does not). Codex shows the command's stderr when the
 * request then fails, so every failure is ONE line there: the cause and the fix. Not in --help: it is
 * for Codex, not for people.
 */
import { parseManifest } from '../config/manifest.js';
import { modeFacts } from '../config/mode-registry.js';
import { parseSecrets, type Secrets } from '../config/secrets.js';
import { UserError, errorMessage } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readRegularText, readTextIfExists } from '../fs/read.js';
import { assertStateDirTrusted } from '../fs/state-dir-trust.js';
import { DEFAULT_PORT } from '../options.js';
import type { Paths } from '../paths.js';
import type { OnDemandResult } from '../runtime/proxy-on-demand.js';
import { readyProxyPid } from '../runtime/proxy-ready.js';
import type { Context } from '../context.js';

/** Reads a key from secrets.env (the proxy's by default); the errors name the file and what to do. */
export async function readProxyKey(paths: Paths, name: keyof Secrets = 'LITELLM_MASTER_KEY'): Promise<string> {
  let text: string;
  try {
    text = await readRegularText(paths.secrets);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError('key-file-missing', `the key file ${paths.secrets} does not exist.`, {
        exitCode: ExitCode.config,
        fix: 'run glm-codex-setup to create it again.',
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UserError('key-file-unreadable', `the key file ${paths.secrets} is not readable by this user.`, {
        exitCode: ExitCode.config,
        fix: `give it back to your user with mode 600 (chmod 600 ${paths.secrets}), or run glm-codex-setup.`,
      });
    }
    throw new UserError('key-file-unreadable', `the key file ${paths.secrets} cannot be read (${code ?? errorMessage(error)}).`, {
      exitCode: ExitCode.config,
      fix: 'run glm-codex-setup to repair it.',
    });
  }
  const key = parseSecrets(text).secrets[name];
  if (!key) {
    throw new UserError('key-missing', `${paths.secrets} holds no ${name}.`, { exitCode: ExitCode.config, fix: 'run glm-codex-setup to repair it.' });
  }
  return key;
}

/** The proxy's port: state.json's, else the default. */
export async function proxyPort(paths: Paths): Promise<number> {
  return parseManifest(await readTextIfExists(paths.manifest).catch(() => null)).port ?? DEFAULT_PORT;
}

/** The key, once the proxy is up on the port state.json names (started here when it is not). */
export async function authToken(paths: Paths): Promise<{ key: string; proxy: OnDemandResult | null }> {
  // Before reading a key from it or running anything from it: the state dir is this user's alone.
  await assertStateDirTrusted(paths.stateDir, { app: true, venv: true });
  const manifest = parseManifest(await readTextIfExists(paths.manifest));
  const facts = modeFacts(manifest.mode);
  const key = await readProxyKey(paths, facts.authKey);
  // A mode with no local proxy: the key Codex sends is the stored one; nothing runs here.
  if (!facts.localProxy) return { key, proxy: null };
  const port = manifest.port ?? DEFAULT_PORT;
  const started = performance.now();
  const pid = await readyProxyPid(paths, port);
  if (pid !== null) return { key, proxy: { action: 'reused', pid, port, readyMs: Math.round(performance.now() - started) } };
  // Another user's program on the port gets neither the key nor a signal, and its words are not read.
  const { foreignPortHolder, foreignProgramError } = await import('../runtime/port-owner.js');
  const foreign = await foreignPortHolder(port);
  if (foreign) throw await foreignProgramError(port, foreign);
  // Once the proxy is not up, load what starting one needs (execa, undici): the common case stays fast.
  const { checkRecentFailure } = await import('../runtime/failure-responder.js');
  await checkRecentFailure(port);
  const supervisor = await import('../runtime/supervisor.js');
  // The supervisor is backing off a start that fails: say why, rather than one more start per request.
  await supervisor.throwStandingFailure(paths);
  const { ensureProxyOnDemand } = await import('../runtime/proxy-on-demand.js');
  const proxy = await ensureProxyOnDemand({ paths, port, manifest });
  await supervisor.ensureSupervisor(paths, { resumeOnly: true });
  return { key, proxy };
}

/**
 * Prints the key, or fails with one line on stderr. On failure, when nothing listens on the proxy's
 * port, a short-lived stand-in answers Codex's request there with that line (see failure-responder.ts):
 * otherwise Codex would send the request without a key and never say why it failed.
 */
export async function runAuthToken(ctx: Pick<Context, 'paths'>): Promise<number> {
  const { paths } = ctx;
  try {
    const { key } = await authToken(paths);
    await new Promise<void>((resolve) => process.stdout.write(`${key}\n`, () => resolve()));
    return ExitCode.ok;
  } catch (thrown) {
    const { systemErrorAsUserError } = await import('../fs/system-errors.js');
    const error = systemErrorAsUserError(thrown) ?? thrown;
    const { explainFailure, failureLine } = await import('../runtime/failure-responder.js');
    process.stderr.write(`${failureLine(error)}\n`);
    const { mode } = parseManifest(await readTextIfExists(paths.manifest).catch(() => null));
    if (modeFacts(mode).localProxy) await explainFailure(await proxyPort(paths), error);
    return error instanceof UserError ? error.exitCode : ExitCode.internal;
  }
}
