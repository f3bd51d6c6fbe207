/**
 * The CLI, built and run as a user runs it, with --no-start: files written, modes, secrets, re-runs,
 * --dry-run, --json, and every refusal (invalid TOML, read-only file, missing key, no TTY, lock).
 */
import { chmod, copyFile, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { ExitCode } from '../../src/exit-codes.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSecrets } from '../../src/config/secrets.js';
import { validateToml } from '../../src/config/toml-syntax.js';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { fixture } from '../helpers/corpus.js';
import { tempDir } from '../helpers/tmp.js';
import { snapshotTree } from '../helpers/tree.js';

const ZAI_KEY = 'f3a9c1d2e4b5.AbCdEfGhIjKlMnOp';
const withKey = { ZAI_API_KEY: ZAI_KEY };

async function installCorpus(box: Sandbox, name: string): Promise<string> {
  const path = join(box.codexHome, 'config.toml');
  await copyFile(fixture(name), path);
  await chmod(path, 0o644);
  return path;
}

async function fakeCodex(version: string): Promise<string> {
  const dir = await tempDir('fake-codex-');
  await writeFile(join(dir, 'codex'), `#!/bin/sh\necho "codex-cli ${version}"\n`, { mode: 0o755 });
  return dir;
}

async function secretsOf(box: Sandbox) {
  return parseSecrets(await readFile(join(box.stateDir, 'secrets.env'), 'utf8')).secrets;
}

describe('setup --no-start', () => {
  it('writes a complete configuration on a fresh machine', async () => {
    const box = await sandbox();
    const result = await runCli(box, ['--non-interactive', '--no-start'], { env: withKey });
    expect(result.exitCode, result.all).toBe(0);

    const config = validateToml(await readFile(join(box.codexHome, 'config.toml'), 'utf8'), 'config.toml');
    expect(config).toEqual({
      model_providers: {
        'glm-litellm': {
          name: 'GLM via LiteLLM (glm-codex-setup)',
          base_url: 'http://127.0.0.1:4000/v1',
          env_key: 'LITELLM_API_KEY',
          env_key_instructions: expect.any(String),
          wire_api: 'responses',
          request_max_retries: 4,
          stream_idle_timeout_ms: 300000,
        },
      },
    });
    const profile = validateToml(await readFile(join(box.codexHome, 'glm.config.toml'), 'utf8'), 'glm.config.toml');
    expect(profile).toMatchObject({ model: 'glm-5.2', model_provider: 'glm-litellm', web_search: 'disabled', features: { unbounded_connection_retries: false } });

    const bridge = parse(await readFile(join(box.stateDir, 'glm-bridge.yaml'), 'utf8'));
    expect(bridge).toEqual({
      model_list: [
        {
          model_name: 'glm-5.2',
          litellm_params: {
            model: 'openai/glm-5.2',
            api_base: 'https://api.z.ai/api/coding/paas/v4',
            // LiteLLM < 1.108 would refuse the reasoning effort the catalog makes Codex send.
            drop_params: true,
            api_key: 'os.environ/ZAI_API_KEY',
            use_chat_completions_api: true,
          },
        },
      ],
      general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY' },
      // Z.ai's refusals are final: no retries, no cooldown; the tool's callbacks word them for Codex.
      litellm_settings: { callbacks: ['glm_codex_hooks.handler'] },
      router_settings: { num_retries: 0, disable_cooldowns: true },
    });
    expect(await readFile(join(box.stateDir, 'glm_codex_hooks.py'), 'utf8')).toContain('class GlmCodexHooks(CustomLogger)');

    const secrets = await secretsOf(box);
    expect(secrets.ZAI_API_KEY).toBe(ZAI_KEY);
    expect(secrets.LITELLM_MASTER_KEY).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
    expect(secrets.LITELLM_MASTER_KEY).not.toBe('sk-1234');
    expect((await stat(join(box.stateDir, 'secrets.env'))).mode & 0o777).toBe(0o600);
    expect((await stat(box.stateDir)).mode & 0o777).toBe(0o700);
    expect(result.all).not.toContain(ZAI_KEY);
    expect(result.all).not.toContain(secrets.LITELLM_MASTER_KEY);
  });

  it('generates a different strong master key per machine and keeps it across re-runs', async () => {
    const a = await sandbox();
    const b = await sandbox();
    await runCli(a, ['--non-interactive', '--no-start'], { env: withKey });
    await runCli(b, ['--non-interactive', '--no-start'], { env: withKey });
    const keyA = (await secretsOf(a)).LITELLM_MASTER_KEY;
    expect(keyA).not.toBe((await secretsOf(b)).LITELLM_MASTER_KEY);
    await runCli(a, ['--non-interactive', '--no-start', '--port', '4111'], { env: withKey });
    expect((await secretsOf(a)).LITELLM_MASTER_KEY).toBe(keyA);
  });

  it('a second run plans nothing and writes nothing', async () => {
    const box = await sandbox();
    const path = await installCorpus(box, 'mcp-and-projects.toml');
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: withKey })).exitCode).toBe(0);
    const before = await snapshotTree(box.home);
    const second = await runCli(box, ['--non-interactive', '--no-start', '--json'], { env: withKey });
    expect(second.exitCode, second.all).toBe(0);
    const json = JSON.parse(second.stdout) as { changes: unknown[]; written: unknown[] };
    expect(json.changes).toEqual([]);
    expect(json.written).toEqual([]);
    expect(await snapshotTree(box.home)).toEqual(before);
    expect(await readFile(path, 'utf8')).toContain('[model_providers.glm-litellm]');
  });

  it('--dry-run prints diffs and changes nothing on disk', async () => {
    const box = await sandbox();
    await installCorpus(box, 'unicode.toml');
    const before = await snapshotTree(box.home);
    const result = await runCli(box, ['--non-interactive', '--dry-run'], { env: withKey });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('+[model_providers.glm-litellm]');
    expect(result.stdout).toContain('+base_url = "http://127.0.0.1:4000/v1"');
    expect(result.stdout).toContain(`+++ ${join(box.stateDir, 'glm-bridge.yaml')}\n`);
    expect(result.stdout).not.toMatch(/^\+\+\+ b\//m);
    expect(result.stdout).toContain('contents hidden');
    expect(result.all).not.toContain(ZAI_KEY);
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it('--no-start without LiteLLM: the closing line sends to setup (not `start`), state.json names no launcher, `start` says to run setup', async () => {
    const box = await sandbox();
    const result = await runCli(box, ['--non-interactive', '--no-start'], { env: withKey });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('LiteLLM is not in the state dir yet (--no-start). To find or install it and start the proxy:');
    expect(result.all).not.toContain('Start it with:');
    const manifest = JSON.parse(await readFile(join(box.stateDir, 'state.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.litellmLauncher).toBeUndefined();
    const start = await runCli(box, ['start']);
    expect(start.exitCode, start.all).toBe(ExitCode.prerequisite);
    expect(start.all).toContain('No LiteLLM that bridges is installed');
  });

  it('warns when the state dir is inside a git work tree (secrets.env could be committed), and not otherwise', async () => {
    const box = await sandbox();
    const quiet = await runCli(box, ['--non-interactive', '--no-start'], { env: withKey });
    expect(quiet.exitCode, quiet.all).toBe(0);
    expect(quiet.all).not.toContain('git work tree');
    const repoBox = await sandbox();
    await mkdir(join(repoBox.home, '.git'));
    const warned = await runCli(repoBox, ['--non-interactive', '--no-start'], { env: withKey });
    expect(warned.exitCode, warned.all).toBe(0);
    expect(warned.all).toMatch(/The state dir ~\/\.glm-codex is inside the git work tree ~: secrets\.env \(your keys\) could be committed/);
  });

  it('--json prints one parseable object with the outcome and no secret', async () => {
    const box = await sandbox();
    const result = await runCli(box, ['--non-interactive', '--no-start', '--json', '--make-default'], { env: withKey });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ok: true, command: 'setup', model: 'glm-5.2', port: 4000, codex: { profileShape: 'file' } });
    expect(result.stdout).not.toContain(ZAI_KEY);
    expect(result.stdout).not.toContain((await secretsOf(box)).LITELLM_MASTER_KEY);
    expect(result.stdout).not.toMatch(/sk-[A-Za-z0-9_-]{20,}/);
  });

  it('takes the key from --zai-key-file and refuses a key in argv', async () => {
    const box = await sandbox();
    const keyFile = join(box.home, 'zai.key');
    await writeFile(keyFile, `${ZAI_KEY}\n`, { mode: 0o600 });
    const ok = await runCli(box, ['--non-interactive', '--no-start', '--zai-key-file', keyFile]);
    expect(ok.exitCode, ok.all).toBe(0);
    expect((await secretsOf(box)).ZAI_API_KEY).toBe(ZAI_KEY);
    const refused = await runCli(box, ['--non-interactive', '--no-start', '--zai-key', ZAI_KEY]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/visible to every user/);
    expect(refused.all).not.toContain(ZAI_KEY);
  });

  it('exits 2 naming the flag and variable when the key is missing, and writes nothing', async () => {
    const box = await sandbox();
    const result = await runCli(box, ['--non-interactive', '--no-start']);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/ZAI_API_KEY/);
    expect(result.all).toMatch(/--zai-key-file/);
    expect(await readdir(box.codexHome)).toEqual([]);
  });

  it('fails at once without a terminal unless --non-interactive is given', async () => {
    const box = await sandbox();
    const result = await runCli(box, ['--no-start'], { env: withKey, input: '' });
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/--non-interactive/);
  });

  it('rejects unknown flags and bad values with exit 2', async () => {
    const box = await sandbox();
    expect((await runCli(box, ['--bogus'])).exitCode).toBe(2);
    expect((await runCli(box, ['--non-interactive', '--port', '99999'], { env: withKey })).exitCode).toBe(2);
    expect((await runCli(box, ['--non-interactive', '--endpoint', 'nowhere'], { env: withKey })).exitCode).toBe(2);
    expect((await runCli(box, ['--non-interactive', '--model', 'openai/gpt-5'], { env: withKey })).exitCode).toBe(2);
  });

  it('--litellm-version refuses a compromised, a too old or a malformed release with exit 2 and the reason', async () => {
    const box = await sandbox();
    const cases: [string, RegExp][] = [
      ['1.82.7', /credential stealer/],
      ['1.83.13', /too old/],
      ['latest', /not a LiteLLM release number/],
    ];
    for (const [version, reason] of cases) {
      const result = await runCli(box, ['--non-interactive', '--no-start', '--litellm-version', version], { env: withKey });
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toMatch(reason);
    }
    expect(await readdir(box.codexHome)).toEqual([]);
    const accepted = await runCli(box, ['--non-interactive', '--no-start', '--litellm-version', '1.90.0'], { env: withKey });
    expect(accepted.exitCode, accepted.all).toBe(0);
  });

  it('refuses a config.toml that does not parse, naming file:line:col, and leaves it untouched', async () => {
    const box = await sandbox();
    const path = await installCorpus(box, 'invalid-duplicate-key.toml');
    const before = await snapshotTree(box.home);
    const result = await runCli(box, ['--non-interactive', '--no-start'], { env: withKey });
    expect(result.exitCode).toBe(4);
    expect(result.all).toMatch(new RegExp(`${path.replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
    expect(await snapshotTree(box.home)).toEqual(before);
  });

  it('refuses a read-only config.toml with the cause and the fix', async () => {
    const box = await sandbox();
    const path = await installCorpus(box, 'minimal-provider.toml');
    await chmod(path, 0o444);
    const original = await readFile(path, 'utf8');
    const result = await runCli(box, ['--non-interactive', '--no-start'], { env: withKey });
    expect(result.exitCode).toBe(4);
    expect(result.all).toMatch(/read-only/);
    expect(result.all).toMatch(/chmod u\+w/);
    expect(await readFile(path, 'utf8')).toBe(original);
  });

  it('writes through a symlink to its target, keeps the link and the mode, and backs up first', async () => {
    const box = await sandbox();
    const dotfiles = join(box.home, 'dotfiles');
    await mkdir(dotfiles);
    const target = join(dotfiles, 'codex-config.toml');
    await copyFile(fixture('arrays-of-tables.toml'), target);
    await chmod(target, 0o640);
    const original = await readFile(target, 'utf8');
    await symlink(target, join(box.codexHome, 'config.toml'));
    const result = await runCli(box, ['--non-interactive', '--no-start', '--json'], { env: withKey });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await readFile(target, 'utf8')).startsWith(original.trimEnd())).toBe(true);
    expect(await readFile(target, 'utf8')).toContain('[model_providers.glm-litellm]');
    const link = await import('node:fs/promises').then((fs) => fs.lstat(join(box.codexHome, 'config.toml')));
    expect(link.isSymbolicLink()).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o640);
    const { backups } = JSON.parse(result.stdout) as { backups: { original: string; backup: string }[] };
    const backup = backups.find((b) => b.original.endsWith('config.toml'))!;
    expect(await readFile(backup.backup, 'utf8')).toBe(original);
  });

  it('keeps CRLF line endings', async () => {
    const box = await sandbox();
    const path = join(box.codexHome, 'config.toml');
    await writeFile(path, (await readFile(fixture('comments-everywhere.toml'), 'utf8')).replace(/\n/g, '\r\n'));
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: withKey })).exitCode).toBe(0);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('[model_providers.glm-litellm]\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('refuses to run while another run holds the lock', async () => {
    const box = await sandbox();
    await mkdir(box.stateDir, { recursive: true });
    await writeFile(join(box.stateDir, 'setup.lock'), `${process.pid}\n`);
    const result = await runCli(box, ['--non-interactive', '--no-start'], { env: { ...withKey, GLM_CODEX_LOCK_WAIT_MS: '500' } });
    expect(result.exitCode).toBe(4);
    expect(result.all).toMatch(/Another glm-codex-setup/);
    expect(await readdir(box.codexHome)).toEqual([]);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const box = await sandbox();
    await mkdir(box.stateDir, { recursive: true });
    await writeFile(join(box.stateDir, 'setup.lock'), '999999\n');
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: withKey })).exitCode).toBe(0);
  });
});

describe('profile shape by Codex version', () => {
  it('writes [profiles.glm] for Codex 0.133 and glm.config.toml for 0.134', async () => {
    const box = await sandbox({ codexOnPath: false, extraPath: [await fakeCodex('0.133.0')] });
    const path = await installCorpus(box, 'user-profiles-table.toml');
    expect((await runCli(box, ['--non-interactive', '--no-start'], { env: withKey })).exitCode).toBe(0);
    const legacy = validateToml(await readFile(path, 'utf8'), 'config.toml');
    expect(legacy.profiles).toMatchObject({ glm: { model: 'glm-5.2', model_provider: 'glm-litellm' }, careful: expect.any(Object) });
    await expect(stat(join(box.codexHome, 'glm.config.toml'))).rejects.toThrow();

    // Codex upgraded across 0.134: our table moves out, the user's [profiles.careful] stays.
    await writeFile(path, `profile = "glm"\n${await readFile(path, 'utf8')}`);
    const upgraded = { ...box, env: { ...box.env, PATH: `${await fakeCodex('0.134.0')}:${box.env.PATH}` } };
    const result = await runCli(upgraded, ['--non-interactive', '--no-start'], { env: withKey });
    expect(result.exitCode, result.all).toBe(0);
    const modern = validateToml(await readFile(path, 'utf8'), 'config.toml');
    expect(modern.profile).toBeUndefined();
    expect((modern.profiles as Record<string, unknown>).glm).toBeUndefined();
    expect((modern.profiles as Record<string, unknown>).careful).toEqual(legacy.profiles && (legacy.profiles as Record<string, unknown>).careful);
    expect(await readFile(join(box.codexHome, 'glm.config.toml'), 'utf8')).toContain('model_provider = "glm-litellm"');
  });
});

describe('--make-default', () => {
  it('sets the top-level default and --no-make-default puts the old one back byte for byte', async () => {
    const box = await sandbox();
    const path = await installCorpus(box, 'openrouter-default.toml');
    const original = await readFile(path, 'utf8');
    expect((await runCli(box, ['--non-interactive', '--no-start', '--make-default'], { env: withKey })).exitCode).toBe(0);
    const data = validateToml(await readFile(path, 'utf8'), 'config.toml');
    expect(data).toMatchObject({ model: 'glm-5.2', model_provider: 'glm-litellm' });
    expect((await runCli(box, ['--non-interactive', '--no-start', '--no-make-default'], { env: withKey })).exitCode).toBe(0);
    const restored = validateToml(await readFile(path, 'utf8'), 'config.toml');
    expect(restored.model_provider).toBe('openrouter');
    expect(restored.model).toBe(validateToml(original, 'x').model);
  });
});
