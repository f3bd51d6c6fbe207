/** doctor: inspect + verify, never apply. PASS/WARN/FAIL lines; exit 0 only when nothing FAILs. */
import { ExitCode } from '../exit-codes.js';
import { inspect } from '../inspect/inspect.js';
import type { Options } from '../options.js';
import { resolvePaths } from '../paths.js';
import { detectLiteLLM } from '../runtime/litellm.js';
import { proxyProcessState } from '../runtime/proxy.js';
import { findPython } from '../runtime/python.js';
import { runChecks } from '../verify/checks.js';
import { waitForReady } from '../verify/validate.js';
import type { CommandContext } from './setup.js';

export async function runDoctor(options: Options, ctx: CommandContext): Promise<number> {
  const { out } = ctx;
  const paths = resolvePaths(options);
  const state = await inspect(paths);
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const python = await findPython(options.python ?? state.manifest.litellmPython).catch(() => null);
  const [litellm, proxy] = await Promise.all([detectLiteLLM(paths.venv, python), proxyProcessState(paths, { adopt: false })]);
  const ready =
    proxy.kind === 'running' &&
    (await waitForReady(proxy.record.port, { timeoutMs: 3000 }).then(
      () => true,
      () => false,
    ));
  const checks = await runChecks({ state, litellm, proxy, ready, cwd: process.cwd() });
  for (const check of checks) {
    const line = `${check.status}  ${check.message}`;
    if (check.status === 'PASS') out.success(line);
    else if (check.status === 'WARN') out.warn(check.fix ? `${line}\n      fix: ${check.fix}` : line);
    else out.error(`${line}\n      fix: ${check.fix ?? 'run glm-codex-setup'}`);
  }
  const healthy = checks.every((c) => c.status !== 'FAIL');
  out.info(healthy ? 'Healthy.' : 'Problems found: `glm-codex-setup` repairs what is the tool\'s own; the fixes above say what is yours.');
  out.result({ ok: healthy, command: 'doctor', healthy, checks });
  return healthy ? ExitCode.ok : ExitCode.unhealthy;
}
