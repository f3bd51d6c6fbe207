import type { Context } from '../context.js';

export async function runCommand(ctx: Context): Promise<number> {
  switch (ctx.options.command) {
    case 'setup':
      return (await import('./setup.js')).runSetup(ctx);
    case 'start':
      return (await import('./proxy-commands.js')).runStart(ctx);
    case 'stop':
      return (await import('./proxy-commands.js')).runStop(ctx);
    case 'status':
      return (await import('./proxy-commands.js')).runStatus(ctx);
    case 'logs':
      return (await import('./proxy-commands.js')).runLogs(ctx);
    case 'doctor':
      return (await import('./doctor.js')).runDoctor(ctx);
    case 'usage':
      return (await import('./usage.js')).runUsage(ctx);
    case 'uninstall':
      return (await import('./uninstall.js')).runUninstall(ctx);
    case 'backups':
      return (await import('./backups.js')).runBackups(ctx);
    case 'restore':
      return (await import('./backups.js')).runRestore(ctx);
    case 'autostart':
      return (await import('./autostart.js')).runAutostart(ctx);
    case 'auth-token':
      return (await import('./auth-token.js')).runAuthToken(ctx);
    case 'supervise':
      return (await import('./supervise.js')).runSupervise(ctx);
    case 'gateway':
      return (await import('./gateway.js')).runGateway(ctx);
  }
}
