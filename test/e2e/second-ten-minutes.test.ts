/**
 * Issue 21, a newcomer's second ten minutes: the wizard in a real terminal and the commands it
 * prints, run as printed.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { findFreePort } from '../../src/runtime/ports.js';
import { waitForReady } from '../../src/verify/validate.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, CODEX_BIN, runCli, sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { drivePty, KEYS } from '../helpers/pty.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-second-ten.0123456789abcdef';

/** An `npm` whose `install -g @openai/codex` puts the real Codex into a folder on PATH (no network). */
async function npmThatInstallsCodex(): Promise<{ npmDir: string; globalBin: string }> {
  const npmDir = await tempDir('glm-fake-npm-');
  const globalBin = await tempDir('glm-npm-global-');
  await writeFile(
    join(npmDir, 'npm'),
    `#!/bin/sh\n[ "$1 $2 $3" = "install -g @openai/codex" ] || exit 9\nln -s '${CODEX_BIN}' '${globalBin}/codex'\necho "added 1 package"\n`,
  );
  await chmod(join(npmDir, 'npm'), 0o755);
  return { npmDir, globalBin };
}

describe('the wizard installs Codex itself', () => {
  it('writes the model catalog and the profile naming it in the same run', async () => {
    const { npmDir, globalBin } = await npmThatInstallsCodex();
    const box = await sandbox({ codexOnPath: false, extraPath: [npmDir, globalBin] });
    await mkdir(box.codexHome, { recursive: true });
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color', ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Install it now', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    expect(result.transcript).toMatch(/Installed Codex 0\.\d+\.\d+/);
    expect(result.transcript).not.toContain('No model catalog');
    const catalog = JSON.parse(await readFile(join(box.stateDir, 'glm-models.json'), 'utf8'));
    expect(catalog.models.map((m: { slug: string }) => m.slug)).toContain('glm-5.2');
    expect(await readFile(join(box.codexHome, 'glm.config.toml'), 'utf8')).toMatch(/^model_catalog_json = /m);
  });
});

let fake: FakeZai;
beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake?.close());

describe('a broken glm-bridge.yaml while the proxy serves', () => {
  it('`start` leaves the serving proxy alone and says re-running setup rewrites the file; doctor\'s first fix is that re-run', async () => {
    const box = await proxySandbox(latestVenv());
    const port = await findFreePort(31600);
    const setup = await runCli(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const pidBefore = JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')).pid as number;
    const bridgePath = join(box.stateDir, 'glm-bridge.yaml');
    const good = await readFile(bridgePath, 'utf8');
    // An unclosed quote, as a hand edit leaves it.
    await writeFile(bridgePath, good.replace(/api_base: "([^"]*)"/, 'api_base: "$1'));

    const doctor = await runCli(box, ['doctor']);
    expect(doctor.exitCode).toBe(7);
    const firstFix = /fix: (.*)/.exec(doctor.all)?.[1] ?? '';
    expect(firstFix, doctor.all).toContain(BIN);
    expect(firstFix, doctor.all).not.toMatch(/ start\b/);

    const start = await runCli(box, ['start']);
    expect(start.exitCode, start.all).toBe(4);
    expect(start.stderr).toContain('glm-bridge.yaml');
    expect(start.stderr).toMatch(/still serving|left running/);
    expect(start.stderr).toContain(`Re-run ${BIN}:`);
    expect(start.stderr).not.toContain('Traceback');
    expect(JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')).pid).toBe(pidBefore);
    await waitForReady(port, { timeoutMs: 5000 });

    // The fix as printed repairs.
    const again = await runCli(box, ['--non-interactive'], {});
    expect(again.exitCode, again.all).toBe(0);
    expect((await runCli(box, ['doctor'])).exitCode).toBe(0);
  });
});
