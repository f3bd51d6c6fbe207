/**
 * The fake Z.ai's Responses endpoint (`/api/v1/responses`, what direct mode points Codex at): the wire
 * format checked by hand (events in the Responses API's order, Z.ai's error bodies), then the real
 * Codex 0.169.0 and 0.171.0 talking to it directly, with the model catalog, through a multi-step
 * agent loop and parallel tool calls.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureBasePrompt } from '../../src/codex/base-prompt.js';
import { renderModelCatalog } from '../../src/config/model-catalog.js';
import { AGENT_LOOP, PARALLEL_TOOLS } from '../fake-zai/scripts.js';
import { RESPONSES_PATH, startFakeZai, type FakeZai, type FakeZaiScenario } from '../fake-zai/server.js';
import { CODEX_BIN, CODEX_NEWEST_BIN, sandbox, type Sandbox } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-direct-key.0123456789abcdef';
let fake: FakeZai;
let basePrompt: string;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY, reasoning: 'Considering the request.' });
  basePrompt = (await captureBasePrompt(CODEX_BIN)).text;
});
afterAll(async () => fake.close());

function post(body: unknown, key: string | null = ZAI_KEY) {
  return fetch(`${fake.responsesBase}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

function sseEvents(text: string): { event: string; data: Record<string, any> }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)![1]!;
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, any>;
      return { event, data };
    });
}

describe('the Responses wire format', () => {
  it('non-streaming: a completed response with a reasoning item and the message', async () => {
    const res = await post({ model: 'glm-5.3', input: 'Hello', stream: false });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ object: 'response', status: 'completed', model: 'glm-5.3' });
    expect(body.output.map((item: { type: string }) => item.type)).toEqual(['reasoning', 'message']);
    expect(body.output[1].content[0]).toMatchObject({ type: 'output_text', text: 'OK' });
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });

  it('streaming text: created, in_progress, item added, part added, text deltas, done events, completed', async () => {
    fake.reply = 'Streaming works';
    try {
      const res = await post({ model: 'glm-5.2', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }], stream: true });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = sseEvents(await res.text());
      const types = events.map((e) => e.event);
      expect(events.every((e) => e.event === e.data.type)).toBe(true);
      expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
      expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
      expect(types.at(-1)).toBe('response.completed');
      const message = types.indexOf('response.content_part.added');
      expect(types.slice(message - 1, message + 1)).toEqual(['response.output_item.added', 'response.content_part.added']);
      expect(types.indexOf('response.reasoning_text.delta')).toBeLessThan(types.indexOf('response.output_text.delta'));
      const text = events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta as string);
      expect(text.length).toBeGreaterThan(1);
      expect(text.join('')).toBe('Streaming works');
      expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
      expect(events.at(-1)!.data.response).toMatchObject({ status: 'completed', output: [{ type: 'reasoning' }, { type: 'message', content: [{ text: 'Streaming works' }] }] });
    } finally {
      fake.reply = 'OK';
    }
  });

  it('streaming tool calls: two function_call items, arguments in several deltas that add up', async () => {
    const res = await post({
      model: 'glm-5.2',
      stream: true,
      tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: {} } }],
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `${PARALLEL_TOOLS.marker} go` }] }],
    });
    const events = sseEvents(await res.text());
    const added = events.filter((e) => e.event === 'response.output_item.added' && e.data.item.type === 'function_call');
    expect(added).toHaveLength(2);
    for (const { data } of added) {
      expect(data.item.arguments).toBe('');
      const deltas = events.filter((e) => e.event === 'response.function_call_arguments.delta' && e.data.item_id === data.item.id);
      const done = events.find((e) => e.event === 'response.function_call_arguments.done' && e.data.item_id === data.item.id)!;
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.map((e) => e.data.delta).join('')).toBe(done.data.arguments);
      expect(JSON.parse(done.data.arguments as string)).toHaveProperty('cmd');
    }
    const completed = events.at(-1)!.data.response;
    expect(completed.output.filter((item: { type: string }) => item.type === 'function_call').map((item: { call_id: string }) => item.call_id)).toHaveLength(2);
  });

  it.each<[string, FakeZaiScenario | null, string | null, string, number, string]>([
    ['no key', null, null, 'glm-5.2', 401, '1001'],
    ['a wrong key', null, 'wrong-key', 'glm-5.2', 401, '1002'],
    ['an unknown model', null, ZAI_KEY, 'glm-9', 400, '1211'],
    ['no balance', 'no-balance', ZAI_KEY, 'glm-5.2', 429, '1113'],
    ['too many concurrent requests', 'rate-limit', ZAI_KEY, 'glm-5.2', 429, '1302'],
  ])('%s: Z.ai’s status and error body', async (_name, scenario, key, model, status, code) => {
    if (scenario) fake.scenario = scenario;
    try {
      for (const stream of [false, true]) {
        const res = await post({ model, input: 'hi', stream }, key);
        expect(res.status).toBe(status);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe(code);
        expect(body.error.message.length).toBeGreaterThan(0);
      }
    } finally {
      fake.scenario = 'ok';
    }
  });

  it('reasoning.effort: GLM-5.3 takes low|high|max, GLM-5.2 its compatibility ladder, anything else is 400/1214', async () => {
    for (const [model, effort, status] of [
      ['glm-5.3', 'max', 200],
      ['glm-5.3', 'low', 200],
      ['glm-5.3', 'xhigh', 400],
      ['glm-5.3', 'medium', 400],
      ['glm-5.2', 'xhigh', 200],
      ['glm-5.2', 'ultra', 400],
      ['glm-5.1', 'ultra', 200], // below GLM-5.2 Z.ai ignores it
    ] as const) {
      const res = await post({ model, input: 'hi', reasoning: { effort } });
      expect(res.status, `${model} ${effort}`).toBe(status);
      if (status === 400) expect(((await res.json()) as { error: { code: string } }).error.code).toBe('1214');
    }
  });
});

async function directBox(): Promise<{ box: Sandbox; work: string }> {
  const box = await sandbox();
  const catalog = join(box.stateDir, 'model-catalog.json');
  await execa('mkdir', ['-p', box.stateDir]);
  await writeFile(catalog, renderModelCatalog(['glm-5.3', 'glm-5.2'], basePrompt));
  await writeFile(
    join(box.codexHome, 'config.toml'),
    ['[model_providers.zai-direct]', 'name = "Z.ai (direct)"', `base_url = "${fake.responsesBase}"`, 'env_key = "ZAI_API_KEY"', 'wire_api = "responses"', ''].join('\n'),
  );
  await writeFile(
    join(box.codexHome, 'glm.config.toml'),
    [
      'model = "glm-5.3"',
      'model_provider = "zai-direct"',
      `model_catalog_json = "${catalog}"`,
      'model_reasoning_summary = "none"',
      'web_search = "disabled"',
      '[analytics]',
      'enabled = false',
      '[agents]',
      'enabled = false',
      '[features]',
      'plugins = false',
      'goals = false',
      'unbounded_connection_retries = false',
      '',
    ].join('\n'),
  );
  return { box, work: await tempDir('glm-direct-work-') };
}

describe.each([
  { name: '0.169.0', bin: CODEX_BIN },
  { name: '0.171.0', bin: CODEX_NEWEST_BIN },
])('Codex $name straight to the Responses endpoint', ({ bin }) => {
  const run = (box: Sandbox, cwd: string, prompt: string) =>
    execa(bin, ['exec', '--skip-git-repo-check', '--strict-config', '--profile', 'glm', '--dangerously-bypass-approvals-and-sandbox', prompt], {
      cwd,
      env: { ...box.env, ZAI_API_KEY: ZAI_KEY },
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: 120_000,
    });

  it('the agent loop: the file is on disk, read back, and the final answer quotes it', async () => {
    const { box, work } = await directBox();
    const before = fake.requests.length;
    const result = await run(box, work, `${AGENT_LOOP.marker} Write the file, read it back.`);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).not.toMatch(/Model metadata/);
    expect(await readFile(join(work, AGENT_LOOP.file), 'utf8')).toBe(`${AGENT_LOOP.content}\n`);
    expect(result.stdout).toContain(`${AGENT_LOOP.finalPrefix} ${AGENT_LOOP.content}`);
    const received = fake.requests.slice(before).filter((r) => r.path === RESPONSES_PATH);
    expect(received).toHaveLength(3);
    for (const request of received) {
      expect(request.headers.authorization).toBe(`Bearer ${ZAI_KEY}`);
      expect(request.body).toMatchObject({ model: 'glm-5.3', stream: true, reasoning: { effort: 'max' } });
      const first = (request.body!.input as { role?: string; content?: { text?: string }[] }[]).find((item) => item.role === 'developer');
      expect(first?.content?.[0]?.text).toBe(basePrompt);
    }
    const outputs = (received[2]!.body!.input as { type?: string; output?: unknown }[]).filter((item) => item.type === 'function_call_output');
    expect(outputs).toHaveLength(2);
    expect(JSON.stringify(outputs[1]!.output)).toContain(AGENT_LOOP.content);
  });

  it('two tool calls in one turn', async () => {
    const { box, work } = await directBox();
    const before = fake.requests.length;
    const result = await run(box, work, `${PARALLEL_TOOLS.marker} Run both.`);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stdout).toContain(`${PARALLEL_TOOLS.finalPrefix} ${PARALLEL_TOOLS.outputs.join(' | ')}`);
    const received = fake.requests.slice(before).filter((r) => r.path === RESPONSES_PATH);
    expect(received).toHaveLength(2);
    expect((received[1]!.body!.input as { type?: string }[]).filter((item) => item.type === 'function_call_output')).toHaveLength(2);
  });
});
