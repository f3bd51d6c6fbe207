/** The fake Z.ai's Chat Completions stream, checked on the wire (what LiteLLM has to reassemble). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_LOOP, PARALLEL_TOOLS } from '../fake-zai/scripts.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';

const KEY = 'zai-chat-key.0123456789abcdef';
let fake: FakeZai;
beforeAll(async () => {
  fake = await startFakeZai({ apiKey: KEY, reasoning: 'Weighing the options.' });
});
afterAll(async () => fake.close());

const TOOLS = [{ type: 'function', function: { name: 'exec_command', parameters: { type: 'object', properties: {} } } }];

async function stream(body: Record<string, unknown>) {
  const res = await fetch(`${fake.generalBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ stream: true, ...body }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const lines = text.split('\n\n').filter((block) => block.startsWith('data: '));
  expect(lines.at(-1)).toBe('data: [DONE]');
  return lines.slice(0, -1).map((line) => JSON.parse(line.slice(6)) as { choices: { delta: Record<string, any>; finish_reason: string | null }[] });
}

describe('fake Z.ai chat stream', () => {
  it('reasoning_content in several deltas, all before the content', async () => {
    const chunks = await stream({ model: 'glm-5.2', messages: [{ role: 'user', content: 'hi' }] });
    const kinds = chunks.map((c) => (c.choices[0]!.delta.reasoning_content ? 'r' : c.choices[0]!.delta.content ? 'c' : '-'));
    expect(kinds.filter((k) => k === 'r').length).toBeGreaterThan(1);
    expect(kinds.join('')).toMatch(/^r+c+-$/);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
  });

  it('with tool_stream: id and name first, the arguments over several chunks; two calls in one turn', async () => {
    const chunks = await stream({ model: 'glm-5.2', tool_stream: true, tools: TOOLS, messages: [{ role: 'user', content: `${PARALLEL_TOOLS.marker} go` }] });
    const pieces = chunks.flatMap((c) => (c.choices[0]!.delta.tool_calls ?? []) as { index: number; id?: string; function: { name?: string; arguments: string } }[]);
    for (const index of [0, 1]) {
      const mine = pieces.filter((p) => p.index === index);
      expect(mine[0]).toMatchObject({ id: expect.stringMatching(/^call_/), function: { name: 'exec_command', arguments: '' } });
      expect(mine.slice(1).every((p) => p.id === undefined && p.function.name === undefined)).toBe(true);
      expect(mine.length).toBeGreaterThan(2);
      expect(JSON.parse(mine.map((p) => p.function.arguments).join(''))).toEqual({ cmd: PARALLEL_TOOLS.commands[index], login: false });
    }
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('without tool_stream: each call whole in one chunk (Z.ai buffers them)', async () => {
    const chunks = await stream({ model: 'glm-5.2', tools: TOOLS, messages: [{ role: 'user', content: `${AGENT_LOOP.marker} go` }] });
    const pieces = chunks.flatMap((c) => (c.choices[0]!.delta.tool_calls ?? []) as { function: { arguments: string } }[]);
    expect(pieces).toHaveLength(1);
    expect(JSON.parse(pieces[0]!.function.arguments)).toEqual({ cmd: AGENT_LOOP.writeCommand, login: false });
  });

  it('the agent script follows the conversation: read after one tool result, answer after two', async () => {
    const turn = (results: string[]) =>
      stream({
        model: 'glm-5.3',
        tools: TOOLS,
        messages: [{ role: 'user', content: `${AGENT_LOOP.marker} go` }, ...results.map((content, i) => ({ role: 'tool', tool_call_id: `c${i}`, content }))],
      });
    const second = (await turn(['Process exited with code 0'])).flatMap((c) => c.choices[0]!.delta.tool_calls ?? []);
    expect(JSON.parse(second[0].function.arguments)).toEqual({ cmd: AGENT_LOOP.readCommand, login: false });
    const third = (await turn(['Process exited with code 0', 'Output:\nLOOP-42\n'])).map((c) => c.choices[0]!.delta.content ?? '').join('');
    expect(third).toBe(`${AGENT_LOOP.finalPrefix} LOOP-42`);
  });
});
