/**
 * state.json is missing but config.toml holds a provider table that is this tool's for this state
 * dir (see ownProviderIds): what state.json would have said is read back from that table, so a
 * re-run repairs the setup in the same mode and uninstall removes the table. Files the tool created
 * are not guessed: without the record, none of them counts as created (nothing more is deleted).
 */
import type { Manifest } from '../config/manifest.js';
import { ownProviderIds } from '../config/provider-ownership.js';
import type { Secrets } from '../config/secrets.js';
import { getIn } from '../config/toml-data.js';
import { parseTomlData, splitBom, type TomlData } from '../config/toml-syntax.js';
import { tildify } from '../paths.js';

type ModeName = NonNullable<Manifest['mode']>;

/**
 * Per mode (src/modes/*.ts): the provider id it writes by default (a custom --provider-id is
 * remembered), whether a table under another id looks like its (the base URL, the key kept), and
 * what its base URL says. In the order a table under a custom id is tried.
 */
const RECOVERY: Record<ModeName, { id: string; fits(baseUrl: string, secrets: Secrets): boolean; read(baseUrl: string): Partial<Manifest> }> = {
  local: {
    id: 'glm-litellm',
    fits: (baseUrl, secrets) => LOCAL_URL.test(baseUrl) && secrets.LITELLM_MASTER_KEY !== undefined && secrets.LITELLM_MASTER_KEY !== '',
    read: (baseUrl) => {
      const port = LOCAL_URL.exec(baseUrl)?.[1];
      return port ? { port: Number(port) } : {};
    },
  },
  gateway: {
    id: 'glm-gateway',
    fits: (_baseUrl, secrets) => secrets.GLM_CODEX_GATEWAY_KEY !== undefined && secrets.GLM_CODEX_GATEWAY_KEY !== '',
    read: (baseUrl) => (baseUrl.endsWith('/v1') ? { gatewayUrl: baseUrl.slice(0, -3) } : {}),
  },
  direct: { id: 'glm-zai', fits: () => true, read: (baseUrl) => (baseUrl ? { apiBase: baseUrl } : {}) },
};
const LOCAL_URL = /^http:\/\/127\.0\.0\.1:(\d+)\/v1$/;

/**
 * The tool's own table names this state dir as it renders it (the auth command's path, or the
 * secrets.env in env_key_instructions): a file that never mentions it holds none, and a large
 * config.toml is then not parsed a second time on every fresh setup.
 */
function mentionsStateDir(text: string, stateDir: string): boolean {
  return [stateDir, tildify(stateDir), JSON.stringify(stateDir).slice(1, -1)].some((form) => text.includes(form));
}

export function recoverManifest(configText: string | null, stateDir: string, secrets: Secrets): Manifest | null {
  if (configText === null || !mentionsStateDir(configText, stateDir)) return null;
  let data: TomlData;
  try {
    data = parseTomlData(splitBom(configText).body, 'config.toml');
  } catch {
    return null;
  }
  const [id] = ownProviderIds(configText, stateDir, data);
  if (id === undefined) return null;
  const table = getIn(data, ['model_providers', id]) as { base_url?: unknown };
  const baseUrl = typeof table.base_url === 'string' ? table.base_url : '';
  const modes = Object.keys(RECOVERY) as ModeName[];
  const byId = modes.find((m) => RECOVERY[m].id === id);
  const mode = byId ?? modes.find((m) => RECOVERY[m].fits(baseUrl, secrets))!;
  return { version: 1, mode, ownsProvider: true, ...(byId === undefined ? { providerId: id } : {}), ...RECOVERY[mode].read(baseUrl) };
}
