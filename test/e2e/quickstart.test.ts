/**
 * The README's quick start, followed literally in a clean HOME: the packed package run with npx
 * (what `npx glm-codex-setup` does), non-interactively, ends in a validated setup.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { bareCodex, CODEX_BIN, ROOT, runCli } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const ZAI_KEY = 'zai-quickstart.0123456789abcdef';
let fake: FakeZai;
beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
});
afterAll(async () => fake.close());

describe('README quick start', () => {
  it('npx <the packed package> --non-interactive in a clean HOME', async () => {
    const packDir = await tempDir('glm-pack-');
    // --ignore-scripts: the bundle the global setup built is what gets packed. prepack's rebuild would
    // delete dist/ under the test files running beside this one (they run bin/ meanwhile).
    await execa('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], { cwd: ROOT });
    const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
    const box = await proxySandbox(latestVenv());
    const port = await findFreePort(24200);
    const result = await execa(
      'npx',
      ['--yes', `--package=${tarball}`, 'glm-codex-setup', '--non-interactive', '--endpoint', fake.generalBase, '--port', String(port)],
      {
        cwd: box.home,
        // The defaults a user gets: Codex 0.169 is on PATH, so the key reaches it through its auth command.
        env: { ...withoutAuthChoice(box.env), PATH: `${box.env.PATH}:${process.env.PATH}`, ZAI_API_KEY: ZAI_KEY, npm_config_cache: join(box.home, '.npm') },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        timeout: 600_000,
      },
    );
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/Codex answered through the proxy/);
    expect(result.stdout).toContain('codex --profile glm');
    expect((await runCli(box, ['doctor'])).exitCode).toBe(0);
    // No shell file was needed: Codex started with nothing but HOME and a system PATH answers.
    const bare = await bareCodex(box, 'Reply with OK', 180_000);
    expect(bare.exitCode, bare.stderr.slice(-2000)).toBe(0);
    expect(bare.stdout).toContain('OK');
  });
});

function withoutAuthChoice(env: Record<string, string>): Record<string, string> {
  const { GLM_CODEX_AUTH: _chosenByTheSandbox, ...rest } = env;
  return rest;
}
