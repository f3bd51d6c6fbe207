/** Is a loopback port free, and if not, who holds it. */
import { createServer } from 'node:net';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { runner } from '../process/run.js';

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function findFreePort(start: number, host = '127.0.0.1'): Promise<number> {
  for (let port = start; port < Math.min(start + 200, 65536); port++) {
    if (await isPortFree(port, host)) return port;
  }
  throw new Error(`no free port in ${start}-${start + 199}`);
}

export interface PortHolder {
  pid: number | null;
  command: string | null;
  /** The uid that owns the listening socket (Linux: from /proc/net/tcp, written by the kernel). */
  socketUid?: number | null;
}

/** Linux: /proc/net/tcp{,6} -> socket inode -> /proc/PID/fd. Elsewhere: lsof when present. */
export async function findPortHolder(port: number): Promise<PortHolder | null> {
  if (process.platform === 'linux') {
    const inodes = new Map<string, number>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const local = fields[1];
        if (!local || fields[3] !== '0A') continue; // 0A = LISTEN
        if (Number.parseInt(local.split(':')[1] ?? '', 16) === port && fields[9]) inodes.set(fields[9], Number(fields[7]));
      }
    }
    if (inodes.size === 0) return null;
    const pids = await readdir('/proc').catch(() => [] as string[]);
    for (const pid of pids) {
      if (!/^\d+$/.test(pid)) continue;
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return { pid: Number(pid), command: await processCommand(Number(pid)), socketUid: inodes.get(inode) ?? null };
      }
    }
    // The socket is visible but not its process (another user's, to a non-root reader): its uid still is.
    return { pid: null, command: null, socketUid: [...inodes.values()][0] ?? null };
  }
  try {
    const result = await runner.run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { timeoutMs: 5000 });
    const pid = /^p(\d+)$/m.exec(result.stdout)?.[1];
    const command = /^c(.+)$/m.exec(result.stdout)?.[1] ?? null;
    return pid ? { pid: Number(pid), command } : null;
  } catch {
    return null;
  }
}

/** The listening socket is this user's (where the system says whose it is). */
export function socketIsThisUsers(holder: PortHolder): boolean {
  const me = typeof process.getuid === 'function' ? process.getuid() : null;
  return me === null || holder.socketUid === undefined || holder.socketUid === null || holder.socketUid === me;
}

/** The command line of a process, or null when it is gone or unreadable. */
export async function processCommand(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    return raw === null ? null : raw.split('\0').filter(Boolean).join(' ');
  }
  try {
    const result = await runner.run('ps', ['-o', 'command=', '-p', String(pid)], { timeoutMs: 5000 });
    return result.exitCode === 0 ? result.stdout.trim() || null : null;
  } catch {
    return null;
  }
}
