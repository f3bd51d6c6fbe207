/**
 * Z.ai's refusals inside Codex, local mode, with the real programs: the tool's setup (real LiteLLM 1.108.7
 * in front of the stand-in Z.ai), then `codex exec` (0.169.0 and 0.171.0) while the stand-in refuses with
 * each code. Codex must put each refusal into words at once: no retry storm (the stand-in counts the
 * requests), never a 429 for a key. After a normal turn Codex's session log holds GLM's two windows, from
 * the rate-limit headers the bridge adds (the stand-in's quota API: 42 % and 17 %).
 */
import { realpathSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecrets } from '../../src/config/secrets.js';
import { findFreePort } from '../../src/runtime/ports.js';
import type { RefusalCode } from '../fake-zai/refusals.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { BIN, CODEX_BIN, CODEX_NEWEST_BIN, runCli, type Sandbox } from '../helpers/cli.js';
import { latestVenv } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';

const ZAI_KEY = 'zai-refusal-key.0123456789abcdef';
const CODEXES = [
  { name: '0.169.0', bin: CODEX_BIN },
  { name: '0.171.0', bin: CODEX_NEWEST_BIN },
];

let fake: FakeZai;
let box: Sandbox;
let masterKey: string;

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  box = await proxySandbox(latestVenv());
  const port = await findFreePort(31600 + Math.floor(Math.random() * 90));
  const setup = await runCli(box, ['--non-interactive', '--json', '--endpoint', fake.codingBase, '--port', String(port), '--model', 'glm-5.2'], { env: { ZAI_API_KEY: ZAI_KEY } });
  expect(setup.exitCode, setup.all).toBe(0);
  masterKey = parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets.LITELLM_MASTER_KEY!;
});
afterAll(async () => fake.close());

async function codexTurn(bin: string) {
  const before = fake.requests.length;
  const started = Date.now();
  const result = await execa(bin, ['exec', '--skip-git-repo-check', '--profile', 'glm', 'Say hello'], {
    cwd: box.home,
    env: { ...box.env, LITELLM_API_KEY: masterKey },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 120_000,
  });
  const elapsedMs = Date.now() - started;
  const upstream = fake.requests.slice(before).filter((r) => r.path.endsWith('/chat/completions'));
  return { output: `${String(result.stdout)}\n${String(result.stderr)}`, exitCode: result.exitCode, elapsedMs, upstream: upstream.length };
}

/** Codex's own rendering of a reset time: "1:00 PM", in the local time of the Codex process. */
function codexClock(at: Date): string {
  return at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
}

async function refusedTurn(bin: string, code: RefusalCode, resetsAt?: Date) {
  fake.refusal = { code, ...(resetsAt ? { resetsAt } : {}) };
  try {
    return await codexTurn(bin);
  } finally {
    fake.refusal = null;
  }
}

/** One upstream request, words within 5 s, never "exceeded retry limit". */
function expectWordsAtOnce(turn: Awaited<ReturnType<typeof codexTurn>>) {
  expect(turn.exitCode, turn.output).not.toBe(0);
  expect(turn.output).not.toMatch(/exceeded retry limit|Reconnecting|429 Too Many Requests|No deployments available/);
  expect(turn.upstream, `requests the stand-in received: ${turn.output}`).toBe(1);
  expect(turn.elapsedMs, turn.output).toBeLessThan(5000);
}

describe.each(CODEXES)('Codex $name, local mode: each refusal in words', ({ bin }) => {
  it('a spent 5-hour or weekly window: "You\'ve hit your usage limit", Z.ai\'s words, the reset in local time', async () => {
    for (const [code, words] of [
      ['1308', 'Usage limit reached for 5 hour'],
      ['1310', 'Weekly/Monthly Limit Exhausted'],
    ] as const) {
      const resetsAt = new Date(Math.ceil((Date.now() + 2 * 3_600_000) / 60_000) * 60_000);
      const turn = await refusedTurn(bin, code, resetsAt);
      expectWordsAtOnce(turn);
      expect(turn.output).toMatch(/You.ve hit your usage limit\./);
      expect(turn.output).toContain(`Z.ai ${code}: ${words}`);
      expect(turn.output).toContain(`try again at ${codexClock(resetsAt)}`);
    }
  });

  it('no balance (1113) and an expired plan (1309): Z.ai\'s words and the fix', async () => {
    const balance = await refusedTurn(bin, '1113');
    expectWordsAtOnce(balance);
    expect(balance.output).toContain('Z.ai 1113: Insufficient balance or no resource package');
    expect(balance.output).toContain('Top up the account');
    const expired = await refusedTurn(bin, '1309');
    expectWordsAtOnce(expired);
    expect(expired.output).toContain('Z.ai 1309: Your GLM Coding Plan package has expired');
  });

  it('a model the plan lacks (1311) and the overloads (1302, 1305, 1312, 1313): Z.ai\'s words', async () => {
    const model = await refusedTurn(bin, '1311');
    expectWordsAtOnce(model);
    expect(model.output).toContain('Z.ai 1311: Your current subscription plan does not include access to this model');
    for (const code of ['1302', '1305', '1312', '1313'] as const) {
      const turn = await refusedTurn(bin, code);
      expectWordsAtOnce(turn);
      expect(turn.output).toContain(`Z.ai ${code}:`);
      expect(turn.output).toContain('send the prompt again in a moment');
    }
  });

  it('a wrong or revoked key: Z.ai\'s message and the fix, twice in a row, never a 429', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const turn = await refusedTurn(bin, '1002');
      expectWordsAtOnce(turn);
      expect(turn.output).toContain('Z.ai 1002: Authorization Token');
      // The setup command as this test runs the tool (its full path: glm-codex-setup is not on PATH here).
      expect(turn.output).toContain(`run ${realpathSync(BIN)} again`);
      expect(turn.output).not.toMatch(/usage limit/i);
    }
    // The refusal left nothing behind: the next turn is answered.
    const after = await codexTurn(bin);
    expect(after.exitCode, after.output).toBe(0);
    expect(after.output).toContain('OK');
  });
});

describe('GLM\'s windows in Codex\'s session log (what /status shows)', () => {
  it.each(CODEXES)('Codex $name records the 5-hour window as primary and the weekly one as secondary', async ({ bin }) => {
    const turn = await codexTurn(bin);
    expect(turn.exitCode, turn.output).toBe(0);
    const limits = await lastRateLimits(join(box.codexHome, 'sessions'));
    expect(limits, 'a rate_limits entry in the newest session log').not.toBeNull();
    expect(limits!.primary).toMatchObject({ used_percent: 42, window_minutes: 300 });
    expect(limits!.secondary).toMatchObject({ used_percent: 17, window_minutes: 10080 });
  });
});

interface RateLimits {
  primary?: Record<string, unknown>;
  secondary?: Record<string, unknown>;
}

async function lastRateLimits(dir: string): Promise<RateLimits | null> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => /rollout-.*\.jsonl$/.test(f)).sort();
  const newest = files.at(-1);
  if (!newest) return null;
  let found: RateLimits | null = null;
  for (const line of (await readFile(join(dir, newest), 'utf8')).split('\n')) {
    if (!line.includes('rate_limits')) continue;
    const limits = (JSON.parse(line) as { payload?: { rate_limits?: RateLimits } }).payload?.rate_limits;
    if (limits?.primary) found = limits;
  }
  return found;
}
