/** The lock primitive: never taken while a live holder has it, taken from a dead or reused-pid holder, bounded waiting. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { acquireLock, parseLockHolder } from '../../src/fs/lock.js';
import { configLockPath } from '../../src/fs/run-locks.js';
import { processStartTime } from '../../src/process/info.js';
import { tempDir } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Another live process, to stand for another run holding the lock. */
async function otherProcess(): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

async function lockOf(pid: number, startTime: string | null): Promise<string> {
  return `${JSON.stringify({ pid, startTime, purpose: 'setup', since: '2026-01-01T00:00:00Z' })}\n`;
}

describe('acquireLock', () => {
  it('refuses while a live process holds it, naming the holder (exit 4)', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const other = await otherProcess();
    await writeFile(path, await lockOf(other.pid!, await processStartTime(other.pid!)));
    const error = await acquireLock(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(4);
    expect((error as UserError).message).toContain(`pid ${other.pid}`);
    expect((error as UserError).message).toContain('setup');
  });

  it('a lock file being written (empty) is not taken as stale', async () => {
    const path = join(await tempDir(), 'setup.lock');
    await writeFile(path, '');
    const error = await acquireLock(path).catch((e: unknown) => e);
    expect((error as UserError).exitCode).toBe(4);
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('takes over a lock whose pid now belongs to another process (start time differs)', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const other = await otherProcess();
    await writeFile(path, await lockOf(other.pid!, 'a-different-start-time'));
    const release = await acquireLock(path);
    expect(parseLockHolder(await readFile(path, 'utf8'))?.pid).toBe(process.pid);
    await release();
  });

  it('takes over a bare-pid lock whose live pid started after the lock file was written (pid reused), at once', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const other = await otherProcess();
    await writeFile(path, `${other.pid}\n`);
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(path, anHourAgo, anHourAgo);
    const release = await acquireLock(path);
    expect(parseLockHolder(await readFile(path, 'utf8'))?.pid).toBe(process.pid);
    await release();
  });

  it('keeps a bare-pid lock whose live pid started before the lock file was written', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const other = await otherProcess();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writeFile(path, `${other.pid}\n`);
    const error = await acquireLock(path).catch((e: unknown) => e);
    expect((error as UserError).exitCode).toBe(4);
  });

  it('takes over a lock of a process that is gone, and its record is complete from the first byte', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const other = await otherProcess();
    const pid = other.pid!;
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    await writeFile(path, await lockOf(pid, null));
    const release = await acquireLock(path, { purpose: 'test' });
    const holder = parseLockHolder(await readFile(path, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, purpose: 'test' });
    expect(holder?.startTime).toBe(await processStartTime(process.pid));
    await release();
    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('waits for a live holder to finish when asked to', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const other = await otherProcess();
    await writeFile(path, await lockOf(other.pid!, await processStartTime(other.pid!)));
    setTimeout(() => other.kill('SIGKILL'), 300);
    const told: string[] = [];
    const release = await acquireLock(path, { waitMs: 60_000, pollMs: 50, onWait: (holder) => told.push(holder) });
    expect(parseLockHolder(await readFile(path, 'utf8'))?.pid).toBe(process.pid);
    // Said once that it waits, naming the other run.
    expect(told).toEqual([`Another glm-codex-setup (pid ${other.pid}, setup, since 2026-01-01T00:00:00Z)`]);
    await release();
  });

  it('is re-entrant within one process', async () => {
    const path = join(await tempDir(), 'setup.lock');
    const outer = await acquireLock(path);
    const inner = await acquireLock(path);
    await inner();
    expect(parseLockHolder(await readFile(path, 'utf8'))?.pid).toBe(process.pid);
    await outer();
    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('the config lock is keyed on config.toml\'s real file: two CODEX_HOMEs linking one file share it', async () => {
    const { mkdir, symlink } = await import('node:fs/promises');
    const root = await tempDir();
    await mkdir(join(root, 'dotfiles'));
    await writeFile(join(root, 'dotfiles', 'config.toml'), '');
    for (const home of ['a', 'b']) {
      await mkdir(join(root, home));
      await symlink(join(root, 'dotfiles', 'config.toml'), join(root, home, 'config.toml'));
    }
    const a = await configLockPath(join(root, 'a', 'config.toml'));
    expect(a).toBe(await configLockPath(join(root, 'b', 'config.toml')));
    expect(a).toBe(join(root, 'dotfiles', '.config.toml.glm-codex-setup.lock'));
  });
});
