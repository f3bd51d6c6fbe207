/** The interactive wizard, typed into through a real pseudo-terminal: arrow keys, a hidden key, Ctrl-C. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, runCli, sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { drivePty, KEYS } from '../helpers/pty.js';

const ZAI_KEY = 'zai-typed-key.0123456789abcdef';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake.close());

describe('the interactive wizard in a terminal', () => {
  it('walks from nothing to a validated setup with typed answers', async () => {
    const box = await proxySandbox(latestVenv());
    const port = await findFreePort(25000);
    const result = await drivePty({
      argv: [process.execPath, BIN, '--port', String(port)],
      env: { ...box.env, TERM: 'xterm-256color', GLM_CODEX_ENDPOINT: fake.generalBase },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Z\\.ai API key', send: `${ZAI_KEY}${KEYS.enter}` },
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
    expect(result.transcript).toContain('Preflight');
    expect(result.transcript).toMatch(/Validation \(streaming\)/);
    expect(result.transcript).toContain('codex --profile glm');
    expect(result.transcript).toMatch(/Next time without questions: \/\S+\/bin\/glm-codex-setup\.js --non-interactive --mode local --endpoint http:\/\/127\.0\.0\.1:\d+\/api\/paas\/v4 --model glm-5\.2 --models glm-5\.2 --port \d+ --no-make-default/);
    expect(result.transcript).not.toContain(ZAI_KEY);
    expect(parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.ZAI_API_KEY).toBe(ZAI_KEY);
  });

  it('chooses the endpoint with the arrow keys', async () => {
    const box = await sandbox();
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color', ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: `${KEYS.down}` },
        { expect: 'Pay-as-you-go', send: KEYS.enter },
        { expect: 'Model id', send: KEYS.enter },
        { expect: 'More models to switch to', send: KEYS.enter },
        { expect: 'Make GLM the default', send: `${KEYS.down}` },
        { expect: 'Yes|No', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    const bridge = parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8'));
    expect(bridge.model_list[0].litellm_params.api_base).toBe('https://api.z.ai/api/paas/v4');
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toMatch(/^model_provider = "glm-litellm"$/m);
  });

  it('Ctrl-C at a prompt cancels with exit 130 and writes nothing', async () => {
    const box = await sandbox();
    const result = await drivePty({
      argv: [process.execPath, BIN],
      env: { ...box.env, TERM: 'xterm-256color', ZAI_API_KEY: ZAI_KEY },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Which Z\\.ai endpoint', send: KEYS.ctrlC },
      ],
    });
    expect(result.exit_code, result.transcript).toBe(130);
    expect(result.transcript).toMatch(/Cancelled/);
    expect(await readdir(box.codexHome)).toEqual([]);
    await expect(readdir(box.stateDir)).rejects.toThrow();
  });

  it('without a terminal and without --non-interactive it fails at once with exit 2', async () => {
    const box = await sandbox();
    const result = await runCli(box, [], { input: '' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--non-interactive/);
  });
});
