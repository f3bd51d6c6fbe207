/**
 * The model catalog proven with the real programs: the tool's setup (real LiteLLM 1.108.7 in front of
 * the fake Z.ai), then by hand what the setup will write: a catalog with Codex's captured base prompt,
 * `model_catalog_json` and consistent context keys in glm.config.toml, more models in glm-bridge.yaml.
 * Each check runs with Codex 0.169.0 and 0.171.0 under --strict-config.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { captureBasePrompt, type CapturedBasePrompt } from '../../src/codex/base-prompt.js';
import { validateCatalog } from '../../src/config/model-catalog.js';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { AGENT_LOOP, PARALLEL_TOOLS } from '../fake-zai/scripts.js';
import { startFakeZai, type FakeZai, type RecordedRequest } from '../fake-zai/server.js';
import { CODEX_BIN, CODEX_NEWEST_BIN, runCli, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-catalog-key.0123456789abcdef';
const MODELS = ['glm-5.2', 'glm-5.3'];
const CODEXES = [
  { name: '0.169.0', bin: CODEX_BIN },
  { name: '0.171.0', bin: CODEX_NEWEST_BIN },
];

let fake: FakeZai;
let box: Sandbox;
let masterKey: string;
let catalogFile: string;
let setupProfile: string;
const prompts = new Map<string, CapturedBasePrompt>();

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY, reasoning: 'Thinking it over.' });
  box = await proxySandbox(latestVenv());
  const port = await findFreePort(31000);
  for (const codex of CODEXES) prompts.set(codex.name, await captureBasePrompt(codex.bin));

  const setup = await runCli(box, ['--non-interactive', '--json', '--endpoint', fake.generalBase, '--port', String(port), '--model', 'glm-5.2', '--models', MODELS.join(',')], {
    env: { ZAI_API_KEY: ZAI_KEY },
  });
  expect(setup.exitCode, setup.all).toBe(0);
  masterKey = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
  catalogFile = join(box.stateDir, 'glm-models.json');
  setupProfile = await readFile(join(box.codexHome, 'glm.config.toml'), 'utf8');

  // Z.ai's tool_stream makes it stream tool calls in fragments (the fake does only then): switched on
  // in every entry the setup wrote, so the agent loop below meets fragmented tool calls.
  const bridgeFile = join(box.stateDir, 'glm-bridge.yaml');
  const bridge = parseDocument(await readFile(bridgeFile, 'utf8'));
  const list = bridge.toJS().model_list as { model_name: string; litellm_params: Record<string, unknown> }[];
  expect(list.map((entry) => entry.model_name)).toEqual(MODELS);
  bridge.set('model_list', bridge.createNode(list.map((entry) => ({ ...entry, litellm_params: { ...entry.litellm_params, extra_body: { tool_stream: true } } }))));
  await writeFile(bridgeFile, bridge.toString());
  const start = await runCli(box, ['start']);
  expect(start.exitCode, start.all).toBe(0);
});
afterAll(async () => fake.close());

function codex(bin: string, args: string[], cwd = box.home) {
  return execa(bin, ['exec', '--skip-git-repo-check', '--strict-config', '--profile', 'glm', ...args], {
    cwd,
    env: { ...box.env, LITELLM_API_KEY: masterKey },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 180_000,
  });
}

async function upstreamCalls<T>(run: () => Promise<T>): Promise<{ result: T; received: RecordedRequest[] }> {
  const before = fake.requests.length;
  const result = await run();
  return { result, received: fake.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions')) };
}

function systemText(request: RecordedRequest): string {
  const messages = (request.body?.messages ?? []) as { role: string; content: unknown }[];
  const first = messages.find((m) => m.role === 'system' || m.role === 'developer');
  if (!first) return '';
  return typeof first.content === 'string' ? first.content : (first.content as { text?: string }[]).map((part) => part.text ?? '').join('');
}

/** The rollout Codex wrote for this session: `"model_context_window":N` is the effective window. */
async function rolloutContextWindow(stderr: string): Promise<number | null> {
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

describe('what the setup wrote', () => {
  it('a catalog of both models with Codex\'s own prompt, named by the profile, which carries no window (they differ)', async () => {
    const catalog = JSON.parse(await readFile(catalogFile, 'utf8')) as { models: { slug: string; base_instructions: string; context_window: number }[] };
    expect(catalog.models.map((m) => [m.slug, m.context_window])).toEqual([
      ['glm-5.2', 1_000_000],
      ['glm-5.3', 1_048_576],
    ]);
    for (const entry of catalog.models) expect(entry.base_instructions).toBe(prompts.get('0.169.0')!.text);
    expect(setupProfile).toContain(`model_catalog_json = "${catalogFile}"`);
    expect(setupProfile).not.toMatch(/model_context_window|model_auto_compact_token_limit/);
  });
});

describe('base prompt captured from the installed Codex', () => {
  it('is Codex’s generic prompt, not empty, the same in 0.169.0 and 0.171.0', () => {
    const old = prompts.get('0.169.0')!;
    const newest = prompts.get('0.171.0')!;
    expect(old.codexVersion).toBe('0.169.0');
    expect(newest.codexVersion).toBe('0.171.0');
    expect(old.text.length).toBeGreaterThan(10_000);
    expect(old.text).toMatch(/^You are a coding agent running in the Codex CLI/);
    expect(newest.text).toBe(old.text);
  });
});

describe.each(CODEXES)('Codex $name with the catalog, --strict-config', ({ bin }) => {
  it('the catalog loads (codex debug models)', async () => {
    const validation = await validateCatalog(bin, catalogFile);
    expect(validation, validation.message).toMatchObject({ ok: true });
  });

  it.each(MODELS)('%s: no fallback-metadata warning, an answer through the proxy, the base prompt and reasoning_effort upstream', async (model) => {
    fake.reply = `Hello from ${model}`;
    try {
      const { result, received } = await upstreamCalls(() => codex(bin, ['-m', model, 'Say hello']));
      expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
      expect(result.stdout).toContain(`Hello from ${model}`);
      expect(result.stderr).not.toMatch(/Model metadata/);
      expect(received).toHaveLength(1);
      const request = received[0]!;
      expect(request.body?.model).toBe(model);
      expect(systemText(request)).toBe(prompts.get('0.169.0')!.text);
      expect(request.body?.reasoning_effort).toBe('max');
    } finally {
      fake.reply = 'OK';
    }
  });

  it.each([
    ['glm-5.2', 950_000],
    ['glm-5.3', 996_147],
  ])('the effective context window of %s is %i, 95 percent of the catalog’s', async (model, window) => {
    const result = await codex(bin, ['-m', model, 'Reply with OK']);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(await rolloutContextWindow(result.stderr)).toBe(window);
  });

  it('a reasoning effort GLM-5.3 does not take: Z.ai’s 1214 error reaches Codex through LiteLLM, once', async () => {
    const { result, received } = await upstreamCalls(() => codex(bin, ['-m', 'glm-5.3', '-c', 'model_reasoning_effort="xhigh"', 'Reply with OK']));
    expect(result.exitCode).not.toBe(0);
    expect(received.map((r) => r.body?.reasoning_effort)).toEqual(['xhigh']);
    expect(result.stderr).toContain('Invalid reasoning_effort parameter');
  });

  it('an agent loop: writes a file with its shell tool, reads it back, answers; reasoning and tool-call fragments streamed', async () => {
    const work = await tempDir('glm-agent-loop-');
    const { result, received } = await upstreamCalls(() => codex(bin, ['--dangerously-bypass-approvals-and-sandbox', `${AGENT_LOOP.marker} Write the file, read it back.`], work));
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(await readFile(join(work, AGENT_LOOP.file), 'utf8')).toBe(`${AGENT_LOOP.content}\n`);
    expect(result.stdout).toContain(`${AGENT_LOOP.finalPrefix} ${AGENT_LOOP.content}`);
    expect(received).toHaveLength(3);
    for (const request of received) {
      expect(request.body?.tool_stream).toBe(true);
      expect(request.body?.reasoning_effort).toBe('max');
    }
    // Turn 3 carries both tool results: the write's, then the read's with the file's content.
    const toolMessages = ((received[2]!.body?.messages ?? []) as { role: string; content: unknown }[]).filter((m) => m.role === 'tool');
    expect(toolMessages).toHaveLength(2);
    expect(JSON.stringify(toolMessages[1]!.content)).toContain(AGENT_LOOP.content);
  });

  it('two tool calls in one turn: Codex runs both and sends both results back', async () => {
    const work = await tempDir('glm-parallel-');
    const { result, received } = await upstreamCalls(() => codex(bin, ['--dangerously-bypass-approvals-and-sandbox', `${PARALLEL_TOOLS.marker} Run both.`], work));
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stdout).toContain(`${PARALLEL_TOOLS.finalPrefix} ${PARALLEL_TOOLS.outputs.join(' | ')}`);
    expect(received).toHaveLength(2);
    const messages = (received[1]!.body?.messages ?? []) as { role: string; tool_calls?: unknown[] }[];
    const assistant = messages.filter((m) => m.role === 'assistant' && Array.isArray(m.tool_calls));
    expect(assistant.flatMap((m) => m.tool_calls)).toHaveLength(2);
    expect(messages.filter((m) => m.role === 'tool')).toHaveLength(2);
  });
});

describe('a broken catalog file', () => {
  it('missing: every Codex start fails, naming no file; validateCatalog names it', async () => {
    const home = await tempDir('glm-missing-catalog-');
    const missing = join(home, 'absent.json');
    for (const { bin } of CODEXES) {
      const result = await execa(bin, ['exec', '--skip-git-repo-check', '-c', `model_catalog_json=${JSON.stringify(missing)}`, 'hi'], {
        cwd: home,
        env: { PATH: box.env.PATH!, HOME: home, CODEX_HOME: await codexHome(home) },
        extendEnv: false,
        stdin: 'ignore',
        reject: false,
        timeout: 60_000,
      });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('No such file or directory (os error 2)');
      expect(result.stderr).not.toContain(missing);
      expect((await validateCatalog(bin, missing)).message).toContain(missing);
    }
  });

  it('malformed: Codex names the file and the missing field', async () => {
    const home = await tempDir('glm-bad-catalog-');
    const bad = join(home, 'bad.json');
    await writeFile(bad, JSON.stringify({ models: [{ slug: 'glm-5.2', display_name: 'GLM-5.2' }] }));
    for (const { bin } of CODEXES) {
      const validation = await validateCatalog(bin, bad);
      expect(validation.ok).toBe(false);
      expect(validation.message).toContain(bad);
      expect(validation.message).toMatch(/missing field `supported_reasoning_levels`/);
    }
  });
});

async function codexHome(home: string): Promise<string> {
  const dir = join(home, `codex-home-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir);
  return dir;
}
