/**
 * Codex's own base prompt, read from the installed Codex: one `codex exec` in a throwaway CODEX_HOME
 * whose provider points at a one-shot capture server on 127.0.0.1. With a model it has no metadata
 * for, Codex sends its generic prompt (about 17,000 characters) as the first developer message
 * (0.163+) or as `instructions` (older). A model catalog must carry this text in `base_instructions`:
 * an empty one makes Codex send no base prompt at all. The prompt is never stored in this repository.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runner } from '../process/run.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { codexAt } from './version.js';

export interface CapturedBasePrompt {
  text: string;
  codexVersion: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** A slug no bundled catalog entry prefixes, so Codex uses its fallback metadata and generic prompt. */
const PROBE_MODEL = 'glm-codex-setup-prompt-probe';
const PROBE_KEY_ENV = 'GLM_CODEX_PROMPT_PROBE_KEY';

export async function captureBasePrompt(codexBin: string, opts: { timeoutMs?: number } = {}): Promise<CapturedBasePrompt> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const remaining = () => Math.max(1, deadline - Date.now());

  const install = await codexAt(codexBin);
  if (!install.version) {
    throw captureError(`\`${codexBin} --version\` did not answer, so Codex's base prompt cannot be read.`, 'Install Codex (npm install -g @openai/codex) or fix the one on PATH, then run again.');
  }

  const capture = await startCaptureServer();
  const dir = await mkdtemp(join(tmpdir(), 'glm-codex-prompt-'));
  try {
    const codexHome = join(dir, 'codex-home');
    await mkdir(codexHome);
    await writeFile(join(codexHome, 'config.toml'), probeConfig(capture.port), { mode: 0o600 });
    const run = await runner.run(codexBin, ['exec', '--skip-git-repo-check', 'Reply with OK'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, CODEX_HOME: codexHome, [PROBE_KEY_ENV]: 'prompt-probe' },
      extendEnv: false,
      timeoutMs: remaining(),
      forceKillAfterMs: 2_000,
    });
    const body = capture.firstRequest();
    if (body === null) {
      const why = run.timedOut ? `it sent no request within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s` : `it exited with code ${String(run.exitCode)} before sending a request`;
      throw captureError(`Could not read Codex ${install.version}'s base prompt: ${why}.\n${tail(run.stderr)}`, 'Check that `codex exec` runs on this machine (`codex exec --skip-git-repo-check "hi"`), then run again.');
    }
    const text = extractBasePrompt(body);
    if (!text) {
      throw captureError(`Codex ${install.version} sent a request without a base prompt (no instructions, no developer or system message), so there is nothing to put in the model catalog.`, 'This Codex release is not supported yet: use another Codex release or report it.');
    }
    return { text, codexVersion: install.version };
  } finally {
    await capture.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The base prompt in a Responses request: `instructions` (Codex before 0.163), else the first text part
 * of the first developer or system message (0.163+; later developer messages carry skills, permissions).
 */
export function extractBasePrompt(body: Record<string, unknown>): string | null {
  if (typeof body.instructions === 'string' && body.instructions.trim() !== '') return body.instructions;
  const input = Array.isArray(body.input) ? (body.input as Record<string, unknown>[]) : [];
  const first = input.find((item) => (item.type === undefined || item.type === 'message') && (item.role === 'developer' || item.role === 'system'));
  if (!first) return null;
  if (typeof first.content === 'string') return first.content.trim() === '' ? null : first.content;
  const parts = Array.isArray(first.content) ? (first.content as Record<string, unknown>[]) : [];
  const text = parts.find((part) => typeof part.text === 'string')?.text as string | undefined;
  return text && text.trim() !== '' ? text : null;
}

function probeConfig(port: number): string {
  return [
    `model = "${PROBE_MODEL}"`,
    'model_provider = "prompt-probe"',
    '',
    '[model_providers.prompt-probe]',
    'name = "prompt probe"',
    `base_url = "http://127.0.0.1:${port}/v1"`,
    `env_key = "${PROBE_KEY_ENV}"`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    '[features]',
    'unbounded_connection_retries = false',
    'plugins = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
  ].join('\n');
}

interface CaptureServer {
  port: number;
  firstRequest(): Record<string, unknown> | null;
  close(): Promise<void>;
}

/** Records the first `POST .../responses` and answers every one with the smallest stream Codex accepts. */
async function startCaptureServer(): Promise<CaptureServer> {
  let first: Record<string, unknown> | null = null;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !(req.url ?? '').split('?')[0]!.endsWith('/responses')) {
        res.writeHead(404).end();
        return;
      }
      if (first === null) {
        try {
          first = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          first = {};
        }
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (event: Record<string, unknown>) => res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
      const response = { id: 'resp_prompt_probe', object: 'response', status: 'in_progress', output: [] as unknown[] };
      const item = { type: 'message', id: 'msg_prompt_probe', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'OK', annotations: [] }] };
      send({ type: 'response.created', response });
      send({ type: 'response.output_item.done', output_index: 0, item });
      send({ type: 'response.completed', response: { ...response, status: 'completed', output: [item], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    firstRequest: () => first,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function captureError(message: string, fix: string): UserError {
  return new UserError('codex-base-prompt', message, { exitCode: ExitCode.prerequisite, fix });
}

function tail(text: string): string {
  return text.trim().split('\n').filter((line) => !line.startsWith('WARNING: proceeding')).slice(-6).join('\n');
}
