/**
 * doctor: inspect + verify, never apply. Each unit's checks, then "a fresh plan would change
 * nothing", then the mode's own proof. PASS/WARN/FAIL lines; exit 0 only when nothing FAILs.
 */
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { inspect } from '../inspect/inspect.js';
import { modeNamed, storedMode } from '../modes/index.js';
import { runChecks } from '../doctor/checks.js';
import { unreadableFileCheck } from '../doctor/unreadable.js';
import { waitForReady } from '../verify/validate.js';
import { cli } from '../invocation.js';
import { noSetupCheck, noSetupFound } from '../doctor/no-setup.js';

export async function runDoctor(ctx: Context): Promise<number> {
  const { out, options, paths } = ctx;
  const state = await inspect(paths, 'fresh').catch((error: unknown) => {
    const check = unreadableFileCheck(error);
    if (!check) throw error;
    return check;
  });
  if ('status' in state) {
    // A file the tool cannot read as text (not UTF-8, a folder, a symlink loop): nothing else can be checked.
    out.error(`${state.status}  ${state.message}\n      fix: ${state.fix}`);
    out.result({ ok: false, command: 'doctor', healthy: false, checks: [state] });
    return ExitCode.unhealthy;
  }
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const leftOver = await noSetupFound(state);
  if (leftOver) {
    const check = noSetupCheck(state, leftOver);
    out.error(`${check.message} ${check.fix}`);
    out.result({ ok: false, command: 'doctor', healthy: false, setupFound: false, checks: [check] });
    return ExitCode.unhealthy;
  }
  const mode = storedMode(state) ?? modeNamed(undefined);
  const litellm = (await mode.doctorRuntime?.({ venv: paths.venv, python: options.python ?? state.manifest.litellmPython })) ?? [];
  const { proxy } = state;
  const ready =
    proxy.kind === 'running' &&
    (await waitForReady(proxy.record.port, { timeoutMs: 3000 }).then(
      () => true,
      () => false,
    ));
  const checks = await runChecks(mode, { state, litellm, proxy, ready, cwd: process.cwd() });
  for (const check of checks) {
    const line = `${check.status}  ${check.message}`;
    if (check.status === 'PASS') out.success(line);
    else if (check.status === 'WARN') out.warn(check.fix ? `${line}\n      fix: ${check.fix}` : line);
    else out.error(`${line}\n      fix: ${check.fix ?? `run ${cli()}`}`);
  }
  const healthy = checks.every((c) => c.status !== 'FAIL');
  out.info(healthy ? 'Healthy.' : `Problems found: \`${cli()}\` repairs what is the tool's own; the fixes above say what is yours.`);
  out.result({ ok: healthy, command: 'doctor', healthy, checks });
  return healthy ? ExitCode.ok : ExitCode.unhealthy;
}
