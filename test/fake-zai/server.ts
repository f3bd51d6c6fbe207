/**
 * A loopback stand-in for Z.ai's Chat Completions API (the one thing the tests fake).
 * It follows Z.ai's documented behaviour: `POST {base}/chat/completions` on the general and
 * Coding Plan paths, Bearer auth, streaming as SSE ending in `data: [DONE]`, `reasoning_content`,
 * tool calls, usage, and errors as HTTP status plus `{"error":{"code":"<string>","message":...}}`.
 * There is no `/responses` route on these paths: it answers 404, as the real chat endpoints do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeZaiScenario =
  | 'ok'
  | 'no-balance' // 429, 1113
  | 'rate-limit' // 429, 1302
  | 'no-permission' // 403, 1220
  | 'server-error' // 500
  | 'stream-error' // 200, then an error in the middle of the stream
  | 'hang' // accepts the request, never answers
  | 'trickle'; // streaming requests: one content chunk every `trickleMs`, never finishing (non-streaming ones answer normally)

export interface ToolCallPlan {
  /** Name of the tool to call; the first tool whose name matches is used. */
  name: string;
  arguments: Record<string, unknown>;
}

export interface FakeZaiOptions {
  apiKey?: string;
  models?: string[];
  reply?: string;
  reasoning?: string;
  /** The 'trickle' scenario's interval between chunks (default 1000 ms). */
  trickleMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
}

export interface FakeZai {
  readonly origin: string;
  /** `https://api.z.ai/api/paas/v4` in miniature. */
  readonly generalBase: string;
  /** `https://api.z.ai/api/coding/paas/v4` in miniature. */
  readonly codingBase: string;
  readonly requests: RecordedRequest[];
  scenario: FakeZaiScenario;
  reply: string;
  toolCall: ToolCallPlan | null;
  close(): Promise<void>;
}

const CHAT_PATHS = new Set(['/api/paas/v4/chat/completions', '/api/coding/paas/v4/chat/completions']);
const KNOWN_MODELS = ['glm-4.5', 'glm-4.6', 'glm-4.7', 'glm-5', 'glm-5.1', 'glm-5.2', 'glm-5.3'];

export async function startFakeZai(options: FakeZaiOptions = {}): Promise<FakeZai> {
  const apiKey = options.apiKey ?? 'zai-test-key.0123456789abcdef';
  const models = new Set(options.models ?? KNOWN_MODELS);
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let counter = 0;

  const state = {
    scenario: 'ok' as FakeZaiScenario,
    reply: options.reply ?? 'OK',
    toolCall: null as ToolCallPlan | null,
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, '500', `fake upstream failure: ${String(error)}`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown> | null = null;
    try {
      body = raw.length > 0 ? (JSON.parse(raw) as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body });

    if (req.method !== 'POST' || !CHAT_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path }));
      return;
    }
    const auth = req.headers.authorization;
    if (!auth) return sendError(res, 401, '1001', 'Header中未收到Authorization参数，无法进行身份验证。');
    if (auth !== `Bearer ${apiKey}`) return sendError(res, 401, '1002', 'Authorization Token非法，请确认Authorization Token正确传递。');
    if (body === null) return sendError(res, 400, '1214', 'Invalid request: the body is not JSON');
    const model = String(body.model ?? '');
    if (!models.has(model)) return sendError(res, 400, '1211', 'Unknown Model, please check the model code.');

    switch (state.scenario) {
      case 'no-balance':
        return sendError(res, 429, '1113', 'Insufficient balance or no resource package. Please recharge.');
      case 'rate-limit':
        return sendError(res, 429, '1302', 'High concurrency usage of this API, please reduce concurrency or contact customer service to increase limits.');
      case 'no-permission':
        return sendError(res, 403, '1220', 'You do not have permission to access this model.');
      case 'server-error':
        return sendError(res, 500, '500', 'Internal Error');
      case 'hang':
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      default:
        break;
    }

    const id = `2026${String(++counter).padStart(10, '0')}`;
    const created = Math.floor(Date.now() / 1000);
    const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
    const answer = planAnswer(messages, body.tools);
    const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } };

    if (body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
        `data: ${JSON.stringify({ id, created, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
      if (options.reasoning) res.write(chunk({ role: 'assistant', reasoning_content: options.reasoning }, null));
      if (state.scenario === 'trickle') {
        res.write(chunk({ role: 'assistant', content: '' }, null));
        const timer = setInterval(() => res.write(chunk({ content: '.' }, null)), options.trickleMs ?? 1000);
        hanging.add(res);
        res.on('close', () => {
          clearInterval(timer);
          hanging.delete(res);
        });
        return;
      }
      if (state.scenario === 'stream-error') {
        res.write(chunk({ role: 'assistant', content: 'partial' }, null));
        res.write(`data: ${JSON.stringify({ error: { code: '1234', message: 'Network error, error id: 2026, please contact customer service' } })}\n\n`);
        res.end();
        return;
      }
      if (answer.kind === 'tool') {
        res.write(chunk({ role: 'assistant', tool_calls: [{ index: 0, id: answer.callId, type: 'function', function: { name: answer.name, arguments: answer.arguments } }] }, null));
        res.write(chunk({}, 'tool_calls', { usage }));
      } else {
        const half = Math.ceil(answer.text.length / 2);
        res.write(chunk({ role: 'assistant', content: answer.text.slice(0, half) }, null));
        res.write(chunk({ content: answer.text.slice(half) }, null));
        res.write(chunk({}, 'stop', { usage }));
      }
      res.write('data: [DONE]\n\n');
      res.end();
      return;
    }

    const message: Record<string, unknown> = { role: 'assistant' };
    if (options.reasoning) message.reasoning_content = options.reasoning;
    if (answer.kind === 'tool') {
      message.content = '';
      message.tool_calls = [{ id: answer.callId, type: 'function', function: { name: answer.name, arguments: answer.arguments } }];
    } else {
      message.content = answer.text;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(
      JSON.stringify({
        id,
        request_id: id,
        created,
        model,
        object: 'chat.completion',
        choices: [{ index: 0, finish_reason: answer.kind === 'tool' ? 'tool_calls' : 'stop', message }],
        usage,
      }),
    );
  }

  function planAnswer(
    messages: Record<string, unknown>[],
    tools: unknown,
  ): { kind: 'text'; text: string } | { kind: 'tool'; name: string; arguments: string; callId: string } {
    const last = messages[messages.length - 1];
    if (last?.role === 'tool') {
      return { kind: 'text', text: `The tool said: ${contentText(last.content).trim()}` };
    }
    const plan = state.toolCall;
    if (plan && Array.isArray(tools)) {
      const tool = (tools as { function?: { name?: string } }[]).find((t) => t.function?.name === plan.name);
      if (tool) return { kind: 'tool', name: plan.name, arguments: JSON.stringify(plan.arguments), callId: `call_${counter}` };
    }
    return { kind: 'text', text: state.reply };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    generalBase: `${origin}/api/paas/v4`,
    codingBase: `${origin}/api/coding/paas/v4`,
    requests,
    get scenario() {
      return state.scenario;
    },
    set scenario(value: FakeZaiScenario) {
      state.scenario = value;
    },
    get reply() {
      return state.reply;
    },
    set reply(value: string) {
      state.reply = value;
    },
    get toolCall() {
      return state.toolCall;
    },
    set toolCall(value: ToolCallPlan | null) {
      state.toolCall = value;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('');
  }
  return '';
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message } }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
