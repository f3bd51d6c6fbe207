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

/** The provider ids each mode writes by default (src/modes/*.ts): a custom --provider-id is remembered. */
const DEFAULT_IDS: Record<string, Manifest['mode']> = { 'glm-litellm': 'local', 'glm-zai': 'direct', 'glm-gateway': 'gateway' };

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
  const local = /^http:\/\/127\.0\.0\.1:(\d+)\/v1$/.exec(baseUrl);
  const mode: Manifest['mode'] =
    DEFAULT_IDS[id] ?? (local && secrets.LITELLM_MASTER_KEY ? 'local' : secrets.GLM_CODEX_GATEWAY_KEY ? 'gateway' : 'direct');
  const manifest: Manifest = { version: 1, mode, ownsProvider: true, ...(DEFAULT_IDS[id] === undefined ? { providerId: id } : {}) };
  if (mode === 'local' && local) manifest.port = Number(local[1]);
  if (mode === 'direct' && baseUrl) manifest.apiBase = baseUrl;
  if (mode === 'gateway' && baseUrl.endsWith('/v1')) manifest.gatewayUrl = baseUrl.slice(0, -3);
  return manifest;
}
