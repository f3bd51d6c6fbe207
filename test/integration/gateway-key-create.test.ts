/**
 * `gateway key create` against a loopback stand-in for LiteLLM's POST /key/generate. The stand-in
 * checks the request the way LiteLLM 1.108.7 defines it (Bearer master key, JSON body of
 * GenerateKeyRequest fields with their types) and answers with GenerateKeyResponse's shape, or with
 * LiteLLM's error bodies. The real LiteLLM's answers without a database: gateway-litellm.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli, runCliJson, sandbox, type Sandbox } from '../helpers/cli.js';

const MASTER = 'sk-master-0123456789abcdef0123456789abcdef';
const NEW_KEY = 'sk-vk-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** Fields of LiteLLM 1.108.7's GenerateKeyRequest (litellm/types/proxy/management_endpoints), with their JSON types. */
const FIELD_TYPES: Record<string, (v: unknown) => boolean> = {
  user_id: (v) => typeof v === 'string',
  key_alias: (v) => typeof v === 'string',
  max_budget: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  models: (v) => Array.isArray(v) && v.every((m) => typeof m === 'string'),
  metadata: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  duration: (v) => typeof v === 'string',
  budget_duration: (v) => typeof v === 'string',
  team_id: (v) => typeof v === 'string',
  key_type: (v) => v === 'llm_api' || v === 'management' || v === 'read_only' || v === 'default',
};

type Mode = 'ok' | 'db-not-connected' | 'hang' | 'html';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown> | null;
}

let server: Server;
let url: string;
let mode: Mode | 'huge' | 'escapes' = 'ok';
const received: Received[] = [];
const hanging = new Set<ServerResponse>();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    body = null;
  }
  received.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
  if (mode === 'hang') {
    hanging.add(res);
    return;
  }
  if (mode === 'huge') {
    // 500 MB of JSON-looking bytes, written until the client hangs up.
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const more = () => {
      while (sent < 500 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    res.write('{"key":"sk-');
    more();
    return;
  }
  if (mode === 'escapes') return send(res, 200, { key: 'sk-\u001b[2J\u001b[Hforged\nGateway key: sk-fake', key_alias: 'x' });
  if (mode === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>Sign in</html>');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/key/generate') return send(res, 404, { detail: 'Not Found' });
  if (req.headers.authorization !== `Bearer ${MASTER}`) {
    return send(res, 401, {
      error: { message: 'Authentication Error, Invalid proxy server token passed. Received API Key = sk-...wxyz', type: 'auth_error', param: 'None', code: '401' },
    });
  }
  if (mode === 'db-not-connected') return send(res, 500, { detail: { error: 'DB not connected. prisma_client is None' } });
  if (!body || !String(req.headers['content-type']).startsWith('application/json')) return send(res, 422, { detail: 'body must be JSON' });
  for (const [name, value] of Object.entries(body)) {
    const check = FIELD_TYPES[name];
    if (!check) return send(res, 422, { detail: [{ type: 'extra_forbidden', loc: ['body', name], msg: 'not a GenerateKeyRequest field in this stand-in' }] });
    if (!check(value)) return send(res, 422, { detail: [{ type: 'type_error', loc: ['body', name], msg: 'wrong type' }] });
  }
  // GenerateKeyResponse: the request's fields echoed, plus key, token_id, expires and friends.
  send(res, 200, {
    ...body,
    key: NEW_KEY,
    key_name: 'sk-...b1a0',
    expires: null,
    token_id: 'c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789',
    token: null,
    litellm_budget_table: null,
    created_by: 'default_user_id',
    updated_by: 'default_user_id',
    created_at: '2026-11-27T10:15:00.000000Z',
    updated_at: '2026-11-27T10:15:00.000000Z',
  });
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  mode = 'ok';
  received.length = 0;
});

async function bundleBox(): Promise<Sandbox> {
  const box = await sandbox();
  await writeFile(join(box.home, '.env'), `ZAI_API_KEY=\nLITELLM_MASTER_KEY=${MASTER}\n`, { mode: 0o600 });
  return box;
}

const keyCount = (text: string) => text.split(NEW_KEY).length - 1;
/** --json needs --out (the key is never in the JSON): a file that stays absent when the call fails. */
const outArgs = (box: Sandbox) => ['--out', join(box.home, 'never-written.key')];

describe('gateway key create', () => {
  it('posts LiteLLM\'s request with the master key from ./.env and shows the key once, with the developer\'s command', async () => {
    const box = await bundleBox();
    const result = await runCli(box, ['gateway', 'key', 'create', '--user', 'alice', '--budget', '25', '--models', 'glm-5.3,glm-5.2', '--gateway-url', `${url}/`]);
    expect(result.exitCode, result.all).toBe(0);

    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request).toMatchObject({ method: 'POST', path: '/key/generate', authorization: `Bearer ${MASTER}` });
    expect(request.contentType).toBe('application/json');
    expect(request.body).toEqual({
      user_id: 'alice',
      key_alias: expect.stringMatching(/^alice-\d{8}T\d{6}Z$/),
      max_budget: 25,
      models: ['glm-5.3', 'glm-5.2'],
      metadata: { created_by: 'glm-codex-setup' },
    });

    // The key once, on stderr only; the master key nowhere.
    expect(keyCount(result.stderr)).toBe(1);
    expect(keyCount(result.stdout)).toBe(0);
    expect(result.all).not.toContain(MASTER);
    expect(result.stdout).toContain(`${BIN} --mode gateway --gateway-url ${url} --gateway-key-file ~/.glm-codex-gateway-key`);
    expect(result.all).not.toContain('GLM_CODEX_GATEWAY_KEY=');
    expect(result.stdout).toContain(String(request.body!.key_alias));
    expect(result.stdout).toContain('budget $25');
  });

  it('without --budget and --models the body has neither (every model, no budget)', async () => {
    const box = await bundleBox();
    const result = await runCli(box, ['gateway', 'key', 'create', '--user', 'bob@example.com', '--gateway-url', url]);
    expect(result.exitCode, result.all).toBe(0);
    expect(received[0]!.body).toEqual({ user_id: 'bob@example.com', key_alias: expect.stringMatching(/^bob@example\.com-/), metadata: { created_by: 'glm-codex-setup' } });
    expect(result.stdout).toContain('every model of the gateway');
  });

  it('takes the master key from LITELLM_MASTER_KEY, or from --dir DIR/.env', async () => {
    const box = await sandbox();
    const fromEnv = await runCli(box, ['gateway', 'key', 'create', '--user', 'carol', '--gateway-url', url], { env: { LITELLM_MASTER_KEY: MASTER } });
    expect(fromEnv.exitCode, fromEnv.all).toBe(0);
    expect(received.at(-1)!.authorization).toBe(`Bearer ${MASTER}`);

    const bundle = join(box.home, 'bundle');
    const init = await runCli(box, ['gateway', 'init', bundle]);
    expect(init.exitCode, init.all).toBe(0);
    const generated = /^LITELLM_MASTER_KEY=(.+)$/m.exec(await readFile(join(bundle, '.env'), 'utf8'))![1]!;
    const fromDir = await runCli(box, ['gateway', 'key', 'create', '--user', 'carol', '--gateway-url', url, '--dir', bundle]);
    // The stand-in knows MASTER only: the generated key was sent, and refused as a wrong master key.
    expect(received.at(-1)!.authorization).toBe(`Bearer ${generated}`);
    expect(fromDir.exitCode).toBe(6);
    expect(fromDir.stderr).toContain('refused the master key (401');
    expect(fromDir.all).not.toContain(generated);
  });

  it('--json needs --out: the key goes to a new 0600 file and into no output', async () => {
    const box = await bundleBox();
    const refused = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'dave', '--gateway-url', url]);
    expect(refused.exitCode).toBe(2);
    expect(refused.json.error.message).toContain('--out');
    expect(received).toHaveLength(0);

    const out = join(box.home, 'dave.key');
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'dave', '--gateway-url', url, '--out', out]);
    expect(result.exitCode, result.all).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(`${NEW_KEY}\n`);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(keyCount(result.all)).toBe(0);
    expect(result.json).toMatchObject({ ok: true, action: 'key-create', user: 'dave', keyFile: out, maxBudget: null, models: [] });
    expect(result.json.developerCommand).toContain('--gateway-key-file');

    // An existing --out file is never overwritten without --force, and no key is created for it.
    const before = received.length;
    const again = await runCli(box, ['gateway', 'key', 'create', '--user', 'dave', '--gateway-url', url, '--out', out]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(received.length).toBe(before);
  });

  it('a wrong master key: a clear message, exit 6, the key never printed', async () => {
    const box = await sandbox();
    const wrong = 'sk-wrong-0000000000000000000000';
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'erin', '--gateway-url', url, ...outArgs(box)], { env: { LITELLM_MASTER_KEY: wrong } });
    expect(result.exitCode).toBe(6);
    expect(result.json.error.code).toBe('gateway-bad-master-key');
    expect(result.json.error.fix).toContain('LITELLM_MASTER_KEY');
    expect(result.all).not.toContain(wrong);
  });

  it('a gateway without a database: "DB not connected" becomes a message about the database', async () => {
    const box = await bundleBox();
    mode = 'db-not-connected';
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'frank', '--gateway-url', url, ...outArgs(box)]);
    expect(result.exitCode).toBe(6);
    expect(result.json.error.code).toBe('gateway-no-database');
    expect(result.json.error.fix).toContain('docker compose up -d');
  });

  it('nothing listening: exit 5 naming the address', async () => {
    const box = await bundleBox();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'gina', '--gateway-url', `http://127.0.0.1:${port}`, ...outArgs(box)]);
    expect(result.exitCode).toBe(5);
    expect(result.json.error.code).toBe('gateway-unreachable');
    expect(result.json.error.message).toContain(`127.0.0.1:${port}`);
    expect(result.json.error.message).toContain('connection refused');
  });

  it('a gateway that never answers: stopped at the total deadline', async () => {
    const box = await bundleBox();
    mode = 'hang';
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'hank', '--gateway-url', url, ...outArgs(box)], { env: { GLM_CODEX_GATEWAY_TIMEOUT: '1' } });
    expect(result.exitCode).toBe(5);
    expect(result.json.error.code).toBe('gateway-timeout');
    expect(result.json.error.message).toContain('within 1 s');
    expect(existsSync(join(box.home, 'never-written.key'))).toBe(false);
  });

  it('something else answering 200 (a login page): not mistaken for a key', async () => {
    const box = await bundleBox();
    mode = 'html';
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'ivy', '--gateway-url', url, ...outArgs(box)]);
    expect(result.exitCode).toBe(6);
    expect(result.json.error.code).toBe('gateway-unexpected');
  });

  it('a 500 MB answer is read no further than 64 KB; a key with terminal escapes is never printed or stored', async () => {
    const box = await bundleBox();
    mode = 'huge';
    const huge = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'ivy', '--gateway-url', url, ...outArgs(box)]);
    expect(huge.exitCode, huge.all).toBe(6);
    expect(huge.json.error.message).toContain('larger than 64 KB');
    mode = 'escapes';
    const escapes = await runCli(box, ['gateway', 'key', 'create', '--user', 'ivy', '--gateway-url', url, ...outArgs(box)]);
    expect(escapes.exitCode, escapes.all).toBe(6);
    expect(escapes.all).not.toContain('\u001b');
    expect(escapes.all).not.toContain('forged');
    expect(escapes.all).toContain('not printable ASCII');
    expect(existsSync(join(box.home, 'never-written.key'))).toBe(false);
  });

  it('bad input is refused before any request', async () => {
    const box = await sandbox();
    const cases: [string[], string][] = [
      [['gateway', 'key', 'create'], '--user is missing'],
      [['gateway', 'key', 'create', '--user', 'a b'], 'not a usable user id'],
      [['gateway', 'key', 'create', '--user', 'x', '--budget', '-5'], '--budget'],
      [['gateway', 'key', 'create', '--user', 'x', '--budget', 'ten'], '--budget'],
      [['gateway', 'key', 'create', '--user', 'x', '--models', 'openai/glm-5.3'], '--models'],
      [['gateway', 'key', 'create', '--user', 'x', '--gateway-url', 'ftp://h'], '--gateway-url'],
      [['gateway', 'key', 'create', '--user', 'x', '--gateway-url', 'https://admin:pw@h'], 'credentials'],
      [['gateway', 'key', 'create', '--user', 'x', '--master-key', MASTER], 'master-key'],
      [['gateway', 'key', 'create', '--user', 'x'], 'No master key'],
      [['gateway', 'key', 'create', '--user', 'x', '--dir', '/nonexistent/bundle'], '/nonexistent/bundle/.env'],
      [['gateway', 'key', 'delete'], 'unknown action'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(box, args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
    }
    expect(received).toHaveLength(0);
  });
});
