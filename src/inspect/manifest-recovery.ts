/**
 * state.json is missing but config.toml holds a provider table that is this tool's for this state
 * dir (see ownProviderIds): what state.json would have said is read back from that table, so a
 * re-run repairs the setup in the same mode and uninstall removes the table. Files the tool created
 * are not guessed: without the record, none of them counts as created (nothing more is deleted).
 */
import type { Manifest } from '../config/manifest.js';
import { modeRecoveries } from '../config/mode-registry.js';
import { ownProviderIds } from '../config/provider-ownership.js';
import type { Secrets } from '../config/secrets.js';
import { getIn } from '../config/toml-data.js';
import { parseTomlData, splitBom, type TomlData } from '../config/toml-syntax.js';
import { tildify } from '../paths.js';

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
  // Each mode's row comes from its file in src/modes/ (registered when src/modes/index.ts loads).
  const rows = modeRecoveries();
  const byId = rows.find(([, row]) => row.providerId === id);
  const [mode, row] = byId ?? rows.find(([, candidate]) => candidate.fits?.(baseUrl, secrets) ?? true)!;
  return { version: 1, mode: mode as Manifest['mode'], ownsProvider: true, ...(byId === undefined ? { providerId: id } : {}), ...row.read(baseUrl) };
}
