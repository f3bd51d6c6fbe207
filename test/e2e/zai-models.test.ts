/**
 * Models from Z.ai: GLM-5.4 from the tool's table, and a model only the stand-in lists (`GET /api/v1/models`)
 * offered by the wizard, set up with --models, run by the real Codex under --strict-config through the
 * real LiteLLM with its closest family's window, and named by doctor when it is not set up.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { FAKE_ZAI_MODELS, startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, CODEX_BIN, CODEX_NEWEST_BIN, runCli, runCliJson, sandbox, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { drivePty, KEYS } from '../helpers/pty.js';

const ZAI_KEY = 'zai-models-key.0123456789abcdef';
/** Not in the tool's table: only the stand-in lists (and serves) it. */
const NEW_MODEL = 'glm-5.9';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY, models: [...FAKE_ZAI_MODELS, NEW_MODEL] });
});
afterAll(async () => fake.close());

function modelListCalls(since: number) {
  return fake.requests.slice(since).filter((r) => r.method === 'GET' && r.path === '/api/v1/models');
}

async function catalogEntries(box: Sandbox) {
  return (JSON.parse(await readFile(join(box.stateDir, 'glm-models.json'), 'utf8')) as { models: Record<string, any>[] }).models;
}

/** The rollout Codex wrote for this session: `"model_context_window":N` is the effective window. */
async function rolloutContextWindow(box: Sandbox, stderr: string): Promise<number | null> {
  const sessionId = /session id: ([0-9a-f-]+)/.exec(stderr)?.[1];
  if (!sessionId) return null;
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else if (entry.name.includes(sessionId)) files.push(join(dir, entry.name));
    }
  };
  await walk(join(box.codexHome, 'sessions'));
  if (files.length !== 1) return null;
  const match = /"model_context_window":(\d+)/.exec(await readFile(files[0]!, 'utf8'));
  return match ? Number(match[1]) : null;
}

describe('the wizard offers what Z.ai lists for the key', () => {
  it('a model only Z.ai knows is offered (newest first), chosen with the space bar, and set up with its family\'s limits', async () => {
    const box = await sandbox();
    const before = fake.requests.length;
    const result = await drivePty({
      argv: [process.execPath, BIN, '--no-start'],
      env: { ...box.env, TERM: 'xterm-256color', GLM_CODEX_ENDPOINT: fake.codingBase },
      cwd: box.home,
      steps: [
        { expect: 'How should Codex reach GLM', send: KEYS.enter },
        { expect: 'Z\\.ai API key', send: `${ZAI_KEY}${KEYS.enter}` },
        { expect: 'Model id', send: KEYS.enter },
        { expect: `Z\\.ai's list for your key[\\s\\S]*${NEW_MODEL.replace('.', '\\.')}[\\s\\S]*limits of GLM-5\\.4`, send: ' ' },
        { expect: '◼|\\[x\\]|◉', send: KEYS.enter },
        { expect: 'Make GLM the default', send: KEYS.enter },
        { expect: 'shell startup files', send: KEYS.enter },
        { expect: 'Show the diffs first', send: KEYS.enter },
        { expect: 'Apply these changes', send: KEYS.enter },
      ],
    });
    expect(result.failed_step, result.transcript.slice(-4000)).toBeNull();
    expect(result.exit_code, result.transcript.slice(-3000)).toBe(0);
    // Asked once, on the endpoint's origin, with the typed key.
    expect(modelListCalls(before).map((r) => r.authorization)).toEqual([`Bearer ${ZAI_KEY}`]);
    expect(result.transcript).toContain(`--models glm-5.2,${NEW_MODEL}`);
    const entries = await catalogEntries(box);
    expect(entries.map((m) => m.slug)).toEqual(['glm-5.2', NEW_MODEL]);
    expect(entries[1]).toMatchObject({ context_window: 1_000_000, default_reasoning_level: 'max' });
    expect(entries[1]!.description).toMatch(/not in glm-codex-setup's table.*GLM-5\.4/);
    const bridge = parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8')) as { model_list: { model_name: string }[] };
    expect(bridge.model_list.map((m) => m.model_name)).toEqual(['glm-5.2', NEW_MODEL]);
  });

  it('doctor names the newer models Z.ai offers that are not set up (a WARN, not a FAIL)', async () => {
    const box = await sandbox();
    const setup = await runCli(box, ['--non-interactive', '--no-start', '--endpoint', fake.codingBase], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    const { json } = await runCliJson(box, ['doctor']);
    const lines = (json.checks as { id: string; status: string; message: string; fix?: string }[]).filter((check) => check.id === 'models');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 'WARN' });
    // Newest first; the older ones Z.ai also lists (glm-5.1, glm-4.7, ...) are not newer, so not named.
    expect(lines[0]!.message).toMatch(new RegExp(`^Z\\.ai offers your key ${NEW_MODEL}, glm-5\\.4, glm-5\\.3, newer than the model set up \\(glm-5\\.2\\)`));
    expect(lines[0]!.fix).toContain(`--models glm-5.2,${NEW_MODEL},glm-5.4,glm-5.3`);
  });
});

describe('GLM-5.4 and a listed model, run by the real Codex through the real LiteLLM', () => {
  let box: Sandbox;
  let masterKey: string;

  beforeAll(async () => {
    box = await proxySandbox(latestVenv());
    const port = await findFreePort(31200);
    const setup = await runCli(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port), '--model', 'glm-5.4', '--models', `glm-5.4,${NEW_MODEL}`], {
      env: { ZAI_API_KEY: ZAI_KEY },
    });
    expect(setup.exitCode, setup.all).toBe(0);
    masterKey = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
  });
  afterAll(async () => {
    await runCli(box, ['stop']);
  });

  it('the catalog: GLM-5.4 with 1M, low/high/max and image input; the listed model with GLM-5.4\'s limits', async () => {
    const [m54, listed] = await catalogEntries(box);
    expect(m54).toMatchObject({ slug: 'glm-5.4', context_window: 1_000_000, default_reasoning_level: 'max', input_modalities: ['text', 'image'] });
    expect(m54!.supported_reasoning_levels.map((l: { effort: string }) => l.effort)).toEqual(['low', 'high', 'max']);
    expect(listed).toMatchObject({ slug: NEW_MODEL, context_window: 1_000_000, input_modalities: ['text', 'image'] });
  });

  describe.each([
    { name: '0.169.0', bin: CODEX_BIN },
    { name: '0.171.0', bin: CODEX_NEWEST_BIN },
  ])('Codex $name, --strict-config', ({ bin }) => {
    it.each(['glm-5.4', NEW_MODEL])('%s: no metadata warning, an effective window of 950,000, reasoning_effort max upstream', async (model) => {
      const before = fake.requests.length;
      const result = await execa(bin, ['exec', '--skip-git-repo-check', '--strict-config', '--profile', 'glm', '-m', model, 'Reply with OK'], {
        cwd: box.home,
        env: { ...box.env, LITELLM_API_KEY: masterKey },
        extendEnv: false,
        stdin: 'ignore',
        reject: false,
        timeout: 180_000,
      });
      expect(result.exitCode, String(result.stderr).slice(-3000)).toBe(0);
      expect(result.stdout).toContain('OK');
      expect(result.stderr).not.toMatch(/Model metadata/);
      expect(await rolloutContextWindow(box, String(result.stderr))).toBe(950_000);
      const upstream = fake.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
      expect(upstream.map((r) => [r.body?.model, r.body?.reasoning_effort])).toEqual([[model, 'max']]);
    });
  });
});
