/**
 * A team gateway in miniature: the real LiteLLM proxy (prepared venv) loading the config.yaml that
 * `gateway init` writes, WITHOUT a database (its database mode cannot start here), in front of the
 * fake Z.ai. Without a database its master key is the only key it accepts: it stands in for a
 * developer's virtual key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { parseEnvFile } from '../../src/gateway/bundle.js';
import { findFreePort } from '../../src/runtime/ports.js';
import type { FakeZai } from '../fake-zai/server.js';
import { runCli, type Sandbox } from './cli.js';
import { venvBin } from './litellm.js';
import { tempDir } from './tmp.js';

export interface TestGateway {
  url: string;
  port: number;
  masterKey: string;
  bundle: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startTestGateway(input: { box: Sandbox; fake: FakeZai; zaiKey: string; venv: string; portFrom: number }): Promise<TestGateway> {
  const { box, fake, zaiKey, venv } = input;
  const bundle = join(box.home, 'glm-gateway');
  const init = await runCli(box, ['gateway', 'init', bundle, '--endpoint', fake.generalBase]);
  if (init.exitCode !== 0) throw new Error(`gateway init failed:\n${init.all}`);
  const masterKey = parseEnvFile(await readFile(join(bundle, '.env'), 'utf8')).get('LITELLM_MASTER_KEY')!;
  const port = await findFreePort(input.portFrom);
  // Not from the bundle folder: LiteLLM loads ./.env, whose DATABASE_URL would switch on database mode.
  const cwd = await tempDir('glm-gateway-cwd-');
  let log = '';
  const child: ChildProcess = spawn(join(venvBin(venv), 'litellm'), ['--config', join(bundle, 'config.yaml'), '--host', '127.0.0.1', '--port', String(port)], {
    cwd,
    env: { PATH: `${venvBin(venv)}:/usr/bin:/bin`, HOME: box.home, LITELLM_MASTER_KEY: masterKey, ZAI_API_KEY: zaiKey, LITELLM_LOCAL_MODEL_COST_MAP: 'True', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (log += String(chunk)));
  child.stderr!.on('data', (chunk) => (log += String(chunk)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway's LiteLLM exited (${child.exitCode}):\n${log.slice(-3000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the gateway's LiteLLM did not get ready:\n${log.slice(-3000)}`);
    }
    try {
      const response = await request(`http://127.0.0.1:${port}/health/readiness`, { headersTimeout: 2000, bodyTimeout: 2000 });
      await response.body.dump();
      if (response.statusCode === 200) break;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url: `http://127.0.0.1:${port}`, port, masterKey, bundle, log: () => log, stop };
}
