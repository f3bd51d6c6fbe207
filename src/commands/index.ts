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
      return (await import('./doctor.js')).runDoctor(options, ctx);
    case 'uninstall':
      return (await import('./uninstall.js')).runUninstall(options, ctx);
    case 'backups':
      return (await import('./backups.js')).runBackups(options, ctx);
    case 'restore':
      return (await import('./backups.js')).runRestore(options, ctx);
    case 'gateway':
      return (await import('./gateway.js')).runGateway(options, ctx);
  }
}
