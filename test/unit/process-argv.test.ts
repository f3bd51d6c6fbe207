/**
 * The argv of every external program the tool runs, pinned without the program: the process seam
 * (src/process/run.ts) is replaced by a recorder that answers as the real program would.
 */
import { cli } from '../../src/invocation.js';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction } from '../../src/apply/actions.js';
import { captureBasePrompt } from '../../src/codex/base-prompt.js';
import { offerCodexInstall } from '../../src/commands/setup.js';
import { validateCatalog } from '../../src/config/model-catalog.js';
import { codexAt } from '../../src/codex/version.js';
import { parseOptions } from '../../src/options.js';
import { resolvePaths } from '../../src/paths.js';
import { setRunnerForTests, type RunResult, type Runner } from '../../src/process/run.js';
import { installLiteLLM } from '../../src/runtime/litellm.js';
import { startProxy } from '../../src/runtime/proxy.js';
import { PROXY_GC_THRESHOLD } from '../../src/runtime/proxy-launch.js';
import { PROXY_ENTRY_MODULES, startCompileAhead } from '../../src/runtime/compile-ahead.js';
import { packageRoot } from '../../src/templates.js';
import { SERVICE_PLATFORMS } from '../../src/units/autostart.js';
import { runCodexCheck } from '../../src/verify/codex-check.js';
import { tempDir } from '../helpers/tmp.js';

interface Call {
  how: keyof Runner;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  extendEnv?: boolean;
  timeoutMs?: number;
}

/** Records every spawn; `answer` says what the program would print. */
function recorder(answer: (argv: string[]) => Partial<RunResult> | Promise<Partial<RunResult>> = () => ({})) {
  const calls: Call[] = [];
  const result = async (argv: string[]): Promise<RunResult> => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, ...(await answer(argv)) });
  const fake: Runner = {
    async run(file, args, options) {
      calls.push({ how: 'run', argv: [file, ...args], env: options.env, extendEnv: options.extendEnv, timeoutMs: options.timeoutMs });
      return result([file, ...args]);
    },
    async stream(file, args, options) {
      calls.push({ how: 'stream', argv: [file, ...args], env: options.env, timeoutMs: options.timeoutMs });
      const { exitCode, timedOut } = await result([file, ...args]);
      return { exitCode, timedOut };
    },
    async startDetached(file, args, options) {
      calls.push({ how: 'startDetached', argv: [file, ...args], env: options.env });
      return 999_999;
    },
    async interactive(file, args, options) {
      calls.push({ how: 'interactive', argv: [file, ...args], timeoutMs: options.timeoutMs });
      return (await result([file, ...args])).exitCode;
    },
  };
  restore = setRunnerForTests(fake);
  return calls;
}

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

const PYTHON = { command: ['python3'], executable: '/usr/bin/python3.11', version: '3.11.2' };
const probeAnswer = JSON.stringify({ version: '1.108.7', proxy: true });

/** The installer's answers: the venv step creates the folder, the probe names a release that bridges. */
function installerAnswers(venv: string) {
  return async (argv: string[]) => {
    if (argv.includes('venv')) await mkdir(join(venv, 'bin'), { recursive: true });
    return argv.includes('-c') ? { stdout: probeAnswer } : {};
  };
}

describe('the LiteLLM install', () => {
  it('without uv: python -m venv, then the venv pip installs the pinned release', async () => {
    const dir = await tempDir();
    const venv = join(dir, 'venv');
    const calls = recorder(installerAnswers(venv));
    await installLiteLLM({ venv, python: PYTHON, env: { PATH: join(dir, 'empty') } });
    const py = join(venv, 'bin', 'python');
    expect(calls.map((c) => [c.how, ...c.argv])).toEqual([
      ['stream', 'python3', '-m', 'venv', venv],
      ['stream', py, '-m', 'pip', 'install', '--upgrade', 'litellm[proxy]==1.108.7'],
      ['run', py, '-c', expect.stringContaining('importlib.metadata')],
    ]);
    expect(calls[1]!.env?.PIP_DISABLE_PIP_VERSION_CHECK).toBe('1');
    expect(calls[1]!.timeoutMs).toBe(20 * 60_000);
  });

  it('with uv on PATH: pip config list for the index, uv venv, uv pip install', async () => {
    const dir = await tempDir();
    const venv = join(dir, 'venv');
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'uv'), '#!/bin/sh\n');
    await chmod(join(bin, 'uv'), 0o755);
    const calls = recorder(installerAnswers(venv));
    await installLiteLLM({ venv, python: PYTHON, env: { PATH: bin } });
    const py = join(venv, 'bin', 'python');
    expect(calls.map((c) => [c.how, ...c.argv])).toEqual([
      ['run', 'python3', '-m', 'pip', 'config', 'list'],
      ['stream', join(bin, 'uv'), 'venv', '--python', '/usr/bin/python3.11', venv],
      ['stream', join(bin, 'uv'), 'pip', 'install', '--python', py, 'litellm[proxy]==1.108.7'],
      ['run', py, '-c', expect.stringContaining('importlib.metadata')],
    ]);
    expect(calls[0]!.extendEnv).toBe(false);
  });
});

describe('the LiteLLM proxy', () => {
  it('starts detached on 127.0.0.1 with the bridge config, the keys only in its environment', async () => {
    const dir = await tempDir();
    const paths = resolvePaths({ codexHome: join(dir, 'codex'), stateDir: dir });
    const calls = recorder();
    const record = await startProxy({ paths, launcher: ['/venv/bin/litellm'], port: 4123, secrets: { ZAI_API_KEY: 'zai-key', LITELLM_MASTER_KEY: 'sk-master' }, hash: 'h' });
    expect(calls.map((c) => [c.how, ...c.argv])).toEqual([['startDetached', '/venv/bin/litellm', '--config', paths.bridgeConfig, '--host', '127.0.0.1', '--port', '4123']]);
    expect(calls[0]!.env).toMatchObject({ ZAI_API_KEY: 'zai-key', LITELLM_MASTER_KEY: 'sk-master', LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_TELEMETRY: 'False', GLM_CODEX_SETUP_COMMAND: cli() });
    expect(calls[0]!.argv.join(' ')).not.toMatch(/zai-key|sk-master/);
    expect(record).toMatchObject({ pid: 999_999, port: 4123, command: calls[0]!.argv });
  });

  it('runs a console script and a `-m` launcher under their own Python with a larger GC threshold; anything else as it is', async () => {
    const dir = await tempDir();
    const paths = resolvePaths({ codexHome: join(dir, 'codex'), stateDir: dir });
    const tail = ['--config', paths.bridgeConfig, '--host', '127.0.0.1', '--port', '4123'];
    const script = join(dir, 'litellm');
    const trampoline = join(dir, 'litellm-long');
    await writeFile(script, '#!/opt/venv/bin/python3.12\nimport sys\n');
    await writeFile(trampoline, "#!/bin/sh\n'''exec' \"/a/very/long/venv/bin/python\" \"$0\" \"$@\"\n' '''\n");
    const calls = recorder();
    const secrets = { ZAI_API_KEY: 'zai-key', LITELLM_MASTER_KEY: 'sk-master' };
    const started = await startProxy({ paths, launcher: [script], port: 4123, secrets, hash: 'h' });
    await startProxy({ paths, launcher: ['/usr/bin/python3', '-m', 'litellm.proxy.proxy_cli'], port: 4123, secrets, hash: 'h' });
    await startProxy({ paths, launcher: [trampoline], port: 4123, secrets, hash: 'h' });
    const code = expect.stringContaining(`gc.set_threshold(${PROXY_GC_THRESHOLD}, 10, 10)`);
    expect(calls.map((c) => c.argv)).toEqual([
      ['/opt/venv/bin/python3.12', '-c', expect.stringContaining("runpy.run_path(sys.argv[0], run_name='__main__')"), script, ...tail],
      ['/usr/bin/python3', '-c', expect.stringContaining("runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"), 'litellm.proxy.proxy_cli', ...tail],
      [trampoline, ...tail],
    ]);
    expect(calls.slice(0, 2).map((c) => c.argv[2])).toEqual([code, code]);
    // The pid file records what runs, so the proxy is recognised by its real argv.
    expect(started.command).toEqual(calls[0]!.argv);
  });

  it("beside a start from the tool's venv: the venv's Python, isolated, compiles ahead of the entry modules; never for the user's LiteLLM", async () => {
    const venv = join(await tempDir(), 'venv');
    await mkdir(join(venv, 'bin'), { recursive: true });
    await writeFile(join(venv, 'bin', 'python'), '');
    const calls = recorder();
    const compiling = startCompileAhead([join(venv, 'bin', 'litellm')], venv, 60_000);
    await compiling!.stop();
    expect(calls.map((c) => [c.how, ...c.argv])).toEqual([['run', join(venv, 'bin', 'python'), '-I', join(packageRoot(), 'templates', 'compile_ahead.py'), ...PROXY_ENTRY_MODULES]]);
    // Nothing of this process's environment (keys included) reaches it.
    expect(calls[0]).toMatchObject({ env: {}, extendEnv: false, timeoutMs: 60_000 });
    expect(startCompileAhead(['/usr/local/bin/litellm'], venv, 60_000)).toBeNull();
    expect(startCompileAhead([join(venv, 'bin', 'python'), '-m', 'litellm.proxy.proxy_cli'], venv, 60_000)).not.toBeNull();
  });
});

describe('Codex', () => {
  it('codex --version', async () => {
    const calls = recorder(() => ({ stdout: 'codex-cli 0.169.0' }));
    expect(await codexAt('/opt/codex')).toEqual({ bin: '/opt/codex', version: '0.169.0' });
    expect(calls.map((c) => c.argv)).toEqual([['/opt/codex', '--version']]);
  });

  it('codex debug models loads the catalog in an empty CODEX_HOME', async () => {
    const dir = await tempDir();
    const catalog = join(dir, 'catalog.json');
    await writeFile(catalog, JSON.stringify({ models: [{ slug: 'glm-5.1' }] }));
    const calls = recorder(() => ({ stdout: JSON.stringify({ models: [{ slug: 'glm-5.1', base_instructions: 'You are Codex.' }] }) }));
    expect((await validateCatalog('/opt/codex', catalog)).ok).toBe(true);
    expect(calls.map((c) => c.argv)).toEqual([['/opt/codex', 'debug', 'models', '-c', `model_catalog_json=${JSON.stringify(catalog)}`]]);
    expect(calls[0]!.extendEnv).toBe(false);
    expect(Object.keys(calls[0]!.env!).sort()).toEqual(['CODEX_HOME', 'HOME', 'PATH']);
  });

  it('the base-prompt capture: codex exec in a throwaway CODEX_HOME with only the probe key', async () => {
    const calls = recorder((argv) => (argv[1] === '--version' ? { stdout: 'codex-cli 0.169.0' } : { exitCode: 1, stderr: 'no request' }));
    await expect(captureBasePrompt('/opt/codex', { timeoutMs: 5_000 })).rejects.toThrow(/exited with code 1 before sending a request/);
    expect(calls.map((c) => c.argv)).toEqual([
      ['/opt/codex', '--version'],
      ['/opt/codex', 'exec', '--skip-git-repo-check', 'Reply with OK'],
    ]);
    expect(calls[1]!.extendEnv).toBe(false);
    expect(Object.keys(calls[1]!.env!).sort()).toEqual(['CODEX_HOME', 'GLM_CODEX_PROMPT_PROBE_KEY', 'HOME', 'PATH']);
  });

  it('the validation: codex exec --profile, the key only in the environment', async () => {
    const calls = recorder(() => ({ stdout: 'OK' }));
    // A key the user exported for the tool never reaches Codex (Codex may write its environment to disk).
    const saved = { ...process.env };
    process.env.ZAI_API_KEY = 'zai-secret';
    process.env.GLM_CODEX_GATEWAY_KEY = 'gw-secret';
    try {
      const result = await runCodexCheck({ codexBin: '/opt/codex', codexHome: '/h/.codex', profile: 'glm', authEnv: { GLM_CODEX_KEY: 'sk-x' }, cwd: '/tmp' });
      expect(result.ok).toBe(true);
    } finally {
      process.env = saved;
    }
    expect(calls.map((c) => c.argv)).toEqual([['/opt/codex', 'exec', '--skip-git-repo-check', '--profile', 'glm', 'Reply with OK']]);
    expect(calls[0]!.env).toMatchObject({ CODEX_HOME: '/h/.codex', GLM_CODEX_KEY: 'sk-x', PATH: process.env.PATH });
    expect(calls[0]!.env).not.toHaveProperty('ZAI_API_KEY');
    expect(calls[0]!.env).not.toHaveProperty('GLM_CODEX_GATEWAY_KEY');
    expect(calls[0]!.extendEnv).toBe(false);
    expect(calls[0]!.timeoutMs).toBe(120_000);
  });

  it('the install the wizard offers: npm install -g @openai/codex on the terminal, with a deadline', async () => {
    const calls = recorder();
    const said: string[] = [];
    const out = { info: (m: string) => said.push(m), warn: (m: string) => said.push(m), success: (m: string) => said.push(m) };
    const dir = await tempDir();
    // Through apply/ (a run operation): the same argv, now behind --dry-run's switch.
    await offerCodexInstall({ prompts: { confirm: async () => true } as never, out: out as never, paths: resolvePaths({ stateDir: dir, codexHome: dir }), options: parseOptions(['--non-interactive'], {}) });
    expect(calls[0]).toMatchObject({ how: 'interactive', argv: ['npm', 'install', '-g', '@openai/codex'] });
    expect(calls[0]!.timeoutMs).toBeGreaterThan(0);
  });
});

describe('autostart: the service managers', () => {
  const argvs = (platform: NodeJS.Platform, which: 'enable' | 'disable') => SERVICE_PLATFORMS[platform]![which]('/f/service');
  const expected = {
    linux: {
      enable: [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', 'glm-codex-proxy.service']],
      disable: [['systemctl', '--user', 'disable', 'glm-codex-proxy.service'], ['systemctl', '--user', 'daemon-reload']],
    },
    darwin: { enable: [['launchctl', 'load', '-w', '/f/service']], disable: [['launchctl', 'unload', '-w', '/f/service']] },
    win32: {
      enable: [['schtasks', '/Create', '/TN', 'glm-codex-setup proxy', '/XML', '/f/service', '/F']],
      disable: [['schtasks', '/Delete', '/TN', 'glm-codex-setup proxy', '/F']],
    },
  } as const;

  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    for (const which of ['enable', 'disable'] as const) {
      it(`${platform} ${which}: each argv runs as planned, in order`, async () => {
        const calls = recorder();
        const dir = await tempDir();
        const said: string[] = [];
        const out = { success: (m: string) => said.push(m) };
        const op = { kind: 'run', action: 'service', argvs: argvs(platform, which), label: which } as const;
        await runAction(op as never, { paths: resolvePaths({ stateDir: dir, codexHome: dir }), out: out as never, options: { python: undefined }, runtime: null }, { litellm: null, proxy: null, stopped: [], codex: null, gatewayKey: null });
        expect(calls.map((c) => c.argv)).toEqual(expected[platform][which]);
        expect(said).toEqual([which]);
      });
    }
  }

  it('a service manager that refuses stops the apply with its last line', async () => {
    recorder(() => ({ exitCode: 1, stderr: 'Failed to connect to bus' }));
    const dir = await tempDir();
    const op = { kind: 'run', action: 'service', argvs: argvs('linux', 'enable'), label: 'enable' };
    await expect(runAction(op as never, { paths: resolvePaths({ stateDir: dir, codexHome: dir }), out: { success: () => undefined } as never, options: { python: undefined }, runtime: null }, { litellm: null, proxy: null, stopped: [], codex: null, gatewayKey: null })).rejects.toThrow(
      /systemctl --user daemon-reload` failed \(exit 1\): Failed to connect to bus/,
    );
  });
});
