/**
 * The install path with uv: when uv is on PATH the tool builds its venv with it (real uv from PyPI,
 * put in place by scripts/ensure-uv.sh; real LiteLLM wheels, so one install, in beforeAll), and hands
 * uv the index pip is configured with, since uv does not read pip's configuration.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectVenvLiteLLM, installLiteLLM, venvLauncher, type LiteLLMInstall } from '../../src/runtime/litellm.js';
import { proxyBaseEnv } from '../../src/runtime/proxy.js';
import { installRequirement, TESTED_LITELLM } from '../../src/runtime/litellm-versions.js';
import { findPython, type PythonInstall } from '../../src/runtime/python.js';
import { fetchUv, findUv, UV_VERSION } from '../../src/runtime/uv.js';
import { planPurge } from '../../src/fs/purge.js';
import { tempDir } from '../helpers/tmp.js';

function uvBinary(): string {
  const uv = process.env.GLM_TEST_UV;
  if (!uv || !existsSync(uv)) throw new Error('GLM_TEST_UV does not name a uv binary: run the tests with `npm test` (scripts/ensure-uv.sh installs uv).');
  return uv;
}

/** The test's environment with uv first on PATH, and uv's cache kept beside it between runs. */
function envWithUv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const uv = uvBinary();
  return { ...process.env, PATH: `${dirname(uv)}:${process.env.PATH ?? ''}`, UV_CACHE_DIR: `${dirname(dirname(uv))}-cache`, ...extra };
}

let python: PythonInstall;
let venv: string;
let installed: LiteLLMInstall;
const lines: string[] = [];

beforeAll(async () => {
  python = await findPython(undefined);
  venv = join(await tempDir('glm-uv-state-'), 'venv');
  installed = await installLiteLLM({ venv, python, requirement: installRequirement(), onLine: (line) => lines.push(line), env: envWithUv() });
}, 600_000);

describe('installing LiteLLM with uv on PATH', () => {
  it('builds the venv with uv and leaves the bytecode to the first start, which keeps it even under PYTHONDONTWRITEBYTECODE', async () => {
    expect(await readFile(join(venv, 'pyvenv.cfg'), 'utf8')).toMatch(/^uv = \d+\.\d+/m);
    expect(lines.join('\n')).toMatch(/Resolved \d+ packages|Installed \d+ packages|Audited \d+ packages/);
    // Asked without importing LiteLLM (an import would write the bytecode itself).
    const python = join(venv, 'bin', 'python');
    const site = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
    const compiled = async () => (await readdir(join(site, 'litellm', '__pycache__')).catch(() => [] as string[])).filter((name) => name.startsWith('__init__.cpython-'));
    expect(await compiled()).toEqual([]);
    // The proxy's environment, from a shell that says not to write bytecode: the venv's import writes it all the same.
    const env = proxyBaseEnv(venvLauncher(venv), venv, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
    execFileSync(python, ['-c', 'import litellm'], { env: { ...env, LITELLM_LOCAL_MODEL_COST_MAP: 'True' }, stdio: 'ignore' });
    expect((await compiled()).length).toBe(1);
    // A LiteLLM outside the tool's venv is the user's: their setting stands.
    expect(proxyBaseEnv(['/usr/bin/litellm'], venv, { PYTHONDONTWRITEBYTECODE: '1' }).PYTHONDONTWRITEBYTECODE).toBe('1');
    // Purge counts that bytecode as the tool's: it was compiled from recorded sources.
    await writeFile(join(dirname(venv), '.glm-codex-setup'), '');
    expect((await planPurge(dirname(venv))).kept.filter((rel) => rel.startsWith('venv/'))).toEqual([]);
  }, 120_000);

  it('installs the tested release, with the proxy extras, and the tool detects it as bridging', async () => {
    expect(installed).toMatchObject({ version: TESTED_LITELLM, proxyExtras: true, verdict: { kind: 'bridges' } });
    const detected = await detectVenvLiteLLM(venv);
    expect(detected).toMatchObject({ source: 'venv', version: TESTED_LITELLM, proxyExtras: true, verdict: { kind: 'bridges' } });
  });
});

describe("uv and pip's index", () => {
  let server: Server;
  const asked: string[] = [];
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('uv asks the index pip is configured with (PIP_INDEX_URL), as a mirror user needs', async () => {
    server = createServer((request, response) => {
      asked.push(request.url ?? '');
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const index = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
    // Only this index: no pip config files, no find-links, a fresh uv cache that cannot answer for it.
    const env = envWithUv({ PIP_CONFIG_FILE: devNull, PIP_INDEX_URL: index, PIP_FIND_LINKS: undefined, PIP_EXTRA_INDEX_URL: undefined, UV_CACHE_DIR: await tempDir('glm-uv-cache-') });
    for (const name of ['UV_DEFAULT_INDEX', 'UV_INDEX_URL', 'UV_INDEX', 'UV_EXTRA_INDEX_URL', 'UV_FIND_LINKS']) delete env[name];
    const other = join(await tempDir('glm-uv-mirror-'), 'venv');
    await expect(installLiteLLM({ venv: other, python, requirement: installRequirement(), env })).rejects.toThrow(/Installing LiteLLM failed/);
    expect(asked.some((url) => url.startsWith('/simple/litellm'))).toBe(true);
  });
});

/** A package index on 127.0.0.1 (PEP 503, HTML) that serves the uv wheel scripts/ensure-uv.sh kept, and records what it was asked. */
async function localIndex(serveUv: boolean): Promise<{ url: string; asked: string[]; close: () => Promise<void> }> {
  const wheels = join(dirname(dirname(uvBinary())), 'wheels');
  const wheel = (await readdir(wheels)).find((name) => name.startsWith(`uv-${UV_VERSION}-`) && name.endsWith('.whl'));
  if (!wheel) throw new Error(`no uv ${UV_VERSION} wheel in ${wheels}: run the tests with npm test`);
  const asked: string[] = [];
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    asked.push(url);
    if (serveUv && /^\/simple\/uv\/?$/.test(url)) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body><a href="/files/${wheel}">${wheel}</a></body></html>`);
    } else if (serveUv && url === `/files/${wheel}`) {
      createReadStream(join(wheels, wheel)).pipe(response.writeHead(200, { 'content-type': 'application/octet-stream' }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An environment whose only package index is `index` (no pip config files, no uv on PATH). */
function onlyIndex(index: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin', PIP_CONFIG_FILE: devNull, PIP_INDEX_URL: index, PIP_NO_CACHE_DIR: '1' };
  for (const name of ['PIP_FIND_LINKS', 'PIP_EXTRA_INDEX_URL', 'UV_CACHE_DIR']) delete env[name];
  return env;
}

describe('fetching uv when none is on PATH', () => {
  it("fetches the pinned uv from the index pip is configured with (a mirror) into the state dir; findUv then finds it there", async () => {
    const index = await localIndex(true);
    try {
      const stateDir = await tempDir('glm-uv-fetch-');
      const env = onlyIndex(index.url);
      expect(await findUv(stateDir, env)).toBeNull();
      const fetched = await fetchUv(stateDir, python, { env });
      expect(fetched.uv, 'reason' in fetched ? fetched.reason : '').not.toBeNull();
      expect(fetched.uv).toMatchObject({ path: join(stateDir, 'uv', UV_VERSION, 'bin', 'uv'), source: 'state-dir', env: { UV_NO_CACHE: '1' } });
      expect(index.asked.some((url) => url.startsWith('/simple/uv'))).toBe(true);
      expect(index.asked.some((url) => url.startsWith('/files/uv-'))).toBe(true);
      expect(execFileSync(fetched.uv!.path, ['--version'], { encoding: 'utf8' })).toContain(UV_VERSION);
      expect(await findUv(stateDir, env)).toEqual(fetched.uv);
      // Nothing half-made is left beside it (no cache either), and purge deletes exactly the recorded files.
      expect((await readdir(join(stateDir, 'uv'))).sort()).toEqual(['.glm-codex-setup-files', UV_VERSION]);
      await writeFile(join(stateDir, '.glm-codex-setup'), '');
      const purge = await planPurge(stateDir);
      expect(purge.delete).toContain(fetched.uv!.path);
      expect(purge.kept.filter((rel) => rel.startsWith('uv/'))).toEqual([]);
    } finally {
      await index.close();
    }
  });

  it('an index without uv: no uv, a one-line reason, nothing left in the state dir but the empty uv folder', async () => {
    const index = await localIndex(false);
    try {
      const stateDir = await tempDir('glm-uv-fetch-');
      const fetched = await fetchUv(stateDir, python, { env: onlyIndex(index.url) });
      expect(fetched.uv).toBeNull();
      const reason = 'reason' in fetched ? fetched.reason : '';
      expect(reason).toMatch(/^fetching uv failed: .*uv==/);
      expect(reason).not.toContain('\n');
      expect(index.asked.some((url) => url.startsWith('/simple/uv'))).toBe(true);
      expect(await readdir(join(stateDir, 'uv'))).toEqual([]);
      expect(await findUv(stateDir, onlyIndex(index.url))).toBeNull();
    } finally {
      await index.close();
    }
  });
});
