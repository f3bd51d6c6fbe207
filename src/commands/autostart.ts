/**
 * `autostart enable | disable | status`. enable and disable are setup with --autostart or
 * --no-autostart (the same plan, applied without questions); status says what keeps the proxy up.
 */
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { inspect } from '../inspect/inspect.js';
import { tildify } from '../paths.js';
import { runSetup } from './setup.js';

export async function runAutostart(ctx: Context): Promise<number> {
  const action = ctx.options.target ?? 'status';
  if (action === 'enable' || action === 'disable') {
    const options = { ...ctx.options, command: 'setup' as const, nonInteractive: true, given: { ...ctx.options.given, autostart: action === 'enable' } };
    return runSetup({ ...ctx, options, prompts: null, interactive: false, unattended: true, confirm: 'given' });
  }
  if (action !== 'status') throw usageError(`autostart: "${action}" is not enable, disable or status.`);
  const state = await inspect(ctx.paths, 'skip');
  const enabled = state.manifest.autostart === true && state.autostartFile.text !== null;
  const lines = [
    enabled ? `The proxy starts at login: ${tildify(state.autostartFile.path)}` : 'No login service: the proxy starts on demand, when Codex runs its auth command (Codex 0.160+), or with `start`.',
    `Service manager: ${state.serviceManager.available ? state.serviceManager.reason : `none (${state.serviceManager.reason})`}`,
  ];
  for (const line of lines) ctx.out.info(line);
  ctx.out.result({ ok: true, command: 'autostart', enabled, file: state.autostartFile.text === null ? null : state.autostartFile.path, serviceManager: state.serviceManager });
  return ExitCode.ok;
}
