/**
 * A loopback stand-in for Z.ai (the one thing the tests fake), following Z.ai's documented behaviour:
 * - Chat Completions, `POST {base}/chat/completions` on the general and Coding Plan paths: Bearer auth,
 *   SSE ending in `data: [DONE]`, `reasoning_content` deltas before the content, tool calls (in fragments
 *   when the request sets Z.ai's `tool_stream: true`: id and name first, then the arguments over several
 *   chunks), parallel tool calls, usage, `reasoning_effort` checked per model.
 * - The Responses endpoint Z.ai serves for Codex, `POST /api/v1/responses` (the China site has the same
 *   path), non-streaming and streaming with the Responses API's events (see responses.ts).
 * - The GLM Coding Plan quota API, `GET /api/monitor/usage/quota/limit` (quota.ts), scriptable per test.
 * - The models a key may use, `GET /api/v1/models` (models.ts).
 * - Errors as HTTP status plus `{"error":{"code":"<string>","message":...}}`.
 * There is no `/responses` route on the chat paths: it answers 404, as the real chat endpoints do.
 * Scripted tasks (scripts.ts) are chosen by a marker in the user's prompt. Every request is recorded.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultQuotaScript, handleQuota, type QuotaScript } from './quota.js';
import { refusalError, type Refusal } from './refusals.js';
import { handleResponses } from './responses.js';
import { handleModels, MODELS_PATH } from './models.js';
import { contentText, fragments, planAnswer, type Answer, type Conversation } from './scripts.js';

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
  /** Reasoning text streamed (as `reasoning_content`) before every plain answer; scripted tasks always reason. */
  reasoning?: string;
  /** The 'trickle' scenario's interval between chunks (default 1000 ms). */
  trickleMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
}

export interface FakeZai {
  readonly origin: string;
  /** `https://api.z.ai/api/paas/v4` in miniature. */
  readonly generalBase: string;
  /** `https://api.z.ai/api/coding/paas/v4` in miniature. */
  readonly codingBase: string;
  /** `https://api.z.ai/api/v1` (and `https://open.bigmodel.cn/api/v1`) in miniature: Z.ai's Responses endpoint. */
  readonly responsesBase: string;
  readonly requests: RecordedRequest[];
  scenario: FakeZaiScenario;
  reply: string;
  toolCall: ToolCallPlan | null;
  /** An account refusal (refusals.ts) every model request gets after the key and body checks; null: none. */
  refusal: Refusal | null;
  /** The Coding Plan quota API's answer (quota.ts); tests change its fields. */
  quota: QuotaScript;
  close(): Promise<void>;
}

const CHAT_PATHS = new Set(['/api/paas/v4/chat/completions', '/api/coding/paas/v4/chat/completions']);
export const RESPONSES_PATH = '/api/v1/responses';
const KNOWN_MODELS = ['glm-4.5', 'glm-4.6', 'glm-4.7', 'glm-5', 'glm-5.1', 'glm-5.2', 'glm-5.3', 'glm-5.4'];
/** The stand-in's default model list, for tests that add an id only it serves. */
export const FAKE_ZAI_MODELS: readonly string[] = KNOWN_MODELS;

/*
 * `reasoning_effort` as Z.ai documents it: GLM-5.2 and above only (older models ignore it). GLM-5.2 takes
 * the whole ladder for compatibility (none/minimal skip thinking, low/medium act as high, xhigh as max);
 * GLM-5.3 and GLM-5.4 take low, high and max. Anything else is HTTP 400, business code 1214.
 */
const REASONING_EFFORTS: Record<string, readonly string[]> = {
  'glm-5.2': ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'],
  'glm-5.3': ['low', 'high', 'max'],
  'glm-5.4': ['low', 'high', 'max'],
};

/** Z.ai's answer to a bad `reasoning_effort` for `model`, or null when it is acceptable. */
export function reasoningEffortError(model: string, effort: unknown): { status: number; code: string; message: string } | null {
  const allowed = REASONING_EFFORTS[model];
  if (effort === undefined || effort === null || !allowed) return null;
  if (typeof effort === 'string' && allowed.includes(effort)) return null;
  return { status: 400, code: '1214', message: `Invalid reasoning_effort parameter. Please check the documentation. Supported values for ${model}: ${allowed.join(', ')}.` };
}

export const ZAI_ERRORS = {
  missingKey: { status: 401, code: '1001', message: 'Header中未收到Authorization参数，无法进行身份验证。' },
  badKey: { status: 401, code: '1002', message: 'Authorization Token非法，请确认Authorization Token正确传递。' },
  notJson: { status: 400, code: '1214', message: 'Invalid request: the body is not JSON' },
  unknownModel: { status: 400, code: '1211', message: 'Unknown Model, please check the model code.' },
  noBalance: { status: 429, code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' },
  rateLimit: { status: 429, code: '1302', message: 'High concurrency usage of this API, please reduce concurrency or contact customer service to increase limits.' },
  noPermission: { status: 403, code: '1220', message: 'You do not have permission to access this model.' },
  serverError: { status: 500, code: '500', message: 'Internal Error' },
} as const;

export type ZaiError = { status: number; code: string; message: string };

/** What the chat and Responses handlers share: the key and model checks, the scenario, the planner's state. */
export interface FakeContext {
  apiKey: string;
  models: Set<string>;
  state: { scenario: FakeZaiScenario; reply: string; toolCall: ToolCallPlan | null; reasoning: string | null; refusal: Refusal | null };
  hanging: Set<ServerResponse>;
  trickleMs: number;
  nextId(): string;
}

/** The checks every endpoint makes, in Z.ai's order: key, body, model, parameters, account state. */
export function precheck(ctx: FakeContext, req: IncomingMessage, body: Record<string, unknown> | null, api: 'chat' | 'responses' = 'chat'): ZaiError | 'hang' | null {
  const auth = req.headers.authorization;
  if (!auth) return ZAI_ERRORS.missingKey;
  if (auth !== `Bearer ${ctx.apiKey}`) return ZAI_ERRORS.badKey;
  if (body === null) return ZAI_ERRORS.notJson;
  const model = String(body.model ?? '');
  if (!ctx.models.has(model)) return ZAI_ERRORS.unknownModel;
  // Chat Completions carries `reasoning_effort`; the Responses API carries `reasoning.effort`.
  const requested = api === 'chat' ? body.reasoning_effort : (body.reasoning as { effort?: unknown } | undefined)?.effort;
  const effort = reasoningEffortError(model, requested);
  if (effort) return effort;
  if (ctx.state.refusal) return refusalError(ctx.state.refusal);
  switch (ctx.state.scenario) {
    case 'no-balance':
      return ZAI_ERRORS.noBalance;
    case 'rate-limit':
      return ZAI_ERRORS.rateLimit;
    case 'no-permission':
      return ZAI_ERRORS.noPermission;
    case 'server-error':
      return ZAI_ERRORS.serverError;
    case 'hang':
      return 'hang';
    default:
      return null;
  }
}

export async function startFakeZai(options: FakeZaiOptions = {}): Promise<FakeZai> {
  const requests: RecordedRequest[] = [];
  let counter = 0;
  const ctx: FakeContext = {
    apiKey: options.apiKey ?? 'zai-test-key.0123456789abcdef',
    models: new Set(options.models ?? KNOWN_MODELS),
    state: { scenario: 'ok', reply: options.reply ?? 'OK', toolCall: null, reasoning: options.reasoning ?? null, refusal: null },
    hanging: new Set<ServerResponse>(),
    trickleMs: options.trickleMs ?? 1000,
    nextId: () => `2026${String(++counter).padStart(10, '0')}`,
  };
  const quota = defaultQuotaScript();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, { status: 500, code: '500', message: `fake upstream failure: ${String(error)}` });
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
    requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, headers: { ...req.headers }, body });

    if (req.method === 'POST' && path === RESPONSES_PATH) return handleResponses(ctx, req, res, body);
    if (handleQuota({ req, res, path, apiKey: ctx.apiKey, script: quota, hang: (r) => hang(ctx, r) })) return;
    if (req.method === 'GET' && path === MODELS_PATH) return handleModels(ctx, req, res);
    if (req.method !== 'POST' || !CHAT_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path }));
      return;
    }
    const problem = precheck(ctx, req, body);
    if (problem === 'hang') return hang(ctx, res);
    if (problem) return sendError(res, problem);
    return chatCompletion(ctx, res, body!);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    generalBase: `${origin}/api/paas/v4`,
    codingBase: `${origin}/api/coding/paas/v4`,
    responsesBase: `${origin}/api/v1`,
    requests,
    quota,
    get scenario() {
      return ctx.state.scenario;
    },
    set scenario(value: FakeZaiScenario) {
      ctx.state.scenario = value;
    },
    get reply() {
      return ctx.state.reply;
    },
    set reply(value: string) {
      ctx.state.reply = value;
    },
    get toolCall() {
      return ctx.state.toolCall;
    },
    set toolCall(value: ToolCallPlan | null) {
      ctx.state.toolCall = value;
    },
    get refusal() {
      return ctx.state.refusal;
    },
    set refusal(value: Refusal | null) {
      ctx.state.refusal = value;
    },
    async close() {
      for (const res of ctx.hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function hang(ctx: FakeContext, res: ServerResponse): void {
  ctx.hanging.add(res);
  res.on('close', () => ctx.hanging.delete(res));
}

function chatConversation(body: Record<string, unknown>): Conversation {
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  let lastUser = -1;
  messages.forEach((message, index) => {
    if (message.role === 'user') lastUser = index;
  });
  const tools = Array.isArray(body.tools) ? (body.tools as { function?: { name?: string } }[]) : [];
  return {
    userTexts: messages.filter((m) => m.role === 'user').map((m) => contentText(m.content)),
    toolResults: messages.slice(lastUser + 1).filter((m) => m.role === 'tool').map((m) => contentText(m.content)),
    toolNames: tools.map((tool) => tool.function?.name).filter((name): name is string => typeof name === 'string'),
  };
}

function chatCompletion(ctx: FakeContext, res: ServerResponse, body: Record<string, unknown>): void {
  const id = ctx.nextId();
  const created = Math.floor(Date.now() / 1000);
  const model = String(body.model);
  const answer: Answer = planAnswer(chatConversation(body), ctx.state);
  const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } };
  const calls = answer.kind === 'tools' ? answer.calls.map((call, index) => ({ ...call, id: `call_${id}_${index}` })) : [];

  if (body.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, created, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    let first = true;
    const role = () => (first ? ((first = false), { role: 'assistant' }) : {});
    if (answer.reasoning) for (const piece of fragments(answer.reasoning, 3)) res.write(chunk({ ...role(), reasoning_content: piece }, null));
    if (ctx.state.scenario === 'trickle') {
      res.write(chunk({ ...role(), content: '' }, null));
      const timer = setInterval(() => res.write(chunk({ content: '.' }, null)), ctx.trickleMs);
      hang(ctx, res);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (ctx.state.scenario === 'stream-error') {
      res.write(chunk({ ...role(), content: 'partial' }, null));
      res.write(`data: ${JSON.stringify({ error: { code: '1234', message: 'Network error, error id: 2026, please contact customer service' } })}\n\n`);
      res.end();
      return;
    }
    if (answer.kind === 'tools') {
      calls.forEach((call, index) => {
        if (body.tool_stream === true) {
          // Z.ai's tool_stream: the call's id and name first, then its arguments in pieces.
          res.write(chunk({ ...role(), tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, null));
          for (const piece of fragments(call.arguments, 4)) res.write(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
        } else {
          res.write(chunk({ ...role(), tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }] }, null));
        }
      });
      res.write(chunk({}, 'tool_calls', { usage }));
    } else {
      for (const piece of fragments(answer.text, 2)) res.write(chunk({ ...role(), content: piece }, null));
      res.write(chunk({}, 'stop', { usage }));
    }
    res.write('data: [DONE]\n\n');
    res.end();
    return;
  }

  const message: Record<string, unknown> = { role: 'assistant' };
  if (answer.reasoning) message.reasoning_content = answer.reasoning;
  if (answer.kind === 'tools') {
    message.content = '';
    message.tool_calls = calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
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
      choices: [{ index: 0, finish_reason: answer.kind === 'tools' ? 'tool_calls' : 'stop', message }],
      usage,
    }),
  );
}

export function sendError(res: ServerResponse, error: ZaiError): void {
  res.writeHead(error.status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code: error.code, message: error.message } }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
