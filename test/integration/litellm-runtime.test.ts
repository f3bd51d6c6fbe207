/**
 * Finding and installing LiteLLM for real: the version matrix (each release with the bridge route
 * the tool picks for it), a fresh install into the state dir's venv, a compromised release that is
 * never run, and a missing Python.
 */
import { execFileSync } from 'node:child_process';
import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSecrets } from '../../src/config/secrets.js';
import { TESTED_LITELLM } from '../../src/runtime/litellm-versions.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { runCli, runCliJson, sandbox, type Sandbox } from '../helpers/cli.js';
import { latestVenv, litellmVenvs, venvBin } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-test-key.0123456789abcdef';
let fake: FakeZai;
const stopAfter: Sandbox[] = [];

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => {
  await Promise.all(stopAfter.map((box) => runCli(box, ['stop'])));
  await fake.close();
});

/**
 * The bridge's callbacks (glm_codex_hooks.py) on this release: a spent window becomes Codex's
 * usage_limit_reached with the reset instant and Z.ai's words in a header, a bad key a 400 every time
 * (no cooldown turning it into LiteLLM's own 429), one upstream request each; a normal answer carries
 * GLM's windows as Codex's rate-limit headers.
 */
async function expectRefusalsInCodexShape(box: Sandbox, port: number): Promise<void> {
  const masterKey = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
  const send = async () => {
    const before = fake.requests.length;
    const answer = await fetch(`http://127.0.0.1:${port}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'glm-5.2', input: 'hi', stream: true }),
    });
    const text = await answer.text();
    return { status: answer.status, headers: answer.headers, text, upstream: fake.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions')).length };
  };
  const resetsAt = new Date(Math.floor(Date.now() / 1000 + 7200) * 1000);
  fake.refusal = { code: '1308', resetsAt };
  try {
    const spent = await send();
    expect(spent.status, spent.text).toBe(429);
    expect(JSON.parse(spent.text).error).toMatchObject({ type: 'usage_limit_reached', resets_at: resetsAt.getTime() / 1000 });
    expect(spent.headers.get('x-codex-promo-message')).toContain('Z.ai 1308: Usage limit reached for 5 hour');
    expect(spent.upstream).toBe(1);
    fake.refusal = { code: '1002' };
    for (let attempt = 0; attempt < 3; attempt++) {
      const key = await send();
      expect(key.status, key.text).toBe(400);
      expect(JSON.parse(key.text).error.message).toContain('Z.ai 1002: Authorization Token');
      expect(key.upstream).toBe(1);
    }
  } finally {
    fake.refusal = null;
  }
  const ok = await send();
  expect(ok.status, ok.text).toBe(200);
  expect(ok.headers.get('x-codex-primary-used-percent')).toBe('42');
  expect(ok.headers.get('x-codex-secondary-used-percent')).toBe('17');
}

function setup(box: Sandbox, extra: string[], env: Record<string, string> = {}) {
  return runCliJson(box, ['--non-interactive', '--endpoint', fake.codingBase, ...extra], { env: { ZAI_API_KEY: ZAI_KEY, ...env } });
}

/**
 * uv's cache of the test venvs (scripts/test.sh builds them with it, beside GLM_TEST_UV): the wheels are
 * unpacked once, not again into each test HOME's empty ~/.cache/uv (measured: 78 s cold, 46 s warm).
 */
const uvCache: Record<string, string> = process.env.GLM_TEST_UV ? { UV_CACHE_DIR: `${dirname(dirname(process.env.GLM_TEST_UV))}-cache` } : {};

describe('the LiteLLM version matrix', () => {
  const venvs = litellmVenvs();
  it("has the guide's floor, the first release with a bridge, the last and first around use_chat_completions_api, and the newest", () => {
    expect([...venvs.keys()].sort()).toEqual(['1.108.7', '1.63.8', '1.67.0', '1.83.13', '1.83.14']);
  });

  for (const version of ['1.83.14', '1.108.7']) {
    it(`LiteLLM ${version} bridges: validation and a real codex exec pass through it`, async () => {
      const box = await proxySandbox(venvs.get(version)!);
      const port = await findFreePort(23000 + (version === '1.83.14' ? 0 : 50));
      const result = await setup(box, ['--port', String(port)]);
      if (result.json.codexCheck?.ok === false) {
        console.error(`proxy log of LiteLLM ${version}:\n${(await readFile(join(box.stateDir, 'proxy.log'), 'utf8')).split('\n').slice(-40).join('\n')}`);
      }
      expect(result.exitCode, result.all).toBe(0);
      expect(result.json.proxy.litellmVersion).toBe(version);
      const bridge = parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8'));
      expect(bridge.model_list[0].litellm_params).toMatchObject({ model: 'openai/glm-5.2', use_chat_completions_api: true });
      for (const v of result.json.validation) expect(v).toMatchObject({ ok: true, reply: 'OK' });
      // The real Codex went through this release too (it sends `reasoning`, tools, client_metadata).
      expect(result.json.codexCheck).toMatchObject({ ok: true });
      await expectRefusalsInCodexShape(box, port);
      await runCli(box, ['stop']);
    });
  }

  it('LiteLLM 1.63.8, 1.67.0 and 1.83.13 do not bridge Codex: each is reported too old and a newer one serves', async () => {
    // Each old release in turn is first on PATH; --python points at a Python with a LiteLLM that bridges.
    const older = ['1.63.8', '1.67.0', '1.83.13'];
    const box = await proxySandbox(venvs.get(older[0]!)!);
    const port = await findFreePort(23200);
    let onPath = venvBin(venvs.get(older[0]!)!);
    for (const version of older) {
      box.env.PATH = box.env.PATH!.replace(onPath, venvBin(venvs.get(version)!));
      onPath = venvBin(venvs.get(version)!);
      const result = await setup(box, ['--port', String(port), '--python', join(latestVenv(), 'bin', 'python')]);
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toMatch(new RegExp(`LiteLLM ${version.replace(/\./g, '\\.')} \\(path\\): too old to bridge Codex`));
      expect(result.json.proxy.litellmVersion).toBe('1.108.7');
      // The first run started the newer one and the real Codex answered through it; the next ones keep it.
      if (version === older[0]) expect(result.json.codexCheck).toMatchObject({ ok: true });
      else expect(result.json.proxy.action).toBe('reused');
      // The choice is remembered: start and doctor find the same LiteLLM without --python.
      expect((await runCli(box, ['doctor'])).exitCode).toBe(0);
    }
    await runCli(box, ['stop']);
  });
});

describe('installing LiteLLM', () => {
  it('installs a bridging LiteLLM into the state dir venv when none is found, then validates', async () => {
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const box = await sandbox();
    stopAfter.push(box);
    const port = await findFreePort(23600);
    const result = await setup(box, ['--port', String(port), '--python', python], uvCache);
    expect(result.exitCode, result.all.slice(-3000)).toBe(0);
    // Exactly the tested release, and the disk it takes said before the install.
    expect(result.all).toMatch(new RegExp(`installing LiteLLM ${TESTED_LITELLM.replace(/\./g, '\\.')} into .*\\(about \\d+ MB of disk\\)`));
    await access(join(box.stateDir, 'venv', '.glm-codex-complete'));
    expect(result.json.proxy.litellmVersion).toBe(TESTED_LITELLM);
    for (const v of result.json.validation) expect(v).toMatchObject({ ok: true });

    // A second run finds the venv and installs nothing.
    const again = await setup(box, ['--port', String(port), '--python', python]);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.all).not.toMatch(/installing LiteLLM/);
    expect(again.json.proxy.action).toBe('reused');

    // The venv broken by hand (its LiteLLM deleted): doctor names it, setup reinstalls, doctor passes.
    const site = execFileSync(join(box.stateDir, 'venv', 'bin', 'python'), ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).trim();
    await rm(join(site, 'litellm'), { recursive: true, force: true });
    await rm(join(site, (await readdir(site)).find((name) => /^litellm-\d.*\.dist-info$/.test(name))!), { recursive: true, force: true });
    const sick = await runCli(box, ['doctor', '--json']);
    expect(sick.exitCode).toBe(7);
    expect(JSON.parse(sick.stdout).checks.filter((c: { status: string }) => c.status === 'FAIL').map((c: { id: string }) => c.id)).toContain('litellm');
    const repaired = await setup(box, ['--port', String(port), '--python', python], uvCache);
    expect(repaired.exitCode, repaired.all.slice(-3000)).toBe(0);
    expect(repaired.all).toMatch(/installing LiteLLM/);
    expect((await runCli(box, ['doctor'])).exitCode).toBe(0);

    // --litellm-version: a healthy venv of another release is replaced by the one asked for, which then serves.
    const chosen = await setup(box, ['--port', String(port), '--python', python, '--litellm-version', '1.83.14'], uvCache);
    expect(chosen.exitCode, chosen.all.slice(-3000)).toBe(0);
    expect(chosen.all).toMatch(/installing LiteLLM 1\.83\.14 into/);
    expect(chosen.json.proxy.litellmVersion).toBe('1.83.14');
    for (const v of chosen.json.validation) expect(v).toMatchObject({ ok: true });
  }, 1_500_000);

  it('exits 3 with the install command when no Python can be found', async () => {
    const box = await sandbox();
    const result = await setup(box, ['--python', '/nonexistent/python3']);
    expect(result.exitCode).toBe(3);
    expect(result.all).toMatch(/--python \/nonexistent\/python3 does not run/);
    expect(result.all).toMatch(/apt install python3|brew install|winget/);
    await expect(access(join(box.stateDir, 'secrets.env'))).rejects.toThrow();
  });

  it('exits 3 naming the version when Python is too old', async () => {
    const dir = await tempDir('old-python-');
    const fakePython = join(dir, 'python3');
    await writeFile(fakePython, '#!/bin/sh\necho \'{"v": [3, 8, 18], "exe": "/opt/python3.8"}\'\n', { mode: 0o755 });
    const box = await sandbox();
    const result = await setup(box, ['--python', fakePython]);
    expect(result.exitCode).toBe(3);
    expect(result.all).toMatch(/is 3\.8\.18\); LiteLLM needs 3\.9 or newer/);
    await expect(readFile(join(box.codexHome, 'config.toml'), 'utf8')).rejects.toThrow();
  });
});

describe('a compromised LiteLLM', () => {
  it('is reported with a security message and never run; a safe LiteLLM serves instead', async () => {
    // A venv claiming litellm 1.82.7, whose `litellm` would leave a mark if anyone ran it.
    const dir = await tempDir('compromised-');
    const venv = join(dir, 'venv');
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    const site = execFileSync(join(venv, 'bin', 'python'), ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).trim();
    await mkdir(join(site, 'litellm-1.82.7.dist-info'), { recursive: true });
    await writeFile(join(site, 'litellm-1.82.7.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: litellm\nVersion: 1.82.7\n');
    const mark = join(dir, 'RAN');
    await writeFile(join(venv, 'bin', 'litellm'), `#!${join(venv, 'bin', 'python')}\nopen(${JSON.stringify(mark)}, "w").write("ran")\n`, { mode: 0o755 });

    const box = await sandbox({ extraPath: [join(venv, 'bin')] });
    stopAfter.push(box);
    const port = await findFreePort(23700);
    const result = await setup(box, ['--port', String(port), '--python', join(latestVenv(), 'bin', 'python')]);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/SECURITY: LiteLLM 1\.82\.7 .* compromised release/);
    expect(result.json.warnings.join('\n')).toMatch(/1\.82\.7/);
    expect(result.json.proxy.litellmVersion).toBe('1.108.7');
    await expect(access(mark)).rejects.toThrow();
  });
});
