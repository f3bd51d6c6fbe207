/**
 * Every network step has a total deadline: an upstream that trickles one chunk now and then (so no
 * idle timeout ever fires) ends the streaming validation with exit 6 and the `timeout` diagnosis.
 * Real LiteLLM proxy, fake Z.ai; the deadline is shortened through GLM_CODEX_VALIDATION_TIMEOUT_MS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { runCliJson } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const ZAI_KEY = 'zai-deadline-key.0123456789abcdef';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY, trickleMs: 500 });
});
afterAll(async () => fake.close());

describe('validation deadline', () => {
  it('a trickling stream ends the run with exit 6 and the timeout diagnosis', async () => {
    const box = await proxySandbox(latestVenv(), { codexOnPath: false });
    const port = await findFreePort(30900);
    fake.scenario = 'trickle';
    const result = await runCliJson(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)], {
      env: { ZAI_API_KEY: ZAI_KEY, GLM_CODEX_VALIDATION_TIMEOUT_MS: '5000' },
    });
    expect(result.exitCode, result.all).toBe(6);
    expect(result.json.validation[0]).toMatchObject({ mode: 'non-streaming', ok: true });
    expect(result.json.validation[1]).toMatchObject({ mode: 'streaming', ok: false, diagnosis: { code: 'timeout' } });
    // The stream really was trickling (chunks kept coming), not refused.
    expect(fake.requests.some((r) => r.body?.stream === true)).toBe(true);
  });
});
