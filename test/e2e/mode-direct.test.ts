/**
 * Direct mode end to end (Codex -> Z.ai's own Responses endpoint, the fake's /api/v1), and switching
 * one machine local -> direct -> gateway -> local: each time `codex exec --profile glm` answers in a
 * new login shell and exactly the right processes run.
 */
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { isProcessAlive } from '../../src/system.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { bareCodex, CODEX_BIN, runCli, type Sandbox, sandbox } from '../helpers/cli.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { filesContaining } from '../helpers/tree.js';

// Ports: this file takes 27200-27499.
const ZAI_KEY = 'zai-direct-e2e.0123456789abcdef';
const USER_CONFIG = '# mine\nmodel = "o3"\n\n[projects."/srv/app"]\ntrust_level = "trusted"\n';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake?.close());

function shell(box: Sandbox, command: string) {
  return execa('bash', ['-lc', command], { cwd: box.home, env: box.env, extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
}

async function askCodex(box: Sandbox, reply: string) {
  fake.reply = reply;
  const before = fake.requests.length;
  try {
    const result = await shell(box, `${CODEX_BIN} exec --skip-git-repo-check --profile glm "Say it"`);
    return { ...result, upstream: fake.requests.slice(before) };
  } finally {
    fake.reply = 'OK';
  }
}

async function doctor(box: Sandbox) {
  const result = await runCli(box, ['doctor', '--json']);
  return { ...result, json: JSON.parse(result.stdout) as { checks: { id: string; status: string; message: string }[] } };
}

/** LiteLLM processes started for this sandbox (their command line names its state dir). */
async function proxiesOf(box: Sandbox): Promise<string[]> {
  const result = await execa('pgrep', ['-af', `${box.stateDir}/glm-bridge.yaml`], { reject: false });
  return result.stdout.split('\n').filter((line) => line.includes('litellm'));
}

describe('direct mode', () => {
  let box: Sandbox;
  let first: Awaited<ReturnType<typeof runCli>>;
  const args = () => ['--non-interactive', '--json', '--mode', 'direct', '--endpoint', fake.responsesBase, '--model', 'glm-5.2'];

  beforeAll(async () => {
    box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), USER_CONFIG);
    first = await runCli(box, args(), { env: { ZAI_API_KEY: ZAI_KEY } });
  });

  it('a fresh non-interactive setup validates against Z.ai\'s Responses endpoint and needs no Python or proxy', async () => {
    expect(first.exitCode, first.all).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(json).toMatchObject({ ok: true, mode: 'direct', provider: { id: 'glm-zai', baseUrl: fake.responsesBase } });
    expect(json.commands).toEqual([expect.stringMatching(/^check the model catalog with Codex/)]);
    expect(json.validation.map((v: { ok: boolean }) => v.ok)).toEqual([true, true]);
    expect(json.codexCheck).toMatchObject({ ok: true });
    expect(first.all).not.toMatch(/Python|LiteLLM/);
    await expect(stat(join(box.stateDir, 'glm-bridge.yaml'))).rejects.toThrow();
    expect(await proxiesOf(box)).toEqual([]);
  });

  it('a new login shell runs `codex --profile glm` straight against Z.ai\'s /responses', async () => {
    const result = await askCodex(box, 'Hello from Z.ai directly');
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toContain('Hello from Z.ai directly');
    expect(result.upstream.map((r) => r.path)).toEqual(['/api/v1/responses']);
    expect(result.upstream[0]!.authorization).toBe(`Bearer ${ZAI_KEY}`);
    expect(result.stderr).not.toMatch(/Model metadata/);
  });

  it('keeps the Z.ai key only in 0600 files, never in config.toml', async () => {
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).not.toContain(ZAI_KEY);
    const holders = await filesContaining(box.home, ZAI_KEY);
    expect(holders.map((h) => h.path)).toEqual(expect.arrayContaining(['.glm-codex/codex-env.sh', '.glm-codex/secrets.env']));
    for (const holder of holders) expect(`${holder.path} ${holder.mode.toString(8)}`).toMatch(/^\.glm-codex\/(codex-env\.(sh|fish)|secrets\.env) 600$/);
  });

  it('doctor is healthy', async () => {
    const result = await doctor(box);
    expect(result.exitCode, result.json.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.id}: ${c.message}`).join('\n')).toBe(0);
    expect(result.json.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['provider', 'catalog', 'validation']));
  });

  it.each([
    ['the catalog deleted', 'catalog', () => rm(join(box.stateDir, 'glm-models.json'))],
    ['the key file for shells deleted', 'codex-key', () => rm(join(box.stateDir, 'codex-env.sh'))],
    ['secrets.env readable by others', 'secrets', () => chmod(join(box.stateDir, 'secrets.env'), 0o644)],
    ['base_url pointed elsewhere', 'provider', async () => {
      const path = join(box.codexHome, 'config.toml');
      await writeFile(path, (await readFile(path, 'utf8')).replace(fake.responsesBase, 'https://example.invalid/api/v1'));
    }],
  ] as const)('%s: doctor names it, a re-run repairs it', async (_name, failId, breakIt) => {
    await breakIt();
    const sick = await doctor(box);
    expect(sick.exitCode).toBe(7);
    expect(sick.json.checks.filter((c) => c.status === 'FAIL').map((c) => c.id)).toContain(failId);
    const repair = await runCli(box, ['--non-interactive']);
    expect(repair.exitCode, repair.all).toBe(0);
    expect((await doctor(box)).exitCode).toBe(0);
  });

  it('Z.ai refusing the key: exit 6 with the bad-key diagnosis', async () => {
    const result = await runCli(box, args(), { env: { ZAI_API_KEY: 'zai-wrong-key.0000000000' } });
    expect(result.exitCode, result.all).toBe(6);
    // On this working setup the new key is checked before it replaces the stored one (issue 21 item 4).
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe('key-refused');
    expect(error.message).toContain('Z.ai rejected the API key');
    expect((await runCli(box, args(), { env: { ZAI_API_KEY: ZAI_KEY } })).exitCode).toBe(0);
  });

  it.each([
    ['no-balance', 'zai-no-balance-or-wrong-plan'],
    ['rate-limit', 'zai-rate-limited'],
  ] as const)('Z.ai answering %s on its Responses endpoint: exit 6 with the %s diagnosis', async (scenario, code) => {
    fake.scenario = scenario;
    try {
      const result = await runCli(box, args(), { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(result.exitCode, result.all).toBe(6);
      expect(JSON.parse(result.stdout).validation[0].diagnosis.code).toBe(code);
    } finally {
      fake.scenario = 'ok';
    }
  });

  it.each([
    ['1308', 'zai-window-spent', /Wait until \d{2}:\d{2}/],
    ['1310', 'zai-window-spent', /Wait until/],
    ['1309', 'zai-plan-expired', /Renew the plan/],
    ['1311', 'zai-model-not-in-plan', /Pick a model the plan includes/],
    ['1305', 'zai-overloaded', /Try again in a minute/],
  ] as const)('Z.ai refusing with %s: the validation (exit 6) and doctor name it, with Z.ai\'s words and the fix (a spent window: a WARN)', async (code, diagnosis, fix) => {
    fake.refusal = { code, resetsAt: new Date(Date.now() + 3_600_000) };
    try {
      const result = await runCli(box, args(), { env: { ZAI_API_KEY: ZAI_KEY } });
      expect(result.exitCode, result.all).toBe(6);
      const named = JSON.parse(result.stdout).validation[0].diagnosis;
      expect(named.code).toBe(diagnosis);
      expect(named.fix).toMatch(fix);
      const sick = await runCli(box, ['doctor', '--json']);
      const spent = diagnosis === 'zai-window-spent';
      expect(sick.exitCode).toBe(spent ? 0 : 7);
      const check = (JSON.parse(sick.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'validation');
      expect(check?.status).toBe(spent ? 'WARN' : 'FAIL');
      expect(`${check?.message} ${check?.fix ?? ''}`).toContain(`code ${code}`);
      expect(`${check?.message} ${check?.fix ?? ''}`).toMatch(fix);
    } finally {
      fake.refusal = null;
    }
  });

  it('--codex-auth command: a bare environment (no shell, no key variable) runs `codex --profile glm` against Z.ai', async () => {
    const setup = await runCli(box, [...args(), '--codex-auth', 'command'], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(setup.exitCode, setup.all).toBe(0);
    fake.reply = 'Hello from a bare environment';
    try {
      const bare = await bareCodex(box, 'Say it', 180_000);
      expect(bare.exitCode, bare.stderr.slice(-2000)).toBe(0);
      expect(bare.stdout).toContain('Hello from a bare environment');
    } finally {
      fake.reply = 'OK';
    }
    expect((await doctor(box)).json.checks.find((c) => c.id === 'auth-command')).toMatchObject({ status: 'PASS' });
  });

  it('uninstall gives config.toml back byte for byte', async () => {
    const result = await runCli(box, ['uninstall', '--non-interactive']);
    expect(result.exitCode, result.all).toBe(0);
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe(USER_CONFIG);
    await expect(stat(join(box.stateDir, 'app'))).rejects.toThrow();
  });
});

describe('switching modes on one machine: local -> direct -> gateway -> local', () => {
  let box: Sandbox;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    gateway = await startTestGateway({ box: await sandbox(), fake, zaiKey: ZAI_KEY, venv: latestVenv(), portFrom: 27300 });
    box = await proxySandbox(latestVenv());
    await writeFile(join(box.codexHome, 'config.toml'), USER_CONFIG);
    port = await findFreePort(27200);
  });
  afterAll(async () => gateway?.stop());

  const pidOf = async () => JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')).pid as number;
  const providers = async () => [...(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).matchAll(/^\[model_providers\.([^\]]+)\]$/gm)].map((m) => m[1]);

  it('each mode answers, and only local runs a proxy', async () => {
    const local = await runCli(box, ['--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(local.exitCode, local.all).toBe(0);
    const localPid = await pidOf();
    expect(isProcessAlive(localPid)).toBe(true);
    expect((await askCodex(box, 'local answers')).stdout).toContain('local answers');
    expect(await providers()).toEqual(['glm-litellm']);

    const direct = await runCli(box, ['--non-interactive', '--mode', 'direct', '--endpoint', fake.responsesBase]);
    expect(direct.exitCode, direct.all).toBe(0);
    expect(direct.all).toContain(`Stopped the proxy (pid ${localPid})`);
    expect(isProcessAlive(localPid)).toBe(false);
    expect(await proxiesOf(box)).toEqual([]);
    const viaDirect = await askCodex(box, 'direct answers');
    expect(viaDirect.stdout).toContain('direct answers');
    expect(viaDirect.upstream.map((r) => r.path)).toEqual(['/api/v1/responses']);
    expect(await providers()).toEqual(['glm-zai']);

    const viaGatewaySetup = await runCli(box, ['--non-interactive', '--mode', 'gateway', '--gateway-url', gateway.url], { env: { GLM_CODEX_GATEWAY_KEY: gateway.masterKey } });
    expect(viaGatewaySetup.exitCode, viaGatewaySetup.all).toBe(0);
    expect(await proxiesOf(box)).toEqual([]);
    expect((await askCodex(box, 'gateway answers')).stdout).toContain('gateway answers');
    expect(await providers()).toEqual(['glm-gateway']);
    expect(parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets).toEqual({ GLM_CODEX_GATEWAY_KEY: gateway.masterKey });

    const back = await runCli(box, ['--non-interactive', '--mode', 'local', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(back.exitCode, back.all).toBe(0);
    expect(await proxiesOf(box)).toHaveLength(1);
    expect(isProcessAlive(await pidOf())).toBe(true);
    expect((await askCodex(box, 'local again')).stdout).toContain('local again');
    expect(await providers()).toEqual(['glm-litellm']);

    const uninstall = await runCli(box, ['uninstall', '--non-interactive']);
    expect(uninstall.exitCode, uninstall.all).toBe(0);
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe(USER_CONFIG);
    expect(await proxiesOf(box)).toEqual([]);
  });
});
