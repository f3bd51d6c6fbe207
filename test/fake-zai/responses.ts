/**
 * Z.ai's Responses endpoint for Codex (`POST https://api.z.ai/api/v1/responses`, China:
 * `https://open.bigmodel.cn/api/v1/responses`) in miniature. The body and the stream follow the OpenAI
 * Responses API: `response.created`, `response.in_progress`, then per output item
 * `response.output_item.added`, its deltas (`response.reasoning_text.delta`,
 * `response.content_part.added` + `response.output_text.delta` + `response.output_text.done` +
 * `response.content_part.done`, or `response.function_call_arguments.delta` + `.done`),
 * `response.output_item.done`, and finally `response.completed`. Errors are Z.ai's: HTTP status plus
 * `{"error":{"code":"1211","message":"..."}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentText, fragments, planAnswer, type Answer, type Conversation } from './scripts.js';
import { hang, precheck, sendError, type FakeContext } from './server.js';

type Item = Record<string, unknown>;

export function handleResponses(ctx: FakeContext, req: IncomingMessage, res: ServerResponse, body: Record<string, unknown> | null): void {
  const problem = precheck(ctx, req, body, 'responses');
  if (problem === 'hang') return hang(ctx, res);
  if (problem) return sendError(res, problem);
  const request = body!;
  const id = ctx.nextId();
  const answer = planAnswer(responsesConversation(request), ctx.state);
  const items = outputItems(id, answer);
  const base = {
    id: `resp_${id}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model: String(request.model),
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    error: null,
    incomplete_details: null,
  };
  const usage = { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 15 };
  const completed = { ...base, status: 'completed', output: items, usage };

  if (request.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(completed));
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let sequence = 0;
  const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  const inProgress = { ...base, status: 'in_progress', output: [], usage: null };
  send('response.created', { response: inProgress });
  send('response.in_progress', { response: inProgress });
  if (ctx.state.scenario === 'stream-error') {
    send('error', { code: '1234', message: 'Network error, error id: 2026, please contact customer service', param: null });
    res.end();
    return;
  }
  items.forEach((item, outputIndex) => {
    const itemId = String(item.id);
    if (item.type === 'reasoning') {
      const text = String((item.content as { text: string }[])[0]!.text);
      send('response.output_item.added', { output_index: outputIndex, item: { ...item, content: [], status: 'in_progress' } });
      for (const piece of fragments(text, 3)) send('response.reasoning_text.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta: piece });
      send('response.reasoning_text.done', { item_id: itemId, output_index: outputIndex, content_index: 0, text });
    } else if (item.type === 'message') {
      const text = String((item.content as { text: string }[])[0]!.text);
      const emptyPart = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      send('response.output_item.added', { output_index: outputIndex, item: { ...item, content: [], status: 'in_progress' } });
      send('response.content_part.added', { item_id: itemId, output_index: outputIndex, content_index: 0, part: emptyPart });
      for (const piece of fragments(text, 2)) send('response.output_text.delta', { item_id: itemId, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] });
      send('response.output_text.done', { item_id: itemId, output_index: outputIndex, content_index: 0, text, logprobs: [] });
      send('response.content_part.done', { item_id: itemId, output_index: outputIndex, content_index: 0, part: { ...emptyPart, text } });
    } else {
      const args = String(item.arguments);
      send('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const piece of fragments(args, 4)) send('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta: piece });
      send('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, name: item.name, arguments: args });
    }
    send('response.output_item.done', { output_index: outputIndex, item });
  });
  send('response.completed', { response: completed });
  res.end();
}

function outputItems(id: string, answer: Answer): Item[] {
  const items: Item[] = [];
  if (answer.reasoning) items.push({ type: 'reasoning', id: `rs_${id}`, summary: [], content: [{ type: 'reasoning_text', text: answer.reasoning }], status: 'completed' });
  if (answer.kind === 'tools') {
    answer.calls.forEach((call, index) =>
      items.push({ type: 'function_call', id: `fc_${id}_${index}`, call_id: `call_${id}_${index}`, name: call.name, arguments: call.arguments, status: 'completed' }),
    );
  } else {
    items.push({ type: 'message', id: `msg_${id}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }] });
  }
  return items;
}

function responsesConversation(body: Record<string, unknown>): Conversation {
  const input: Item[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : Array.isArray(body.input) ? (body.input as Item[]) : [];
  const isUser = (item: Item) => (item.type === undefined || item.type === 'message') && item.role === 'user';
  let lastUser = -1;
  input.forEach((item, index) => {
    if (isUser(item)) lastUser = index;
  });
  const tools = Array.isArray(body.tools) ? (body.tools as Item[]) : [];
  return {
    userTexts: input.filter(isUser).map((item) => contentText(item.content)),
    toolResults: input
      .slice(lastUser + 1)
      .filter((item) => item.type === 'function_call_output')
      .map((item) => (typeof item.output === 'string' ? item.output : contentText(item.output))),
    toolNames: tools.filter((tool) => tool.type === 'function' && typeof tool.name === 'string').map((tool) => String(tool.name)),
  };
}
