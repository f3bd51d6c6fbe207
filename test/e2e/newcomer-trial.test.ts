/**
 * Issue 21's newcomer trial (a fresh HOME, the wizard in a real terminal, every printed hint run as
 * printed): what it found, each held here.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, runCli, sandbox } from '../helpers/cli.js';
import { drivePty, KEYS } from '../helpers/pty.js';

const ZAI_KEY = 'zai-newcomer-trial.0123456789abcdef';

let fake: FakeZai;
beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake?.close());

describe('a re-run that changes the setup', () => {
  it('starts the "More models" question from the models in use: Enter through every question keeps them', async () => {
    const box = await sandbox();
    const port = await findFreePort(19700);
    const setup = await runCli(box, ['--non-interactive', '--no-start', '--endpoint', fake.codingBase, '--models', 'glm-5.2,glm-5.4', '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start', '--no-shell-rc'],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      steps: [
        { expect: 'Keep these settings', send: KEYS.down + KEYS.enter },
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Endpoint URL', send: KEYS.enter },
        { expect: 'Keep the Z\\.ai API key', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Port for the proxy', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
      ],
      // Nothing changed, so nothing is left to confirm: a plan that drops a model would wait at "Show the diffs first?".
      finalTimeout: 60,
    });
    expect(result.failed_step, result.transcript.slice(-3000)).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).toContain('Configuration already current: nothing written.');
    const state = JSON.parse(await readFile(join(box.stateDir, 'state.json'), 'utf8'));
    expect(state.models).toEqual(['glm-5.2', 'glm-5.4']);
    expect(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8')).toContain('model_name: "glm-5.4"');
  });
});

describe('a re-run given a flag that changes the setup', () => {
  it('"Keep these settings" names the change "Keep them" applies; a flag that matches the setup is not named', async () => {
    const box = await sandbox();
    const port = await findFreePort(19800);
    const setup = await runCli(box, ['--non-interactive', '--no-start', '--endpoint', fake.codingBase, '--model', 'glm-5.2', '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start', '--models', 'glm-5.2,glm-5.4', '--port', String(port)],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      steps: [
        { expect: 'Keep these settings, with --models glm-5\\.2,glm-5\\.4 applied\\?', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
      finalTimeout: 60,
    });
    expect(result.failed_step, result.transcript.slice(-3000)).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).toContain('apply --models glm-5.2,glm-5.4, check and repair the rest');
    expect(result.transcript).not.toMatch(/Keep these settings[^?]*--port/);
    const state = JSON.parse(await readFile(join(box.stateDir, 'state.json'), 'utf8'));
    expect(state.models).toEqual(['glm-5.2', 'glm-5.4']);
  });
});

describe('the wizard\'s timed steps', () => {
  it('each sits in the frame\'s gutter, and a line that states its own duration is not given a second one', async () => {
    const box = await sandbox();
    const result = await drivePty({
      argv: [process.execPath, BIN, '--mode', 'direct', '--endpoint', fake.responsesBase, '--no-shell-rc'],
      env: { ...box.env, TERM: 'xterm-256color', ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
      finalTimeout: 180,
    });
    expect(result.failed_step, result.transcript.slice(-3000)).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    const lines = result.transcript.split(/\r?\n/).map((line) => line.split('\r').pop()!.trimEnd());
    const codex = lines.findIndex((line) => line.includes('Codex answered through Z.ai'));
    expect(lines[codex], result.transcript.slice(-2000)).toMatch(/^◆ {2}Codex answered through Z\.ai in \d+\.\d s: OK$/);
    expect(lines[codex - 1]).toBe('│');
  });
});

describe('uninstall in a terminal', () => {
  it('lists, under a heading and in one column, every file it then says it removed', async () => {
    const box = await sandbox();
    const port = await findFreePort(19710);
    const setup = await runCli(box, ['--non-interactive', '--no-start', '--endpoint', fake.codingBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const result = await drivePty({
      argv: [process.execPath, BIN, 'uninstall'],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      steps: [
        { expect: 'Keep your stored keys', send: '\u001b[D' + KEYS.enter },
        { expect: 'undo these changes', send: '\u001b[D' + KEYS.enter },
      ],
      finalTimeout: 120,
    });
    expect(result.failed_step, result.transcript.slice(-3000)).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    const listed = result.transcript.slice(0, result.transcript.indexOf('Keep your stored keys'));
    const done = result.transcript.slice(result.transcript.lastIndexOf('undo these changes'));
    expect(listed, listed).toMatch(/^Uninstall does:\r?\n {2}(delete|update) /m);
    const removed = [...done.matchAll(/Removed (~\/\S+)/g)].map((m) => m[1]!);
    expect(removed).toContain('~/.glm-codex/glm-bridge.yaml');
    expect(removed).toContain('~/.glm-codex/state.json');
    for (const file of removed) expect(listed).toMatch(new RegExp(`\\n {2}delete {2}${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} {2}\\(`));

    // Kept keys and backups, then --purge: nothing is left to undo, so it says what it deletes and asks only that.
    const purge = await drivePty({
      argv: [process.execPath, BIN, 'uninstall', '--purge'],
      env: { ...box.env, TERM: 'xterm-256color' },
      cwd: box.home,
      steps: [{ expect: 'Delete ~/\\.glm-codex \\(including its backups\\)\\?', send: '\u001b[D' + KEYS.enter }],
      finalTimeout: 120,
    });
    expect(purge.failed_step, purge.transcript.slice(-3000)).toBeNull();
    expect(purge.exit_code, purge.transcript.slice(-3000)).toBe(0);
    expect(purge.transcript).toMatch(/^Nothing of the setup is left to undo; uninstall --purge deletes ~\/\.glm-codex \(state, secrets, venv, logs, backups\)\.\r?$/m);
    expect(purge.transcript).not.toContain('undo these changes');
    expect(existsSync(box.stateDir)).toBe(false);
  });
});
