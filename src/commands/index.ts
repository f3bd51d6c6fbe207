import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Options } from '../options.js';
import type { CommandContext } from './setup.js';

export async function runCommand(options: Options, ctx: CommandContext): Promise<number> {
  switch (options.command) {
    case 'setup':
      return (await import('./setup.js')).runSetup(options, ctx);
    case 'start':
      return (await import('./proxy-commands.js')).runStart(options, ctx);
    case 'stop':
      return (await import('./proxy-commands.js')).runStop(options, ctx);
    case 'status':
      return (await import('./proxy-commands.js')).runStatus(options, ctx);
    case 'logs':
      return (await import('./proxy-commands.js')).runLogs(options, ctx);
    case 'doctor':
    case 'uninstall':
      throw new UserError('not-available', `\`${options.command}\` is not available in this version yet.`, {
        exitCode: ExitCode.usage,
        fix: 'Re-run `glm-codex-setup` to repair a setup; see the README for manual removal.',
      });
  }
}
