/**
 * The product end to end, all real but Z.ai: the CLI, LiteLLM (prepared venv on PATH), the real
 * Codex CLI, and the fake Z.ai upstream.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { CODEX_BIN, runCli, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { snapshotTree } from '../helpers/tree.js';

const ZAI_KEY = 'zai-e2e-key.0123456789abcdef';
let fake: FakeZai;
let box: Sandbox;
let port: number;
let first: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY, reasoning: 'Let me think.' });
  box = await proxySandbox(latestVenv());
  port = await findFreePort(25500);
  first = await runCli(box, ['--non-interactive', '--json', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
});
afterAll(async () => fake.close());

function codex(args: string[], env: Record<string, string> = {}) {
  return execa(CODEX_BIN, args, { cwd: box.home, env: { ...box.env, ...env }, extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
}

async function masterKey(): Promise<string> {
  return parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
}

describe('--non-interactive on a fresh machine', () => {
  it('(a) sets everything up, and the real Codex answered through the real proxy during setup', async () => {
    expect(first.exitCode, first.all).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(json.ok).toBe(true);
    expect(json.codexCheck).toMatchObject({ ok: true });
    expect(json.codexCheck.reply).toContain('OK');
    expect(fake.requests.some((r) => r.path === '/api/paas/v4/chat/completions' && JSON.stringify(r.body?.messages).includes('You are'))).toBe(true);
  });

  it('(a) then `codex exec --profile glm` prints the upstream reply', async () => {
    fake.reply = 'Hello from the fake GLM';
    try {
      const result = await codex(['exec', '--skip-git-repo-check', '--profile', 'glm', 'Say hello'], { LITELLM_API_KEY: await masterKey() });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain('Hello from the fake GLM');
    } finally {
      fake.reply = 'OK';
    }
  });

  it('(b) a tool call round trip: the upstream asks for a shell command, Codex runs it, the upstream sees its output', async () => {
    fake.toolCall = { name: 'exec_command', arguments: { cmd: 'echo TOOL-MARKER-$((40+2))', login: false } };
    const before = fake.requests.length;
    try {
      const result = await codex(
        ['exec', '--skip-git-repo-check', '--profile', 'glm', '--dangerously-bypass-approvals-and-sandbox', 'Run the marker command'],
        { LITELLM_API_KEY: await masterKey() },
      );
      expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
      const received = fake.requests.slice(before);
      const toolResult = received.find((r) => (r.body?.messages as { role: string }[] | undefined)?.some((m) => m.role === 'tool'));
      expect(toolResult, 'a follow-up request carrying the tool output').toBeDefined();
      expect(JSON.stringify(toolResult!.body)).toContain('TOOL-MARKER-42');
      expect(result.stdout).toContain('The tool said:');
      expect(result.stdout).toContain('TOOL-MARKER-42');
    } finally {
      fake.toolCall = null;
    }
  });

  it('(d) a re-run changes nothing and reuses the proxy', async () => {
    const tree = await snapshotTree(box.home);
    const result = await runCli(box, ['--non-interactive', '--json', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode, result.all).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.changes).toEqual([]);
    expect(json.proxy.action).toBe('reused');
    const after = await snapshotTree(box.home);
    // No file the tool manages changed (Codex's own state and the proxy's log may).
    const managed = ['.codex/config.toml', '.codex/glm.config.toml', '.bashrc', '.profile', '.glm-codex/glm-bridge.yaml', '.glm-codex/secrets.env', '.glm-codex/state.json', '.glm-codex/codex-env.sh', '.glm-codex/proxy.pid'];
    for (const key of managed) {
      expect(tree[key], key).toBeDefined();
      expect(after[key], key).toBe(tree[key]);
    }
  });

  it('(e) --dry-run changes nothing', async () => {
    const tree = await snapshotTree(box.stateDir);
    const codexTree = await snapshotTree(join(box.codexHome));
    const result = await runCli(box, ['--non-interactive', '--dry-run', '--endpoint', fake.codingBase, '--model', 'glm-5.1', '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain(`+      api_base: "${fake.codingBase}"`);
    expect(await snapshotTree(box.stateDir)).toEqual(tree);
    expect(await snapshotTree(box.codexHome)).toEqual(codexTree);
  });

  it('(f) --json is valid and holds no secret', async () => {
    const key = await masterKey();
    JSON.parse(first.stdout);
    expect(first.stdout).not.toContain(ZAI_KEY);
    expect(first.stdout).not.toContain(key);
    expect(first.stderr).not.toContain(ZAI_KEY);
    expect(first.stderr).not.toContain(key);
  });

  it('(g) a new login shell runs `codex --profile glm` without exporting anything', async () => {
    const command = `${CODEX_BIN} exec --skip-git-repo-check --profile glm "Reply with OK"`;
    const env = { ...box.env };
    delete (env as Record<string, string | undefined>).LITELLM_API_KEY;
    const result = await execa('bash', ['-lc', command], { cwd: box.home, env, extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toContain('OK');
    const interactive = await execa('bash', ['-ic', command], { cwd: box.home, env, extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
    expect(interactive.exitCode, interactive.stderr.slice(-2000)).toBe(0);
    // The key itself is not in the startup files, only a line that sources the 0600 file.
    for (const rc of ['.bashrc', '.profile']) {
      const text = await readFile(join(box.home, rc), 'utf8');
      expect(text).toContain('# >>> glm-codex-setup >>>');
      expect(text).not.toContain(await masterKey());
    }
  });

  it('re-runs never duplicate the shell block', async () => {
    await runCli(box, ['--non-interactive', '--no-start', '--endpoint', fake.generalBase, '--port', String(port)], { env: { ZAI_API_KEY: ZAI_KEY } });
    const text = await readFile(join(box.home, '.bashrc'), 'utf8');
    expect(text.split('# >>> glm-codex-setup >>>')).toHaveLength(2);
  });
});
