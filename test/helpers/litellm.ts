/** The LiteLLM venvs that scripts/test.sh prepared (one per release in the version matrix). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function litellmVenvs(): Map<string, string> {
  const venvs = new Map<string, string>();
  for (const pair of (process.env.GLM_TEST_LITELLM_VENVS ?? '').trim().split(/\s+/)) {
    const [version, dir] = pair.split('=');
    if (version && dir && existsSync(join(dir, '.ok'))) venvs.set(version, dir);
  }
  return venvs;
}

/** The newest release's venv; the suite needs it (run the tests through `npm test`). */
export function latestVenv(): string {
  const dir = process.env.GLM_TEST_LITELLM_LATEST;
  if (!dir || !existsSync(join(dir, '.ok'))) {
    throw new Error('GLM_TEST_LITELLM_LATEST is not set to a prepared venv: run the tests with `npm test`, which installs LiteLLM.');
  }
  return dir;
}

export const venvBin = (venv: string) => join(venv, 'bin');
