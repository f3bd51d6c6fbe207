import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every mode writes the same profile: `codex --profile glm`. */
const PROFILE_FILE = 'glm.config.toml';

/** A path as people write it: ~ for the home folder. */
export function tildify(path: string, home = process.env.HOME || homedir()): string {
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

export interface Paths {
  codexHome: string;
  codexConfig: string;
  codexProfile: string;
  stateDir: string;
  bridgeConfig: string;
  /** The LiteLLM callbacks glm-bridge.yaml names (Z.ai's refusals in Codex's words, GLM's windows as rate-limit headers). */
  bridgeHooks: string;
  secrets: string;
  manifest: string;
  /** The model catalog Codex reads through the profile's model_catalog_json. */
  catalog: string;
  backups: string;
  lock: string;
  venv: string;
  pidFile: string;
  logFile: string;
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

export function resolvePaths(input: { codexHome?: string | undefined; stateDir?: string | undefined }, env = process.env): Paths {
  const home = env.HOME || homedir();
  const codexHome = resolve(expandHome(input.codexHome ?? env.CODEX_HOME ?? join(home, '.codex'), home));
  const stateDir = resolve(expandHome(input.stateDir ?? env.GLM_CODEX_HOME ?? join(home, '.glm-codex'), home));
  return {
    codexHome,
    codexConfig: join(codexHome, 'config.toml'),
    codexProfile: join(codexHome, PROFILE_FILE),
    stateDir,
    bridgeConfig: join(stateDir, 'glm-bridge.yaml'),
    bridgeHooks: join(stateDir, 'glm_codex_hooks.py'),
    secrets: join(stateDir, 'secrets.env'),
    manifest: join(stateDir, 'state.json'),
    catalog: join(stateDir, 'glm-models.json'),
    backups: join(stateDir, 'backups'),
    lock: join(stateDir, 'setup.lock'),
    venv: join(stateDir, 'venv'),
    pidFile: join(stateDir, 'proxy.pid'),
    logFile: join(stateDir, 'proxy.log'),
  };
}
