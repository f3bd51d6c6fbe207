/**
 * Who holds a port, judged by what no program can forge: the uid the kernel records for the
 * listening socket and for the process. A holder that is not this user's is a foreign program:
 * it never gets a key, a signal, or its words relayed.
 */
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { findPortHolder, socketIsThisUsers, type PortHolder } from './ports.js';
import { printableCommand, processUids, runsAsThisUser } from '../process/info.js';

/** The holder of `port` when it is another user's program (or one this user cannot see), else null. */
export async function foreignPortHolder(port: number): Promise<PortHolder | null> {
  const holder = await findPortHolder(port);
  if (holder === null) return null;
  if (!socketIsThisUsers(holder)) return holder;
  if (holder.pid === null) return process.platform === 'linux' ? holder : null;
  return (await runsAsThisUser(holder.pid)) ? null : holder;
}

/** Exit 5 naming the program; nothing is sent to it. */
export async function foreignProgramError(port: number, holder: PortHolder): Promise<UserError> {
  const uid = holder.socketUid ?? (holder.pid ? (await processUids(holder.pid))?.[0] : undefined);
  const who = `${printableCommand(holder.command)}${holder.pid ? ` (pid ${holder.pid}` : ' ('}${uid !== undefined && uid !== null ? `${holder.pid ? ', ' : ''}uid ${uid})` : ')'}`;
  return new UserError('port-foreign', `port ${port} on 127.0.0.1 is held by a program of another user: ${who}. glm-codex-setup does not send it the key, and leaves it alone.`, {
    exitCode: ExitCode.proxy,
    fix: `stop that program (its owner or root must), or move the proxy to another port: glm-codex-setup --port ${port + 1}.`,
  });
}
