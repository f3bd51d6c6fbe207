import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/** Every mode writes the same profile: `codex --profile glm`. */
const PROFILE_FILE = 'glm.config.toml';

/** A path as people write it: ~ for the home folder. */
export function tildify(path: string, home = homeFolder()): string {
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

export interface Paths {
  /** The user's home folder: $HOME when set and not empty, else the account's (never '', which would mean the current folder). */
  home: string;
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

/** $HOME, else the account's home from the user database: os.homedir() gives '' for HOME= (the current folder). */
export function homeFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOME) return env.HOME;
  try {
    return userInfo().homedir || homedir() || '/';
  } catch {
    return homedir() || '/';
  }
}

export function resolvePaths(input: { codexHome?: string | undefined; stateDir?: string | undefined }, env = process.env): Paths {
  const home = homeFolder(env);
  const codexHome = resolve(expandHome(input.codexHome ?? env.CODEX_HOME ?? join(home, '.codex'), home));
  const stateDir = resolve(expandHome(input.stateDir ?? env.GLM_CODEX_HOME ?? join(home, '.glm-codex'), home));
  return {
    home,
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
