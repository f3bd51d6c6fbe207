/**
 * Codex's command-backed provider auth (Codex >= 0.160): `[model_providers.glm-litellm.auth]` runs
 * `node <state dir>/app/bin/glm-codex-setup.js auth-token --state-dir <state dir>`, all paths
 * absolute, so it works without PATH, shell startup files or the package that ran setup.
 */
import { join } from 'node:path';
import { codexAtLeast } from './codex-release.js';

export const COMMAND_AUTH_MIN_CODEX = '0.160.0';

/** A cold LiteLLM start takes 6-30 s on a loaded 2-core machine; Codex's timeout_ms must exceed this. */
export const ON_DEMAND_READY_MS = 90_000;

/** The tool's own copy in the state dir (fs/app-copy.ts installs it): what the command runs. */
export const APP_BIN = 'bin/glm-codex-setup.js';

export function appCopyDir(stateDir: string): string {
  return join(stateDir, 'app');
}

/** The script Codex's auth command runs, inside the copy. */
export function appCopyBin(stateDir: string): string {
  return join(appCopyDir(stateDir), ...APP_BIN.split('/'));
}

/** Codex kills the command at timeout_ms and then sends the request with no key: leave room for a cold start. */
export const AUTH_TIMEOUT_MS = ON_DEMAND_READY_MS + 30_000;
/**
 * Codex re-runs the command lazily, on the first request after this long (measured with 0.169: 1 ms
 * gives one run per request, 0 means never again in that process). A re-run starts a proxy that died
 * during a long session, so keep it short; a run with the proxy up costs about a tenth of a second.
 */
export const AUTH_REFRESH_MS = 60_000;

export interface CodexAuthTable {
  command: string;
  args: string[];
  timeout_ms: number;
  refresh_interval_ms: number;
}

export function codexAuthTable(input: { stateDir: string; nodePath?: string }): CodexAuthTable {
  return {
    command: input.nodePath ?? process.execPath,
    args: [appCopyBin(input.stateDir), 'auth-token', '--state-dir', input.stateDir],
    timeout_ms: AUTH_TIMEOUT_MS,
    refresh_interval_ms: AUTH_REFRESH_MS,
  };
}

/** `codex --version` semver: does it know `[model_providers.<id>.auth]`? */
export function supportsCommandAuth(codexVersion: string): boolean {
  return codexAtLeast(codexVersion, 160);
}
