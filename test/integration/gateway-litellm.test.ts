/**
 * The bundle's config.yaml loaded by the real LiteLLM 1.108.7 proxy WITHOUT a database (its database
 * mode cannot start here: Prisma downloads its engines from the internet), in front of the fake Z.ai:
 * a Responses call routed to Z.ai's Chat Completions with the right model and priced by the
 * config's per-token prices; and `gateway key create` against it answered with the no-database message.
 */
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { runCli, runCliJson, sandbox, type Sandbox } from '../helpers/cli.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { latestVenv } from '../helpers/litellm.js';

// Ports: this file takes 29000-29499 (see test/helpers/cli.ts for the other files' ranges).
const ZAI_KEY = 'zai-test-key.0123456789abcdef';
let fake: FakeZai;
let box: Sandbox;
let gateway: TestGateway;
let bundle: string;
let masterKey: string;
let port: number;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  box = await sandbox();
  gateway = await startTestGateway({ box, fake, zaiKey: ZAI_KEY, venv: latestVenv(), portFrom: 29000 });
  ({ bundle, masterKey, port } = gateway);
  const ready = await request(`${gateway.url}/health/readiness`);
  expect(await ready.body.json()).toMatchObject({ status: 'healthy', db: 'Not connected' });
});

afterAll(async () => {
  await gateway?.stop();
  await fake?.close();
});

async function responses(model: string, key = masterKey) {
  const response = await request(`http://127.0.0.1:${port}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, input: 'Reply with OK' }),
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, any> };
}

describe('the bundle config in the real LiteLLM (no database)', () => {
  it('routes POST /v1/responses for each GLM model to Z.ai Chat Completions with that model and the Z.ai key', async () => {
    for (const model of ['glm-5.3', 'glm-5.2', 'glm-5.1']) {
      const before = fake.requests.length;
      const result = await responses(model);
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      const text = result.body.output.flatMap((item: any) => item.content ?? []).map((part: any) => part.text ?? '').join('');
      expect(text).toBe('OK');
      const upstream = fake.requests.slice(before);
      expect(upstream.map((r) => r.path)).toEqual(['/api/paas/v4/chat/completions']);
      expect(upstream[0]!.authorization).toBe(`Bearer ${ZAI_KEY}`);
      expect(upstream[0]!.body?.model).toBe(model);
    }
  });

  it('prices the call with the config\'s per-token prices (what key budgets count)', async () => {
    const result = await responses('glm-5.3');
    expect(result.status).toBe(200);
    // The fake Z.ai reports 12 prompt and 3 completion tokens: 12 x $1.40/M + 3 x $4.40/M.
    const cost = Number(result.headers['x-litellm-response-cost']);
    expect(cost).toBeCloseTo(12 * 1.4e-6 + 3 * 4.4e-6, 12);
  });

  it('gateway key create: the no-database answer becomes a clear message', async () => {
    const out = join(box.home, 'never.key');
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'alice', '--budget', '10', '--dir', bundle, '--gateway-url', `http://127.0.0.1:${port}`, '--out', out]);
    expect(result.exitCode, result.all).toBe(6);
    expect(result.json.error.code).toBe('gateway-no-database');
    expect(result.json.error.message).toContain('has no database');
    expect(result.all).not.toContain(masterKey);
  });

  it('gateway key create with a key that is not the master key: no_db_connection becomes "refused the master key"', async () => {
    const wrong = 'sk-not-the-master-key-0000000000';
    const result = await runCliJson(box, ['gateway', 'key', 'create', '--user', 'alice', '--gateway-url', `http://127.0.0.1:${port}`, '--out', join(box.home, 'never.key')], {
      env: { LITELLM_MASTER_KEY: wrong },
    });
    expect(result.exitCode, result.all).toBe(6);
    expect(result.json.error.code).toBe('gateway-bad-master-key');
    expect(result.json.error.message).toContain('no_db_connection');
    expect(result.all).not.toContain(wrong);
  });

  it('the key used by a request must be the master key here (any other gets no_db_connection)', async () => {
    const result = await responses('glm-5.3', 'sk-some-virtual-key-000000');
    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe('no_db_connection');
  });
});
