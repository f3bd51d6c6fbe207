/**
 * Gateway mode end to end: a team's LiteLLM (real, without a database: its master key stands in for
 * a virtual key) in front of the fake Z.ai; the CLI; the real Codex. Nothing of LiteLLM runs on the
 * developer's side.
 */
import { readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { bareCodex, CODEX_BIN, runCli, type Sandbox, sandbox } from '../helpers/cli.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { latestVenv } from '../helpers/litellm.js';
import { filesContaining } from '../helpers/tree.js';

// Ports: this file takes 27000-27199.
const ZAI_KEY = 'zai-gateway-upstream.0123456789abcdef';
const USER_CONFIG = '# my settings\nmodel = "o3"\n\n[mcp_servers.docs]\ncommand = "docs-server"\n';
let fake: FakeZai;
let operator: Sandbox;
let box: Sandbox;
let gateway: TestGateway;
let first: Awaited<ReturnType<typeof runCli>>;

const setupArgs = () => ['--non-interactive', '--json', '--mode', 'gateway', '--gateway-url', gateway.url, '--model', 'glm-5.2'];

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  operator = await sandbox();
  gateway = await startTestGateway({ box: operator, fake, zaiKey: ZAI_KEY, venv: latestVenv(), portFrom: 27000 });
  // The developer's machine: Codex on PATH, no LiteLLM anywhere.
  box = await sandbox();
  await writeFile(join(box.codexHome, 'config.toml'), USER_CONFIG);
  first = await runCli(box, setupArgs(), { env: { GLM_CODEX_GATEWAY_KEY: gateway.masterKey } });
});
afterAll(async () => {
  await gateway?.stop();
  await fake?.close();
});

function shell(command: string, env: Record<string, string> = {}) {
  return execa('bash', ['-lc', command], { cwd: box.home, env: { ...box.env, ...env }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
}

async function doctor() {
  const result = await runCli(box, ['doctor', '--json']);
  return { ...result, json: JSON.parse(result.stdout) as { healthy: boolean; checks: { id: string; status: string; message: string }[] } };
}

describe('gateway mode', () => {
  it('a fresh non-interactive setup validates against the gateway and Codex answers through it', async () => {
    expect(first.exitCode, first.all).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(json).toMatchObject({ ok: true, mode: 'gateway', provider: { id: 'glm-gateway', baseUrl: `${gateway.url}/v1` } });
    expect(json.validation.map((v: { ok: boolean }) => v.ok)).toEqual([true, true]);
    expect(json.codexCheck).toMatchObject({ ok: true });
    // No install and no proxy: the only command is Codex checking the model catalog.
    expect(json.commands).toEqual([expect.stringMatching(/^check the model catalog with Codex/)]);
    const config = await readFile(join(box.codexHome, 'config.toml'), 'utf8');
    expect(config.startsWith(USER_CONFIG)).toBe(true);
    expect(config).toContain(`[model_providers.glm-gateway]`);
    expect(config).not.toContain(gateway.masterKey);
  });

  it('a new login shell runs `codex --profile glm` through the gateway, which reached Z.ai with the model', async () => {
    fake.reply = 'Hello through the gateway';
    const before = fake.requests.length;
    try {
      const result = await shell(`${CODEX_BIN} exec --skip-git-repo-check --profile glm "Say hello"`);
      expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
      expect(result.stdout).toContain('Hello through the gateway');
      const upstream = fake.requests.slice(before).find((r) => r.path.endsWith('/chat/completions'));
      expect(upstream?.body?.model).toBe('glm-5.2');
      expect(upstream?.authorization).toBe(`Bearer ${ZAI_KEY}`);
    } finally {
      fake.reply = 'OK';
    }
  });

  it('starts no LiteLLM and keeps the key only in 0600 files', async () => {
    await expect(stat(join(box.stateDir, 'proxy.pid'))).rejects.toThrow();
    await expect(stat(join(box.stateDir, 'glm-bridge.yaml'))).rejects.toThrow();
    const pgrep = await execa('pgrep', ['-f', box.home], { reject: false });
    expect(pgrep.stdout.trim(), 'no process runs from the developer\'s HOME').toBe('');
    const holders = await filesContaining(box.home, gateway.masterKey);
    expect(holders.length).toBeGreaterThan(0);
    for (const holder of holders) expect(`${holder.path} ${holder.mode.toString(8)}`).toBe(`${holder.path} 600`);
  });

  it('doctor is healthy; a re-run changes nothing', async () => {
    const healthy = await doctor();
    expect(healthy.exitCode, healthy.json.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.id}: ${c.message}`).join('\n')).toBe(0);
    expect(healthy.json.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['provider', 'profile', 'secrets', 'codex-key', 'plan', 'validation']));
    const again = await runCli(box, setupArgs());
    expect(again.exitCode, again.all).toBe(0);
    expect(JSON.parse(again.stdout).changes).toEqual([]);
  });

  it.each([
    ['the provider table removed', 'provider', async () => {
      const path = join(box.codexHome, 'config.toml');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.slice(0, text.indexOf('\n[model_providers.glm-gateway]')));
    }],
    ['the key file for shells deleted', 'codex-key', () => rm(join(box.stateDir, 'codex-env.sh'))],
    ['secrets.env readable by others', 'secrets', () => chmod(join(box.stateDir, 'secrets.env'), 0o644)],
    ['the profile file deleted', 'profile', () => rm(join(box.codexHome, 'glm.config.toml'))],
  ] as const)('%s: doctor names it, a re-run repairs it', async (_name, failId, breakIt) => {
    await breakIt();
    const sick = await doctor();
    expect(sick.exitCode).toBe(7);
    expect(sick.json.checks.filter((c) => c.status === 'FAIL').map((c) => c.id)).toContain(failId);
    const repair = await runCli(box, ['--non-interactive']);
    expect(repair.exitCode, repair.all).toBe(0);
    expect((await doctor()).exitCode).toBe(0);
  });

  it('a key the gateway does not accept: exit 6 with the gateway diagnosis, nothing of the old setup lost', async () => {
    const result = await runCli(box, setupArgs(), { env: { GLM_CODEX_GATEWAY_KEY: 'sk-not-a-key-of-this-gateway' } });
    expect(result.exitCode, result.all).toBe(6);
    const json = JSON.parse(result.stdout);
    // This gateway has no database: LiteLLM answers no_db_connection to every key but its master key.
    expect(json.validation[0].diagnosis.code).toBe('gateway-no-database');
    expect(result.all).not.toContain('sk-not-a-key-of-this-gateway');
    const repair = await runCli(box, ['--non-interactive'], { env: { GLM_CODEX_GATEWAY_KEY: gateway.masterKey } });
    expect(repair.exitCode, repair.all).toBe(0);
  });

  it('--codex-auth command: a bare environment runs `codex --profile glm` through the gateway', async () => {
    const setup = await runCli(box, [...setupArgs(), '--codex-auth', 'command'], { env: { GLM_CODEX_GATEWAY_KEY: gateway.masterKey } });
    expect(setup.exitCode, setup.all).toBe(0);
    const bare = await bareCodex(box, 'Reply with OK', 180_000);
    expect(bare.exitCode, bare.stderr.slice(-2000)).toBe(0);
    expect(bare.stdout).toContain('OK');
  });

  it('uninstall gives config.toml back byte for byte', async () => {
    const result = await runCli(box, ['uninstall', '--non-interactive']);
    expect(result.exitCode, result.all).toBe(0);
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe(USER_CONFIG);
    await expect(stat(join(box.codexHome, 'glm.config.toml'))).rejects.toThrow();
  });
});
