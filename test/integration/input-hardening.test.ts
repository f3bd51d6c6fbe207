/**
 * Small input items from the hardening issue, through the real CLI (--no-start: no proxy needed):
 * key files, key characters, secrets.env safe to source, weak master keys, plain-http endpoints,
 * env_key_instructions naming the real state dir, whitespace-only and [[array]] config.toml, and a
 * user's top-level profile = "glm".
 */
import { chmod, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { parseSecrets } from '../../src/config/secrets.js';
import { renderKeyEnv } from '../../src/config/shell-env.js';
import { runCli, runCliJson, sandbox } from '../helpers/cli.js';

const KEY = 'zai-input-key.0123456789abcdef';
const ARGS = ['--non-interactive', '--no-start', '--no-shell-rc', '--endpoint', 'general'];

async function storedSecrets(stateDir: string) {
  return parseSecrets(await readFile(join(stateDir, 'secrets.env'), 'utf8')).secrets;
}

describe('--zai-key-file', () => {
  it('a ZAI_API_KEY=… line stores the key, not the line', async () => {
    const box = await sandbox({ codexOnPath: false });
    await writeFile(join(box.home, 'key.env'), `export ZAI_API_KEY="${KEY}"\n`);
    const result = await runCli(box, [...ARGS, '--zai-key-file', join(box.home, 'key.env')]);
    expect(result.exitCode, result.all).toBe(0);
    expect((await storedSecrets(box.stateDir)).ZAI_API_KEY).toBe(KEY);
  });

  it('another NAME=value is refused, naming the variable and not the value', async () => {
    const box = await sandbox({ codexOnPath: false });
    await writeFile(join(box.home, 'key.env'), 'OPENAI_API_KEY=sk-secret-value-123\n');
    const result = await runCli(box, [...ARGS, '--zai-key-file', join(box.home, 'key.env')]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toContain('OPENAI_API_KEY=…');
    expect(result.all).not.toContain('sk-secret-value-123');
  });

  it('a 50 MB file is refused without reading it', async () => {
    const box = await sandbox({ codexOnPath: false });
    const big = join(box.home, 'big');
    await writeFile(big, '');
    await truncate(big, 50 * 1024 * 1024);
    const result = await runCli(box, [...ARGS, '--zai-key-file', big]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/52428800 bytes.*at most 4096 bytes/);
  });
});

describe('the Z.ai key and secrets.env', () => {
  it('a non-ASCII key is named as such', async () => {
    const box = await sandbox({ codexOnPath: false });
    const result = await runCli(box, ARGS, { env: { ZAI_API_KEY: 'abc\u2014def' } });
    expect(result.exitCode).toBe(2);
    expect(result.all).toContain('non-ASCII character at character 4');
  });

  it('a key with $( ) and backticks is stored so that sourcing secrets.env runs nothing', async () => {
    const box = await sandbox({ codexOnPath: false });
    const marker = join(box.home, 'ran');
    const hostile = `abc$(touch\${IFS}${marker})\`touch\${IFS}${marker}\``;
    const result = await runCli(box, ARGS, { env: { ZAI_API_KEY: hostile } });
    expect(result.exitCode, result.all).toBe(0);
    const sourced = await execa('bash', ['-c', `. ${join(box.stateDir, 'secrets.env')}; printf %s "$ZAI_API_KEY"`]);
    expect(sourced.stdout).toBe(hostile);
    await expect(execa('test', ['-e', marker])).rejects.toThrow();
  });

  it('a weak master key is replaced (and said why); doctor fails it', async () => {
    const box = await sandbox({ codexOnPath: false });
    expect((await runCli(box, ARGS, { env: { ZAI_API_KEY: KEY } })).exitCode).toBe(0);
    const secretsFile = join(box.stateDir, 'secrets.env');
    await writeFile(secretsFile, `ZAI_API_KEY=${KEY}\nLITELLM_MASTER_KEY=sk-1234\n`);
    await chmod(secretsFile, 0o600);
    await writeFile(join(box.stateDir, 'codex-env.sh'), renderKeyEnv('sh', 'LITELLM_API_KEY', 'sk-1234'));
    const doctor = await runCliJson(box, ['doctor']);
    const check = doctor.json.checks.find((c: { id: string }) => c.id === 'secrets');
    expect(check).toMatchObject({ status: 'FAIL' });
    expect(check.message).toMatch(/weak.*access-control-allow-origin/);

    const rerun = await runCli(box, ARGS, { env: { ZAI_API_KEY: KEY } });
    expect(rerun.exitCode, rerun.all).toBe(0);
    expect(rerun.all).toMatch(/was weak .*replaced with a new random key/);
    const key = (await storedSecrets(box.stateDir)).LITELLM_MASTER_KEY!;
    expect(key).not.toBe('sk-1234');
    expect(key.length).toBeGreaterThanOrEqual(35);
    expect(await readFile(join(box.stateDir, 'codex-env.sh'), 'utf8')).toBe(renderKeyEnv('sh', 'LITELLM_API_KEY', key));
  });
});

describe('endpoints', () => {
  it('plain http:// to another host is warned about; to loopback it is not', async () => {
    const box = await sandbox({ codexOnPath: false });
    const remote = await runCli(box, [...ARGS.slice(0, -2), '--endpoint', 'http://gateway.example.com/v4'], { env: { ZAI_API_KEY: KEY } });
    expect(remote.exitCode, remote.all).toBe(0);
    expect(remote.all).toMatch(/plain http:\/\/ to another machine/);
    const local = await runCli(box, [...ARGS.slice(0, -2), '--endpoint', 'http://127.0.0.1:9/v4'], { env: { ZAI_API_KEY: KEY } });
    expect(local.all).not.toMatch(/plain http:\/\//);
  });
});

describe('config.toml', () => {
  it('env_key_instructions names the real state dir', async () => {
    const box = await sandbox({ codexOnPath: false });
    const stateDir = join(box.home, 'elsewhere', 'glm-state');
    const result = await runCli(box, ARGS, { env: { ZAI_API_KEY: KEY, GLM_CODEX_HOME: stateDir } });
    expect(result.exitCode, result.all).toBe(0);
    const config = parse(await readFile(join(box.codexHome, 'config.toml'), 'utf8')) as any;
    expect(config.model_providers['glm-litellm'].env_key_instructions).toContain('~/elsewhere/glm-state/secrets.env');
  });

  it.each([' ', '\t', '  \t '])('a whitespace-only file without a final newline (%j) gets the table on a line of its own', async (content) => {
    const box = await sandbox({ codexOnPath: false });
    await writeFile(join(box.codexHome, 'config.toml'), content);
    const result = await runCli(box, ARGS, { env: { ZAI_API_KEY: KEY } });
    expect(result.exitCode, result.all).toBe(0);
    const text = await readFile(join(box.codexHome, 'config.toml'), 'utf8');
    expect(text.startsWith(`${content}\n[model_providers.glm-litellm]\n`)).toBe(true);
  });

  it('[[model_providers]] is refused with its real line', async () => {
    const box = await sandbox({ codexOnPath: false });
    const original = 'model = "o3"\n[[model_providers]]\nname = "x"\n';
    await writeFile(join(box.codexHome, 'config.toml'), original);
    const result = await runCli(box, ARGS, { env: { ZAI_API_KEY: KEY } });
    expect(result.exitCode).toBe(4);
    expect(result.all).toContain('config.toml:2:1: [[model_providers]]');
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).toBe(original);
  });

  it('a user\'s top-level profile = "glm" is removed with a word about it and about --make-default', async () => {
    const box = await sandbox({ codexOnPath: false });
    await writeFile(join(box.codexHome, 'config.toml'), 'profile = "glm"\nmodel = "o3"\n');
    const result = await runCli(box, ARGS, { env: { ZAI_API_KEY: KEY } });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/profile = "glm" at the top level.*removed.*--make-default/s);
    expect(await readFile(join(box.codexHome, 'config.toml'), 'utf8')).not.toMatch(/^profile/m);
  });
});
