/**
 * The real Codex CLI loads what the tool wrote, for every valid corpus file: `codex exec --profile glm`
 * reaches the provider (a tiny local Responses stub, no LiteLLM) with the proxy key, and prints its reply.
 */
import { copyFile, chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerTableLine } from '../../src/config/provider-ownership.js';
import { parseSecrets } from '../../src/config/secrets.js';
import { CODEX_BIN, runCli, sandbox } from '../helpers/cli.js';
import { corpusFiles, fixture, type CorpusFile } from '../helpers/corpus.js';
import { startResponsesStub, type ResponsesStub } from '../helpers/responses-stub.js';

const corpus = corpusFiles().filter((file) => !file.invalid);
/*
 * What is checked here is that Codex loads the configuration, not that its sandbox works in a temporary
 * HOME: a user's permission profile (say, `"~/.config/gcloud" = "deny"`) makes bubblewrap build mounts
 * for paths that do not exist there, and fail. So this run bypasses the sandbox, whatever the file says.
 */
const NO_SANDBOX = '--dangerously-bypass-approvals-and-sandbox';

let stub: ResponsesStub;
beforeAll(async () => {
  stub = await startResponsesStub();
});
afterAll(async () => stub.close());

async function setupAndExec(corpusFile: Pick<CorpusFile, 'path'> | null, prepareHome?: (home: string) => Promise<void>) {
  const box = await sandbox();
  if (corpusFile) {
    await copyFile(corpusFile.path, join(box.codexHome, 'config.toml'));
    await chmod(join(box.codexHome, 'config.toml'), 0o644);
  }
  const args = ['--non-interactive', '--no-start', '--port', String(stub.port)];
  let setup = await runCli(box, args, { env: { ZAI_API_KEY: 'k.test' } });
  const text = corpusFile ? await readFile(corpusFile.path, 'utf8') : '';
  if (providerTableLine(text, 'glm-litellm') !== null) {
    // The user's own [model_providers.glm-litellm]: refused, untouched; the tool's goes under another id.
    expect(setup.exitCode, setup.all).toBe(4);
    expect(setup.all).toMatch(/is your own table/);
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe(text);
    setup = await runCli(box, [...args, '--provider-id', 'glm-codex'], { env: { ZAI_API_KEY: 'k.test' } });
  }
  expect(setup.exitCode, setup.all).toBe(0);
  await prepareHome?.(box.home);
  const key = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
  const before = stub.requests.length;
  const result = await execa(CODEX_BIN, ['exec', '--skip-git-repo-check', NO_SANDBOX, '--profile', 'glm', 'Reply with OK'], {
    cwd: box.home,
    env: { ...box.env, LITELLM_API_KEY: key },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 90_000,
  });
  return { result, key, received: stub.requests.slice(before), setup };
}

describe('real Codex loads the configuration', () => {
  it('on a fresh machine', async () => {
    const { result, key, received } = await setupAndExec(null);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('STUB-OK');
    expect(received.some((r) => r.path === '/v1/responses' && r.authorization === `Bearer ${key}` && r.body.model === 'glm-5.2')).toBe(true);
  });

  it('whatever the user\'s sandbox settings meet in the temporary HOME', async () => {
    // With this permission profile, bubblewrap fails to build its mounts when ~/.config is a file
    // (`bwrap: Can't mkdir parents for <home>/.config/gcloud: Not a directory`), before any request.
    const { result, received } = await setupAndExec({ path: fixture('sandbox-permission-profile.toml') }, async (home) => {
      await rm(join(home, '.config'), { recursive: true, force: true });
      await writeFile(join(home, '.config'), 'not a directory\n');
    });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toContain('STUB-OK');
    expect(received.length).toBeGreaterThan(0);
  });

  describe.concurrent('merged into each config.toml of the corpus', () => {
    for (const file of corpus) {
      it(file.name, async () => {
        const { result, received, setup } = await setupAndExec(file);
        const known = file.codexFailsOnItsOwn;
        if (known) {
          expect(result.exitCode).not.toBe(0);
          expect(result.stderr).toMatch(known.codexError);
          expect(result.stderr).not.toMatch(/glm-litellm|glm\.config\.toml/);
          if (known.setupWarning) expect(setup.all).toMatch(known.setupWarning);
          return;
        }
        expect(result.exitCode, `${result.stderr.slice(-2000)}`).toBe(0);
        expect(result.stdout).toContain('STUB-OK');
        expect(received.length).toBeGreaterThan(0);
        expect(result.stderr).not.toMatch(/error loading config|failed to parse/i);
      });
    }
  });
});
