/**
 * --dry-run changes nothing, for every command that changes something, by construction: each one
 * hands its operations to apply/, which only shows them. Every file and folder under HOME and the
 * target folder keeps its path, mode, content and mtime; the gateway stand-in receives no request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { snapshotTree } from '../helpers/tree.js';

const ZAI_KEY = 'zai-dry-run-key.0123456789abcdef';
const SETUP = ['--non-interactive', '--no-start', '--endpoint', 'general'];
const withKey = { env: { ZAI_API_KEY: ZAI_KEY } };

/** Runs `args` with --dry-run and proves the tree under each root is exactly as before. */
async function unchangedBy(box: Sandbox, args: string[], roots: string[] = [box.home], env: Record<string, string> = {}) {
  const before = await Promise.all(roots.map((root) => snapshotTree(root)));
  const result = await runCli(box, [...args, '--dry-run'], { env: { ZAI_API_KEY: ZAI_KEY, ...env } });
  expect(result.exitCode, result.all).toBe(0);
  const after = await Promise.all(roots.map((root) => snapshotTree(root)));
  expect(after).toEqual(before);
  return result;
}

describe('a dry run changes nothing', () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = await sandbox();
    await writeFile(join(box.codexHome, 'config.toml'), '# mine\nmodel = "o3"\n');
    await chmod(join(box.codexHome, 'config.toml'), 0o644);
  });

  it('setup on a fresh machine: shows the files (keys masked) and the commands, writes none', async () => {
    const fresh = await sandbox();
    const result = await unchangedBy(fresh, ['--non-interactive', '--endpoint', 'general']);
    expect(result.stdout).toContain(`+++ ${join(fresh.codexHome, 'config.toml')}`);
    expect(result.stdout).toMatch(/contents hidden: this file holds secrets/);
    expect(result.stdout).toMatch(/run: install LiteLLM|run: start the proxy/);
    expect(result.all).not.toContain(ZAI_KEY);
  });

  it('setup, uninstall, uninstall --purge, restore and autostart enable|disable on a machine set up', async () => {
    expect((await runCli(box, SETUP, withKey)).exitCode).toBe(0);
    // A second run that changes the model: config.toml's backup gives restore something to put back.
    expect((await runCli(box, [...SETUP, '--model', 'glm-5.1'], withKey)).exitCode).toBe(0);
    await unchangedBy(box, [...SETUP, '--model', 'glm-5.3', '--make-default']);
    const uninstall = await unchangedBy(box, ['uninstall']);
    expect(uninstall.stdout).toMatch(/\+\+\+ \/dev\/null/);
    const purge = await unchangedBy(box, ['uninstall', '--purge']);
    expect(purge.stdout).toMatch(/run: remove .*\.glm-codex \(state, secrets, venv, logs, backups\)/);
    const restore = await unchangedBy(box, ['restore']);
    expect(restore.all).toMatch(/Dry run: would restore/);
    await unchangedBy(box, ['autostart', 'enable']);
    await unchangedBy(box, ['autostart', 'disable']);
  });

  it('gateway init DIR: no bundle, no .env of fresh secrets; --force on a used folder neither', async () => {
    const dir = join(box.home, 'bundle');
    const result = await unchangedBy(box, ['gateway', 'init', dir]);
    expect(result.stdout).toMatch(/\+\+\+ \/.*\/bundle\/\.env\n\(contents hidden/);
    await expect(readdir(dir)).rejects.toThrow();
    await mkdir(dir);
    await writeFile(join(dir, '.env'), 'ZAI_API_KEY=\n');
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const forced = await unchangedBy(box, ['gateway', 'init', dir, '--force'], [box.home, dir]);
    expect(forced.all).toMatch(/\.env: would be completed/);
  });

  it('gateway key create --out: the stand-in gateway gets no request and the key file is not written', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ key: 'sk-never', user_id: 'alice', key_alias: 'a', max_budget: null, models: [], expires: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const out = join(box.home, 'alice.key');
      const result = await unchangedBy(box, ['gateway', 'key', 'create', '--user', 'alice', '--gateway-url', url, '--out', out], [box.home], { LITELLM_MASTER_KEY: 'sk-master-0123456789abcdef' });
      expect(result.stdout).toContain(`run: create a key for alice at ${url}`);
      expect(result.all).not.toContain('sk-master-0123456789abcdef');
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });
});

afterAll(() => undefined);
