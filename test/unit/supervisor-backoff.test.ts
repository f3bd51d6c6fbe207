/**
 * The supervisor's loop (src/runtime/supervisor.ts) on its own clock: a start that keeps failing is tried
 * again 2, 4, 8 ... seconds later, never sooner and never more than 60 s apart; each failure leaves its
 * reason for doctor; a start that works clears it and the next death starts the count again. The same
 * loop with the real LiteLLM and real waits: test/e2e/proxy-supervisor.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
// Registers each mode's facts (whether it runs a local proxy), as the CLI's entry does.
import '../../src/questions.js';
import { ExitCode } from '../../src/exit-codes.js';
import { resolvePaths, type Paths } from '../../src/paths.js';
import { failureFile, readProxyFailure, supervise, supervisorFile, type ProxyFailure } from '../../src/runtime/supervisor.js';
import { tempDir } from '../helpers/tmp.js';

/** A pid that ran and is gone: what the pid file names after kill -9. */
const deadPid = () => spawnSync('true').pid!;

async function stateDir(): Promise<Paths> {
  const dir = await tempDir('supervisor-');
  const paths = resolvePaths({ stateDir: dir, codexHome: dir }, { HOME: dir });
  await writeFile(paths.manifest, JSON.stringify({ version: 1, mode: 'local' }));
  return paths;
}

async function writeDeadProxy(paths: Paths): Promise<void> {
  await writeFile(paths.pidFile, JSON.stringify({ pid: deadPid(), port: 4000, startedAt: new Date().toISOString(), configHash: 'x', command: ['litellm'] }));
}

describe("the supervisor's back-off", () => {
  it('waits 2, 4, 8, 16, 32, 60, 60 s between failed starts, records each failure, and after a start that works begins again at 2 s', async () => {
    const paths = await stateDir();
    await writeDeadProxy(paths);
    let clock = 1_000_000;
    const starts: number[] = [];
    const failures: ProxyFailure[] = [];
    const lines: string[] = [];
    let outcomes = ['fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'ok', 'fail', 'ok'];
    const loop = supervise(paths, {
      now: () => (clock += 250),
      pollMs: 1,
      log: (line) => lines.push(line),
      start: async () => {
        const previous = await readProxyFailure(paths);
        if (previous) failures.push(previous);
        starts.push(clock);
        const outcome = outcomes[0];
        outcomes = outcomes.slice(1);
        if (outcome === 'fail') throw new UserError('proxy-not-ready', `LiteLLM exited at start (${starts.length})`, { exitCode: ExitCode.proxy });
        // Started: the pid file names no dead proxy any more. Once, the new proxy dies again at once.
        if (outcomes.length > 0) await writeDeadProxy(paths);
        else await rm(paths.pidFile);
      },
    });
    const deadline = Date.now() + 20_000;
    while (outcomes.length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await rm(supervisorFile(paths));
    await loop;

    expect(outcomes).toEqual([]);
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    const waits = [2, 4, 8, 16, 32, 60, 60, null, 2];
    waits.forEach((wait, i) => {
      if (wait === null) return;
      // Not sooner than the back-off, and within one look of it.
      expect(gaps[i], `gap before start ${i + 2}`).toBeGreaterThanOrEqual(wait * 1000);
      expect(gaps[i], `gap before start ${i + 2}`).toBeLessThanOrEqual(wait * 1000 + 1_000);
    });
    expect(lines.filter((line) => /failed; next try in/.test(line)).map((line) => /next try in (\d+) s/.exec(line)![1])).toEqual(['2', '4', '8', '16', '32', '60', '60', '2']);
    // What doctor reads while it backs off: the count, the reason, when the next try comes.
    expect(failures.slice(0, 7).map((f) => f.attempts)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(failures[6]).toMatchObject({ code: 'proxy-not-ready', reason: 'LiteLLM exited at start (7)' });
    // (This clock moves a quarter second at each look, and `at` is read after the next try is set.)
    expect(Date.parse(failures[6]!.nextAttemptAt) - Date.parse(failures[6]!.at)).toBeGreaterThan(59_000);
    expect(Date.parse(failures[6]!.nextAttemptAt) - Date.parse(failures[6]!.at)).toBeLessThanOrEqual(60_000);
    // The start that worked cleared it; the failure after the next death counts from 1 again and is cleared by the last start.
    expect(failures[7]).toMatchObject({ attempts: 1 });
    await expect(readFile(failureFile(paths), 'utf8')).rejects.toThrow();
    expect(lines.at(-1)).toBe('ended (stop, uninstall or a mode switch)');
  });

  it('leaves a proxy alone that was stopped (no pid file) and ends when its record goes', async () => {
    const paths = await stateDir();
    let started = 0;
    const lines: string[] = [];
    const loop = supervise(paths, { pollMs: 1, log: (line) => lines.push(line), start: async () => void started++ });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await rm(supervisorFile(paths));
    await loop;
    expect(started).toBe(0);
    expect(lines.at(-1)).toBe('ended (stop, uninstall or a mode switch)');
  });
});
