import { mkdir, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa, type Options as ExecaOptions } from 'execa';
import { tempDir } from './tmp.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/glm-codex-setup.js');
export const NODE_BIN = join(ROOT, 'node_modules/.bin');
// Two Codex releases are installed (@openai/codex and the alias codex-newest); both declare the bin
// `codex`, so node_modules/.bin/codex is whichever npm linked last. Name each package's own script.
export const CODEX_BIN = process.env.GLM_TEST_CODEX_BIN ?? join(ROOT, 'node_modules/@openai/codex/bin/codex.js');
export const CODEX_NEWEST_BIN = process.env.GLM_TEST_CODEX_NEWEST_BIN ?? join(ROOT, 'node_modules/codex-newest/bin/codex.js');
/** A folder holding only `codex` -> CODEX_BIN, put first on the sandbox PATH so the tool finds that release. */
const CODEX_PATH_DIR = await pinnedCodexDir(CODEX_BIN);

async function pinnedCodexDir(codexBin: string): Promise<string> {
  const dir = await tempDir('glm-codex-bin-');
  await symlink(codexBin, join(dir, 'codex'));
  return dir;
}

export interface Sandbox {
  home: string;
  codexHome: string;
  stateDir: string;
  env: Record<string, string>;
}

/** A temporary HOME with CODEX_HOME and GLM_CODEX_HOME inside it; never the real ones. */
export async function sandbox(options: { codexOnPath?: boolean; extraPath?: string[] } = {}): Promise<Sandbox> {
  const home = await tempDir('glm-home-');
  const codexHome = join(home, '.codex');
  const stateDir = join(home, '.glm-codex');
  await mkdir(codexHome, { recursive: true });
  const pathParts = [...(options.extraPath ?? [])];
  if (options.codexOnPath !== false) pathParts.push(CODEX_PATH_DIR, NODE_BIN);
  pathParts.push('/usr/local/bin', '/usr/bin', '/bin');
  return {
    home,
    codexHome,
    stateDir,
    // GLM_CODEX_AUTH=env: most tests exercise the key through the environment (the shell blocks);
    // the command-backed default is tested where a test passes --codex-auth command or drops this.
    // GLM_CODEX_SUPERVISOR=off: tests that kill the proxy on purpose test the other ways back (the auth
    // command, a re-run); the supervisor is tested where a test sets it on (proxy-supervisor.test.ts).
    env: { HOME: home, CODEX_HOME: codexHome, GLM_CODEX_HOME: stateDir, PATH: pathParts.join(':'), NO_COLOR: '1', GLM_CODEX_AUTH: 'env', GLM_CODEX_SUPERVISOR: 'off' },
  };
}

/**
 * `codex exec --profile glm PROMPT` with nothing but HOME and a system PATH: no shell, no key
 * variable, no LiteLLM on PATH (what the IDE, a service or cron gives Codex).
 */
export const BARE_PATH = '/usr/bin:/bin';

export function bareCodex(box: Pick<Sandbox, 'home'>, prompt: string, timeout = 240_000) {
  return execa(CODEX_BIN, ['exec', '--skip-git-repo-check', '--profile', 'glm', prompt], {
    cwd: box.home,
    env: { HOME: box.home, PATH: BARE_PATH },
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout,
  });
}

export async function runCli(box: Sandbox, args: string[], options: { env?: Record<string, string | undefined>; input?: string; timeout?: number } = {}) {
  const execOptions: ExecaOptions = {
    cwd: box.home,
    env: { ...box.env, ...options.env },
    extendEnv: false,
    reject: false,
    timeout: options.timeout ?? 600_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  };
  const result = await execa(process.execPath, [BIN, ...args], execOptions);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: `${String(result.stdout)}\n${String(result.stderr)}` };
}

/** runCli with --json: the parsed object beside the raw output ({} when stdout is not JSON; callers assert the exit code). */
export async function runCliJson(box: Sandbox, args: string[], options: Parameters<typeof runCli>[2] = {}) {
  const result = await runCli(box, [...args, '--json'], options);
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(result.stdout) as Record<string, any>;
  } catch {
    /* asserted by the caller */
  }
  return { ...result, json };
}

/*
 * Test ports: each file takes its own range below 32768, outside Linux's ephemeral range
 * (32768-60999), so a client socket elsewhere in the suite can never hold a port a proxy is about
 * to bind: proxy 21000-21999, diagnosis 22000-22999, litellm-runtime 23000-23999, quickstart 24000+,
 * interactive 25000+, wizard 25500+ (new wizard tests 25600-25999), repair 26000+, gateway mode 27000-27199,
 * direct mode 27200-27499, bench 28000-28999, gateway-litellm 29000-29499, concurrency 30500-30899,
 * deadline 30900+, model-catalog 31000+, zai-models 31200-31399, proxy-supervisor 31400-31599, refusals in Codex 31600-31699,
 * second-ten-minutes 31700-31799, usage 31800-31899,
 * foreign-user 19500-19599, shared-machine 19600-19699, large-config 31900-31999 (no proxy: --no-start),
 * newcomer-trial 19700-19799 (branch h21t), its flag-change re-run 19800-19899 (branch h21u).
 */
