/**
 * Repair is setup, run again. Starting from a real setup on top of a user's config.toml, each
 * state below breaks it one way; doctor must name the right FAIL without writing anything, then
 * `glm-codex-setup --non-interactive` must make doctor pass and `codex exec --profile glm` answer,
 * with every byte of the user's own content intact. Real LiteLLM, real Codex, fake Z.ai: only the
 * states that need them (the proxy process, LiteLLM's release, Codex's version, a taken port). The
 * states of the files alone are a table of the planner: test/unit/repair.test.ts.
 */
import { chmod, copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteIn, pruneEmptyAncestors, tomlDataEqual } from '../../src/config/toml-data.js';
import { validateToml } from '../../src/config/toml-syntax.js';
import { findFreePort } from '../../src/runtime/ports.js';
import { startFakeZai, type FakeZai } from '../fake-zai/server.js';
import { CODEX_BIN, runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { latestVenv, litellmVenvs, venvBin } from '../helpers/litellm.js';
import { proxySandbox } from '../helpers/proxy-sandbox.js';
import { fixture } from '../helpers/corpus.js';
import { tempDir } from '../helpers/tmp.js';
import { snapshotTree } from '../helpers/tree.js';

const USER_CONFIG = 'openrouter-default.toml';
const ZAI_KEY = 'zai-repair-key.0123456789abcdef';

let fake: FakeZai;
let box: Sandbox;
let port: number;
let original: string;
let configPath: string;

const env = () => ({ ZAI_API_KEY: ZAI_KEY });
const setupArgs = () => ['--non-interactive', '--json', '--endpoint', fake.codingBase, '--port', String(port)];

async function doctor() {
  const result = await runCli(box, ['doctor', '--json']);
  return { ...result, json: JSON.parse(result.stdout) as { healthy: boolean; checks: { id: string; status: string; message: string }[] } };
}

/** The files doctor must never touch: everything but logs and Codex's own session state. */
async function watchedTree() {
  const tree = await snapshotTree(box.home);
  return Object.fromEntries(Object.entries(tree).filter(([key]) => !key.endsWith('proxy.log') && !/^\.codex\/(sessions|log|memories|.*sqlite)/.test(key) && !key.startsWith('.cache')));
}

function userPart(text: string) {
  let data = validateToml(text, 'config.toml');
  for (const path of [['model_providers', 'glm-litellm'], ['profiles', 'glm'], ['profile'], ['model'], ['model_provider']]) {
    data = pruneEmptyAncestors(deleteIn(data, path), path);
  }
  return data;
}

async function codexAnswers() {
  const result = await execa('bash', ['-lc', `${CODEX_BIN} exec --skip-git-repo-check --profile glm "Reply with OK"`], {
    cwd: box.home,
    env: box.env,
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 180_000,
  });
  expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
  expect(result.stdout).toContain('OK');
}

/** doctor names the FAIL and writes nothing; setup repairs; doctor passes; Codex answers; the user's part is intact. */
async function expectRepaired(failId: string, repairArgs: string[] = []) {
  const before = await watchedTree();
  const sick = await doctor();
  expect(sick.exitCode, sick.all).toBe(7);
  expect(sick.json.checks.filter((c) => c.status === 'FAIL').map((c) => c.id)).toContain(failId);
  expect(await watchedTree()).toEqual(before);

  const repair = await runCli(box, [...setupArgs(), ...repairArgs], { env: env() });
  expect(repair.exitCode, repair.all).toBe(0);
  const healthy = await doctor();
  expect(healthy.exitCode, healthy.json.checks.filter((c) => c.status !== 'PASS').map((c) => `${c.id}: ${c.message}`).join('\n')).toBe(0);
  await codexAnswers();
  expect(tomlDataEqual(userPart(await readFile(configPath, 'utf8')), userPart(original))).toBe(true);
  return repair;
}

async function edit(path: string, change: (text: string) => string) {
  await writeFile(path, change(await readFile(path, 'utf8')));
}

beforeAll(async () => {
  fake = await startFakeZai({ apiKey: ZAI_KEY });
  box = await proxySandbox(latestVenv());
  port = await findFreePort(26000);
  configPath = join(box.codexHome, 'config.toml');
  await copyFile(fixture(USER_CONFIG), configPath);
  await chmod(configPath, 0o644);
  original = await readFile(configPath, 'utf8');
  const first = await runCli(box, setupArgs(), { env: env() });
  expect(first.exitCode, first.all).toBe(0);
  expect((await doctor()).exitCode).toBe(0);
});
afterAll(async () => fake.close());

describe('broken states, each repaired by running setup again', () => {
  it('1. a stale pid file (the proxy was killed)', async () => {
    const { pid } = JSON.parse(await readFile(join(box.stateDir, 'proxy.pid'), 'utf8')) as { pid: number };
    process.kill(-pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectRepaired('proxy');
  });

  it('2. the proxy runs on a drifted port', async () => {
    expect((await runCli(box, ['stop'])).exitCode).toBe(0);
    const other = await findFreePort(port + 100);
    expect((await runCli(box, ['start', '--port', String(other)])).exitCode).toBe(0);
    await expectRepaired('proxy');
  });

  it('3. the proxy runs an old configuration', async () => {
    await edit(join(box.stateDir, 'glm-bridge.yaml'), (t) => t.replace('model_list:\n', 'model_list:\n  - model_name: another\n    litellm_params:\n      model: openai/another\n'));
    await expectRepaired('proxy');
  });

  it('4. Codex upgraded across 0.134: the profile moves from [profiles.glm] to glm.config.toml', async () => {
    const dir = await tempDir('codex-0133-');
    await writeFile(join(dir, 'codex'), '#!/bin/sh\necho "codex-cli 0.133.0"\n', { mode: 0o755 });
    const realPath = box.env.PATH!;
    box.env.PATH = `${dir}:${realPath}`;
    expect((await runCli(box, [...setupArgs(), '--no-start'], { env: env() })).exitCode).toBe(0);
    box.env.PATH = realPath;
    await rm(join(box.codexHome, 'glm.config.toml'));
    await expectRepaired('legacy-profile');
  });

  it('5. a foreign program took the port: setup names it; with --port it moves', async () => {
    expect((await runCli(box, ['stop'])).exitCode).toBe(0);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const blocked = await runCli(box, setupArgs(), { env: env() });
      expect(blocked.exitCode).toBe(5);
      expect(blocked.all).toMatch(/in use by .*node/);
      port = await findFreePort(port + 1);
      await expectRepaired('proxy');
    } finally {
      squatter.close();
    }
  });

  it('6. LiteLLM replaced by a release that does not bridge Codex (1.83.13)', async () => {
    const older = litellmVenvs().get('1.83.13')!;
    box.env.PATH = box.env.PATH!.replace(venvBin(latestVenv()), venvBin(older));
    try {
      await expectRepaired('litellm', ['--python', join(latestVenv(), 'bin', 'python')]);
    } finally {
      // The last state before uninstall: the setup keeps the LiteLLM it was given, nothing to restart.
      box.env.PATH = box.env.PATH!.replace(venvBin(older), venvBin(latestVenv()));
    }
  });

  it('finally, uninstall gives back the user\'s config.toml byte for byte', async () => {
    const result = await runCli(box, ['uninstall', '--non-interactive', '--json']);
    expect(result.exitCode, result.all).toBe(0);
    expect(await readFile(configPath, 'utf8')).toBe(original);
    for (const rc of ['.bashrc', '.profile']) await expect(readFile(join(box.home, rc), 'utf8')).rejects.toThrow();
    await expect(readFile(join(box.codexHome, 'glm.config.toml'), 'utf8')).rejects.toThrow();
    expect((await runCli(box, ['status'])).exitCode).toBe(7);
  });
});

describe('config.toml broken in the user\'s own part', () => {
  it('is left untouched; --force-rebuild keeps a backup and reports what it dropped', async () => {
    const user = await sandbox();
    const path = join(user.codexHome, 'config.toml');
    await copyFile(fixture('invalid-duplicate-key.toml'), path);
    await chmod(path, 0o644);
    const broken = await readFile(path, 'utf8');
    const refused = await runCli(user, ['--non-interactive', '--no-start'], { env: env() });
    expect(refused.exitCode).toBe(4);
    expect(refused.all).toMatch(/--force-rebuild/);
    expect(await readFile(path, 'utf8')).toBe(broken);

    const doc = await runCli(user, ['doctor', '--json']);
    expect(doc.exitCode).toBe(7);
    expect(JSON.parse(doc.stdout).checks.find((c: { id: string }) => c.id === 'config-toml')).toMatchObject({ status: 'FAIL' });

    const rebuilt = await runCli(user, ['--non-interactive', '--no-start', '--force-rebuild', '--json'], { env: env() });
    expect(rebuilt.exitCode, rebuilt.all).toBe(0);
    const json = JSON.parse(rebuilt.stdout);
    expect(json.repairs.join('\n')).toMatch(/dropped \[features\] \(line \d+\)/);
    const backup = json.backups.find((b: { original: string }) => b.original === path);
    expect(await readFile(backup.backup, 'utf8')).toBe(broken);
    const data = validateToml(await readFile(path, 'utf8'), 'config.toml');
    expect(data).toMatchObject({ mcp_servers: expect.any(Object), model_providers: { 'glm-litellm': expect.any(Object) } });
  });
});

describe('uninstall', () => {
  it('after a --make-default setup puts the previous default back, byte for byte', async () => {
    const user = await sandbox();
    const path = join(user.codexHome, 'config.toml');
    await copyFile(fixture('minimal-provider.toml'), path);
    await chmod(path, 0o644);
    const before = await readFile(path, 'utf8');
    expect((await runCli(user, ['--non-interactive', '--no-start', '--make-default'], { env: env() })).exitCode).toBe(0);
    expect(await readFile(path, 'utf8')).not.toBe(before);
    const result = await runCli(user, ['uninstall', '--non-interactive', '--purge']);
    expect(result.exitCode, result.all).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(before);
    await expect(readFile(join(user.stateDir, 'state.json'), 'utf8')).rejects.toThrow();
  });

  it('backups lists the saved files and restore puts one back', async () => {
    const user = await sandbox();
    const path = join(user.codexHome, 'config.toml');
    await writeFile(path, '# mine\nmodel = "o3"\n');
    expect((await runCli(user, ['--non-interactive', '--no-start'], { env: env() })).exitCode).toBe(0);
    const list = await runCli(user, ['backups', '--json']);
    expect(JSON.parse(list.stdout).backups[0].files[0].original).toBe(path);
    const restored = await runCli(user, ['restore']);
    expect(restored.exitCode, restored.all).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('# mine\nmodel = "o3"\n');
  });
});
