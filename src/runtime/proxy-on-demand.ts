/**
 * Starting the proxy when Codex needs it (from the auth command), with nobody at the keyboard. The
 * same start as setup and `start`: ensureProxyRunning, under the state dir's proxy lock (two Codex
 * processes starting at once end with one proxy), bounded, every failure one UserError with the
 * cause and the fix. LiteLLM is found without PATH: the state dir's venv, then the Python the last
 * setup remembered, then the usual detection.
 */
import { cli } from '../invocation.js';
import { ON_DEMAND_READY_MS } from '../config/codex-auth.js';
import type { Manifest } from '../config/manifest.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Paths } from '../paths.js';
import { createOutput } from '../ui/output.js';
import { chooseLiteLLM, detectLauncher, detectLiteLLM, detectVenvLiteLLM, type LiteLLMInstall } from './litellm.js';
import { findPython } from './python.js';
import { ensureProxyRunning } from './runtime.js';


export interface OnDemandResult {
  action: 'reused' | 'started' | 'restarted';
  pid: number;
  port: number;
  readyMs: number | null;
}

async function litellmForProxy(paths: Paths, manifest: Manifest): Promise<LiteLLMInstall | null> {
  const own = await detectVenvLiteLLM(paths.venv);
  if (own && chooseLiteLLM([own])) return own;
  const remembered = manifest.litellmLauncher ? await detectLauncher(manifest.litellmLauncher) : null;
  if (remembered && chooseLiteLLM([remembered])) return remembered;
  const python = manifest.litellmPython ? await findPython(manifest.litellmPython).catch(() => null) : null;
  return chooseLiteLLM(await detectLiteLLM(paths.venv, python));
}

export async function ensureProxyOnDemand(input: { paths: Paths; port: number; manifest: Manifest }): Promise<OnDemandResult> {
  const { paths, port, manifest } = input;
  const litellm = await litellmForProxy(paths, manifest);
  if (!litellm) {
    throw new UserError('litellm-missing', `no LiteLLM that bridges is installed (${paths.venv} is missing or broken).`, {
      exitCode: ExitCode.prerequisite,
      fix: `run ${cli()} to install it.`,
    });
  }
  // stdout carries the key alone: whatever the start says goes to stderr (Codex logs it).
  const out = createOutput({ json: true, interactive: false, redact: (text) => text });
  const report = await ensureProxyRunning({ paths, litellm, port, out, waitMs: ON_DEMAND_READY_MS });
  return { action: report.action, pid: report.pid, port, readyMs: report.readyMs };
}
