/**
 * Every diagnosis produced by a real failure: a real LiteLLM proxy in front of the fake Z.ai,
 * switched to each failure class, and the validation request's verdict checked.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooksSource } from '../../src/config/bridge-hooks.js';
import { planBridgeYaml } from '../../src/config/bridge-yaml.js';
import { generateMasterKey } from '../../src/config/secrets.js';
import { resolvePaths, type Paths } from '../../src/paths.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { configHash, startProxy, stopProxy, type PidRecord } from '../../src/runtime/proxy.js';
import { validateProxy, waitForReady } from '../../src/verify/validate.js';
import type { DiagnosisCode } from '../../src/verify/diagnose.js';
import { startFakeZai, type FakeZai, type FakeZaiScenario } from '../fake-zai/server.js';
import { latestVenv, litellmVenvs } from '../helpers/litellm.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-test-key.0123456789abcdef';

interface RunningProxy {
  paths: Paths;
  record: PidRecord;
  port: number;
  masterKey: string;
}

/** One proxy, several models: each on the endpoint that makes it fail one way. */
interface BridgeModel {
  model: string;
  apiBase: string;
}

async function runProxy(venv: string, models: BridgeModel[]): Promise<RunningProxy> {
  const home = await tempDir('glm-diag-');
  const paths = resolvePaths({ codexHome: join(home, '.codex'), stateDir: join(home, '.glm-codex') });
  await mkdir(paths.stateDir, { recursive: true });
  let yaml: string | null = null;
  for (const entry of models) yaml = planBridgeYaml(yaml, paths.bridgeConfig, entry);
  await writeFile(paths.bridgeConfig, yaml!);
  await writeFile(paths.bridgeHooks, hooksSource());
  const masterKey = generateMasterKey();
  const port = await findFreePort(22000 + Math.floor(Math.random() * 900));
  const launcher = [join(venv, 'bin', 'litellm')];
  const secrets = { ZAI_API_KEY: ZAI_KEY, LITELLM_MASTER_KEY: masterKey };
  const record = await startProxy({ paths, launcher, port, secrets, hash: configHash('', secrets, launcher) });
  await waitForReady(port, { timeoutMs: 180_000 });
  return { paths, record, port, masterKey };
}

let fake: FakeZai;
/** A second Z.ai that expects another key: the proxy's key is a bad one there (a real key check, 401 1002). */
let otherAccount: FakeZai;
let proxy: RunningProxy;
const others: RunningProxy[] = [];

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  otherAccount = await startFakeZai({ apiKey: 'zai-another-account.0123456789' });
  const closed = await findFreePort(22970);
  proxy = await runProxy(latestVenv(), [
    { model: 'glm-5.2', apiBase: fake.codingBase },
    // Z.ai does not know it (1211).
    { model: 'glm-9', apiBase: fake.codingBase },
    // The proxy's Z.ai key is not this account's.
    { model: 'glm-5.1', apiBase: otherAccount.codingBase },
    // Nothing listens there.
    { model: 'glm-4.6', apiBase: `http://127.0.0.1:${closed}/api/paas/v4` },
  ]);
});
afterAll(async () => {
  for (const p of [proxy, ...others]) if (p) await stopProxy(p.paths, p.record);
  await fake.close();
  await otherAccount?.close();
});

async function check(options: { scenario?: FakeZaiScenario; model?: string; masterKey?: string; port?: number; timeoutMs?: number; target?: RunningProxy }, mode: 'non-streaming' | 'streaming' = 'non-streaming') {
  fake.scenario = options.scenario ?? 'ok';
  const target = options.target ?? proxy;
  try {
    return await validateProxy(
      {
        port: options.port ?? target.port,
        masterKey: options.masterKey ?? target.masterKey,
        model: options.model ?? 'glm-5.2',
        apiBase: fake.codingBase,
        timeoutMs: options.timeoutMs ?? 60_000,
      },
      mode,
    );
  } finally {
    fake.scenario = 'ok';
  }
}

describe('validation through the real proxy', () => {
  it('succeeds, streaming and not, and shows the reply and the round trip', async () => {
    for (const mode of ['non-streaming', 'streaming'] as const) {
      const result = await check({}, mode);
      expect(result).toMatchObject({ ok: true, reply: 'OK', status: 200, diagnosis: null, mode });
      expect(result.roundTripMs).toBeGreaterThan(0);
    }
  });

  const cases: [string, Parameters<typeof check>[0], DiagnosisCode, ('non-streaming' | 'streaming')?][] = [
    ['a wrong proxy key (no database: 400 no_db_connection)', { masterKey: 'sk-not-the-right-key' }, 'proxy-key-mismatch'],
    ['an unknown model alias', { model: 'glm-not-in-yaml' }, 'unknown-model-alias'],
    ['no balance, or a key for the other plan (1113)', { scenario: 'no-balance' }, 'zai-no-balance-or-wrong-plan'],
    ['rate limiting (1302)', { scenario: 'rate-limit' }, 'zai-rate-limited'],
    ['no permission for the model (1220)', { scenario: 'no-permission' }, 'zai-no-permission'],
    ['an upstream 5xx', { scenario: 'server-error' }, 'upstream-server-error'],
    ['an error event in the middle of a stream', { scenario: 'stream-error' }, 'stream-error', 'streaming'],
    ['an upstream that never answers', { scenario: 'hang', timeoutMs: 4000 }, 'timeout'],
  ];
  for (const [name, options, code, mode] of cases) {
    it(`diagnoses ${name}`, async () => {
      const result = await check(options, mode);
      expect(result.ok).toBe(false);
      expect(result.diagnosis?.code, JSON.stringify(result.diagnosis)).toBe(code);
      expect(result.diagnosis?.fix).toBeTruthy();
      expect(JSON.stringify(result)).not.toContain(ZAI_KEY);
    });
  }

  it('diagnoses a proxy that is not running', async () => {
    const closed = await findFreePort(22950);
    const result = await check({ port: closed });
    expect(result.diagnosis?.code).toBe('proxy-not-running');
  });

  it('diagnoses a bad Z.ai key (401, code 1002)', async () => {
    const before = otherAccount.requests.length;
    const result = await check({ model: 'glm-5.1' });
    expect(result.diagnosis?.code, JSON.stringify(result.diagnosis)).toBe('zai-bad-key');
    expect(otherAccount.requests.length).toBeGreaterThan(before);
    expect(JSON.stringify(result)).not.toContain(ZAI_KEY);
  });

  it('diagnoses a model Z.ai does not know (1211)', async () => {
    const result = await check({ model: 'glm-9' });
    expect(result.diagnosis?.code, JSON.stringify(result.diagnosis)).toBe('zai-unknown-model');
  });

  it('diagnoses an unreachable endpoint', async () => {
    const result = await check({ model: 'glm-4.6' });
    expect(result.diagnosis?.code, JSON.stringify(result.diagnosis)).toBe('upstream-unreachable');
  });

  it('diagnoses a LiteLLM that does not bridge (1.83.13 with the flag config posts to /responses)', async () => {
    const venv = litellmVenvs().get('1.83.13');
    expect(venv, 'the 1.83.13 venv from scripts/test.sh').toBeDefined();
    const target = await runProxy(venv!, [{ model: 'glm-5.2', apiBase: fake.codingBase }]);
    others.push(target);
    const result = await check({ target });
    expect(result.diagnosis?.code, JSON.stringify(result.diagnosis)).toBe('not-bridging');
    expect(fake.requests.some((r) => r.path === '/api/coding/paas/v4/responses')).toBe(true);
  });
});
