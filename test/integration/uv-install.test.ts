/**
 * The install path with uv: when uv is on PATH the tool builds its venv with it (real uv from PyPI,
 * put in place by scripts/ensure-uv.sh; real LiteLLM wheels, so one install, in beforeAll), and hands
 * uv the index pip is configured with, since uv does not read pip's configuration.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectVenvLiteLLM, installLiteLLM, type LiteLLMInstall } from '../../src/runtime/litellm.js';
import { installRequirement, TESTED_LITELLM } from '../../src/runtime/litellm-versions.js';
import { findPython, type PythonInstall } from '../../src/runtime/python.js';
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
  it('builds the venv with uv', async () => {
    expect(await readFile(join(venv, 'pyvenv.cfg'), 'utf8')).toMatch(/^uv = \d+\.\d+/m);
    expect(lines.join('\n')).toMatch(/Resolved \d+ packages|Installed \d+ packages|Audited \d+ packages/);
  });

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
