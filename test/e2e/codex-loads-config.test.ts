/**
 * The real Codex CLI loads what the tool wrote, for every valid corpus file: `codex exec --profile glm`
 * reaches the provider (a tiny local Responses stub, no LiteLLM) with the proxy key, and prints its reply.
 */
import { copyFile, chmod, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../src/config/secrets.js';
import { CODEX_BIN, runCli, sandbox } from '../helpers/cli.js';
import { startResponsesStub, type ResponsesStub } from '../helpers/responses-stub.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/codex-configs');
const corpus = (await readdir(CORPUS)).filter((n) => n.endsWith('.toml') && !n.startsWith('36-')).sort();
// These users' files stop Codex on their own, whatever the tool adds; it never edits their part
// silently. Each must fail for exactly that reason (and setup must warn where it can know).
const FAILS_ON_ITS_OWN: Record<string, { codexError: RegExp; setupWarning?: RegExp }> = {
  '11-2096955-MAKER-Code-Assist.toml': { codexError: /wire_api = "chat"` is no longer supported[\s\S]*maker-local/, setupWarning: /"maker-local" has wire_api = "chat"/ },
  '40-avikalpa-codex-litellm.toml': { codexError: /wire_api = "chat"` is no longer supported[\s\S]*litellm-direct/, setupWarning: /"litellm-direct" has wire_api = "chat"/ },
  // model_catalog_json names a file on its author's Mac.
  '30-BilderLoong-dotfiles.toml': { codexError: /No such file or directory/ },
};
// Its sandbox permission profile hides files of its author's home (~/.docker/config.json, ...);
// bubblewrap sometimes cannot build those mounts inside a temporary HOME. Either Codex answers, or
// it fails in the sandbox, never because of the provider or profile.
const SANDBOX_DEPENDENT = new Set(['33-trailofbits-codex-config.toml']);

let stub: ResponsesStub;
beforeAll(async () => {
  stub = await startResponsesStub();
});
afterAll(async () => stub.close());

async function setupAndExec(corpusFile: string | null) {
  const box = await sandbox();
  if (corpusFile) {
    await copyFile(join(CORPUS, corpusFile), join(box.codexHome, 'config.toml'));
    await chmod(join(box.codexHome, 'config.toml'), 0o644);
  }
  const setup = await runCli(box, ['--non-interactive', '--no-start', '--port', String(stub.port)], { env: { ZAI_API_KEY: 'k.test' } });
  expect(setup.exitCode, setup.all).toBe(0);
  const key = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
  const before = stub.requests.length;
  const result = await execa(CODEX_BIN, ['exec', '--skip-git-repo-check', '--profile', 'glm', 'Reply with OK'], {
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

  describe.concurrent('merged into each real config.toml', () => {
    for (const name of corpus) {
      it(name, async () => {
        const { result, received, setup } = await setupAndExec(name);
        const known = FAILS_ON_ITS_OWN[name];
        if (known) {
          expect(result.exitCode).not.toBe(0);
          expect(result.stderr).toMatch(known.codexError);
          expect(result.stderr).not.toMatch(/glm-litellm|glm\.config\.toml/);
          if (known.setupWarning) expect(setup.all).toMatch(known.setupWarning);
          return;
        }
        if (SANDBOX_DEPENDENT.has(name) && result.exitCode !== 0) {
          expect(result.stderr).toMatch(/bwrap|bubblewrap|sandbox/);
          expect(result.stderr).not.toMatch(/glm-litellm|glm\.config\.toml|model provider/i);
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
