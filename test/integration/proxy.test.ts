/**
 * The real LiteLLM proxy (from the prepared venv) between the CLI and the fake Z.ai upstream:
 * success, reuse, restart on config change, stop, stale pid, port conflicts, loopback only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { runCli, runCliJson, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const ZAI_KEY = 'zai-test-key.0123456789abcdef';
let fake: FakeZai;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY, reasoning: 'Thinking about it.' });
});
afterAll(async () => fake.close());

function setup(box: Sandbox, extra: string[] = []) {
  return runCliJson(box, ['--non-interactive', '--endpoint', fake.codingBase, ...extra], { env: { ZAI_API_KEY: ZAI_KEY } });
}

/** The address LiteLLM listens on, from /proc/net/tcp: proves it is loopback only. */
async function listenAddress(port: number): Promise<string | null> {
  const text = await readFile('/proc/net/tcp', 'utf8');
  for (const line of text.split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state === '0A' && local && Number.parseInt(local.split(':')[1]!, 16) === port) return local.split(':')[0]!;
  }
  return null;
}

describe('setup with the real proxy', () => {
  let box: Sandbox;
  let port: number;

  beforeAll(async () => {
    box = await proxySandbox(latestVenv());
    port = await findFreePort(21000);
  });

  it('starts the proxy on loopback, validates, and the upstream got Chat Completions with the Z.ai key', async () => {
    const before = fake.requests.length;
    const result = await setup(box, ['--port', String(port)]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.ok).toBe(true);
    expect(result.json.proxy).toMatchObject({ port, action: 'started' });
    expect(result.json.validation).toHaveLength(2);
    for (const v of result.json.validation) expect(v).toMatchObject({ ok: true, reply: 'OK' });

    const received = fake.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
    expect(received.length).toBeGreaterThanOrEqual(2);
    for (const r of received) {
      expect(r.path).toBe('/api/coding/paas/v4/chat/completions');
      expect(r.authorization).toBe(`Bearer ${ZAI_KEY}`);
      expect(r.body?.model).toBe('glm-5.2');
      expect(JSON.stringify(r.body?.messages)).toContain('Reply with OK');
    }
    expect(received.some((r) => r.body?.stream === true)).toBe(true);
    expect(fake.requests.slice(before).some((r) => r.path.endsWith('/responses'))).toBe(false);

    expect(await listenAddress(port)).toBe('0100007F');
    const pid = JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')) as { command: string[]; port: number };
    expect(pid.port).toBe(port);
    expect(pid.command).toEqual(expect.arrayContaining(['--host', '127.0.0.1', '--port', String(port)]));
    // Secrets reach the proxy through its environment, never its command line.
    const secrets = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets;
    expect(pid.command.join(' ')).not.toContain(secrets.LITELLM_MASTER_KEY!);
    expect(pid.command.join(' ')).not.toContain(ZAI_KEY);
    expect(result.all).not.toContain(ZAI_KEY);
    expect(result.all).not.toContain(secrets.LITELLM_MASTER_KEY!);
  });

  it('a re-run reuses the running proxy and writes nothing', async () => {
    const result = await setup(box, ['--port', String(port)]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.written).toEqual([]);
    expect(result.json.proxy).toMatchObject({ action: 'reused', port });
  });

  it('restarts the proxy when its configuration changes', async () => {
    const before = fake.requests.length;
    const result = await setup(box, ['--port', String(port), '--model', 'glm-5.1']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.proxy).toMatchObject({ action: 'restarted', port });
    expect(fake.requests.slice(before).some((r) => r.body?.model === 'glm-5.1')).toBe(true);
    const bridge = parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8')) as { model_list: { model_name: string }[] };
    expect(bridge.model_list.map((m) => m.model_name)).toEqual(['glm-5.2', 'glm-5.1']);
  });

  it('moves the proxy when the port changes, and base_url follows', async () => {
    const newPort = await findFreePort(port + 1);
    const result = await setup(box, ['--port', String(newPort), '--model', 'glm-5.1']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.proxy).toMatchObject({ action: 'restarted', port: newPort });
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toContain(`base_url = "http://127.0.0.1:${newPort}/v1"`);
    expect(await listenAddress(port)).toBeNull();
    port = newPort;
  });

  it('status, stop, and a stale pid file; start brings the proxy back with the written configuration', async () => {
    const status = await runCli(box, ['status', '--json']);
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, port });
    const { pid } = JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')) as { pid: number };

    const stop = await runCli(box, ['stop']);
    expect(stop.exitCode).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await listenAddress(port)).toBeNull();
    const stopped = await runCli(box, ['status', '--json']);
    expect(stopped.exitCode).toBe(7);

    // A pid file whose process is gone (or whose pid now belongs to another program) is not trusted.
    await writeFile(join(box.stateDir, 'proxy.pid'), JSON.stringify({ pid: process.pid, port, startedAt: '2026-01-01T00:00:00Z', configHash: 'x', command: [] }));
    const stale = await runCli(box, ['status', '--json']);
    expect(stale.exitCode).toBe(7);
    expect(stale.all).toMatch(/stale/);
    // `start` (what a user types after `stop`) passes it by: this process is not signalled, ours starts.
    const start = await runCli(box, ['start', '--json']);
    expect(start.exitCode, start.all).toBe(0);
    expect(JSON.parse(start.stdout).proxy).toMatchObject({ action: 'started', port });
    const bridge = parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8')) as { model_list: { model_name: string }[] };
    expect(bridge.model_list.map((m) => m.model_name)).toEqual(['glm-5.2', 'glm-5.1']);
    // The one it started serves the written configuration's model.
    const secrets = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets;
    const answer = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.LITELLM_MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'glm-5.1', messages: [{ role: 'user', content: 'Reply with OK' }] }),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
  });
});

describe('port conflicts', () => {
  let foreign: Server;
  let busyPort: number;

  beforeAll(async () => {
    busyPort = await findFreePort(21500);
    foreign = createServer();
    await new Promise<void>((resolve) => foreign.listen(busyPort, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => foreign.close(() => resolve())));

  it('a foreign listener on the port: non-interactive setup fails naming the process, writes nothing to Codex', async () => {
    const box = await proxySandbox(latestVenv());
    const result = await setup(box, ['--port', String(busyPort)]);
    expect(result.exitCode).toBe(5);
    expect(result.all).toMatch(new RegExp(`Port ${busyPort} on 127.0.0.1 is in use by .*node.*\\(pid ${process.pid}\\)`));
    expect(result.all).toMatch(/--port \d+/);
    await expect(readFile(join(box.codexHome, 'config.toml'), 'utf8')).rejects.toThrow();
  });
});
