/**
 * What the system says about a process: its argv, its start time (to tell a reused pid from the
 * process we recorded) and its process group. Linux reads /proc; elsewhere `ps` where it can.
 */
import { readFile } from 'node:fs/promises';
import { runner } from './run.js';
import { isProcessAlive } from '../system.js';

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
async function statFields(pid: number): Promise<string[] | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  const close = text.lastIndexOf(')');
  return close < 0 ? null : text.slice(close + 2).trim().split(/\s+/);
}

/**
 * When the process started, as an opaque token: Linux /proc/<pid>/stat field 22 (clock ticks since
 * boot); elsewhere `ps -o lstart=`. Null when the process is gone or the system does not say.
 */
export async function processStartTime(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    // Fields after the name start at field 3 (state); field 22 (starttime) is index 19.
    return (await statFields(pid))?.[19] ?? null;
  }
  if (process.platform === 'win32') return null;
  const result = await runner.run('ps', ['-o', 'lstart=', '-p', String(pid)], { timeoutMs: 5000 });
  return result.exitCode === 0 ? result.stdout.trim() || null : null;
}

/** The process group id (Linux only; null elsewhere or when gone). */
export async function processGroup(pid: number): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const group = Number((await statFields(pid))?.[2]);
  return Number.isInteger(group) && group > 0 ? group : null;
}

/** A process's argv, split exactly on Linux; elsewhere the `ps` command line split on spaces. */
export async function processArgv(pid: number): Promise<string[] | null> {
  if (process.platform === 'linux') {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    if (raw === null || raw === '') return null;
    return raw.replace(/\0$/, '').split('\0');
  }
  if (process.platform === 'win32') return null;
  const result = await runner.run('ps', ['-o', 'command=', '-p', String(pid)], { timeoutMs: 5000 });
  return result.exitCode === 0 && result.stdout.trim() ? result.stdout.trim().split(/\s+/) : null;
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every process with its parent and argv (Linux: /proc; elsewhere one `ps -A`, argv split on spaces). */
export async function listProcesses(): Promise<ProcessEntry[]> {
  if (process.platform === 'linux') {
    const { readdir } = await import('node:fs/promises');
    const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name)).map(Number);
    const entries = await Promise.all(
      pids.map(async (pid) => {
        const argv = await processArgv(pid);
        const ppid = Number((await statFields(pid))?.[1]);
        return argv && Number.isInteger(ppid) ? { pid, ppid, argv } : null;
      }),
    );
    return entries.filter((e): e is ProcessEntry => e !== null);
  }
  if (process.platform === 'win32') return [];
  const result = await runner.run('ps', ['-A', '-o', 'pid=,ppid=,command='], { timeoutMs: 5000 });
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), argv: m[3]!.trim().split(/\s+/) }));
}

/** Alive and not a zombie (an exited process its parent has not reaped yet still answers signal 0). */
export async function isProcessRunning(pid: number): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  const fields = await statFields(pid);
  return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X';
}

/**
 * Is the process that was recorded as (pid, startTime) still the same one running? A pid alone is
 * not enough: pids get reused. Without a recorded start time (or a system that gives none) the
 * answer falls back to liveness.
 */
export async function isSameProcess(pid: number, startTime: string | null | undefined): Promise<boolean> {
  if (!(await isProcessRunning(pid))) return false;
  if (!startTime) return true;
  const now = await processStartTime(pid);
  return now === null ? true : now === startTime;
}

/** This process's uid (null where the platform has none: Windows). */
export function thisUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * A process's uids: Linux /proc/<pid>/status (real, effective, saved, filesystem), which the
 * kernel writes and no program can forge; elsewhere `ps -o uid=` (the effective uid). Null when gone.
 */
export async function processUids(pid: number): Promise<number[] | null> {
  if (process.platform === 'linux') {
    const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
    const line = text === null ? undefined : /^Uid:\s+(.*)$/m.exec(text)?.[1];
    return line ? line.trim().split(/\s+/).map(Number) : null;
  }
  if (process.platform === 'win32') return null;
  const result = await runner.run('ps', ['-o', 'uid=', '-p', String(pid)], { timeoutMs: 5000 }).catch(() => null);
  const uid = result && result.exitCode === 0 ? Number(String(result.stdout).trim()) : Number.NaN;
  return Number.isInteger(uid) ? [uid] : null;
}

/** Does the process run as this user, with every one of its uids (a process another user started never does)? */
export async function runsAsThisUser(pid: number): Promise<boolean> {
  const me = thisUid();
  if (me === null) return true;
  const uids = await processUids(pid);
  return uids !== null && uids.length > 0 && uids.every((uid) => uid === me);
}

/**
 * The executable the process runs, as the kernel resolved it at exec (Linux /proc/<pid>/exe: not
 * argv, which any program sets as it likes); elsewhere `ps -o comm=`, which macOS gives as the
 * executable's path. Null when gone or unreadable.
 */
export async function processExe(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    const { readlink } = await import('node:fs/promises');
    return readlink(`/proc/${pid}/exe`).catch(() => null);
  }
  if (process.platform === 'win32') return null;
  const result = await runner.run('ps', ['-o', 'comm=', '-p', String(pid)], { timeoutMs: 5000 }).catch(() => null);
  return result && result.exitCode === 0 ? String(result.stdout).trim() || null : null;
}

/**
 * What follows `#!` on a script's first line (the interpreter and its arguments), else null. Read without
 * blocking and only from a regular file: a FIFO in a launcher's place is no script and must not hang us.
 */
export async function readShebangLine(path: string): Promise<string | null> {
  const { open } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return null;
  try {
    if (!(await handle.stat()).isFile()) return null;
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8');
    return head.startsWith('#!') ? head.slice(2).split('\n')[0]! : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * The executable a launcher runs as: its interpreter when it is a script (`#!`), else itself, with
 * symlinks resolved (a venv's python is a link to the real one, which is what /proc/<pid>/exe shows).
 */
export async function launcherExecutable(path: string): Promise<string | null> {
  const { realpath } = await import('node:fs/promises');
  const shebang = /^\s*(\S+)/.exec((await readShebangLine(path)) ?? '')?.[1];
  return realpath(shebang ?? path).catch(() => null);
}

/** A command line fit to show: control characters dropped, at most 200 characters. */
export function printableCommand(command: string | null): string {
  if (!command) return 'an unknown program';
  const clean = command.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
