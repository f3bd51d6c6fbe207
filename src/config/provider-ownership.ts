/**
 * Whose `[model_providers.<id>]` is it? The tool's when its state.json says it created the table
 * (for the mode it set up). A table of the user's own under the same id is never taken over (its
 * keys rewritten) nor deleted at uninstall: setup refuses and names it.
 */
import type { AST } from 'toml-eslint-parser';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Manifest } from './manifest.js';
import { parseTomlData, parseTree, splitBom, type TomlData } from './toml-syntax.js';
import { excerptFor, originalOffset } from './toml-segments.js';
import { getIn } from './toml-data.js';
import { appCopyBin } from './codex-auth.js';
import { tildify } from '../paths.js';

/** True when the tool created the provider table. Manifests older than `ownsProvider` that record a setup count as the tool's. */
export function ownsProvider(manifest: Manifest): boolean {
  if (manifest.ownsProvider !== undefined) return manifest.ownsProvider;
  return manifest.createdFiles !== undefined || manifest.rcFiles !== undefined || manifest.model !== undefined;
}

function keySegments(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

/** Compares two key paths over their common length: one is a prefix of the other. */
function overlaps(a: readonly (string | number)[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== b[i]) return false;
  return true;
}

function keyValueLine(kvs: AST.TOMLKeyValue[], base: readonly (string | number)[], PROVIDER_PATH: readonly string[], lineOf: (node: AST.TOMLNode) => number): number | null {
  for (const kv of kvs) {
    const path = [...base.map(String), ...keySegments(kv.key)];
    if (path.length >= PROVIDER_PATH.length && overlaps(path, PROVIDER_PATH)) return lineOf(kv);
    if (overlaps(path, PROVIDER_PATH) && kv.value.type === 'TOMLInlineTable') {
      const inner = keyValueLine(kv.value.body, path, PROVIDER_PATH, lineOf);
      if (inner !== null) return inner;
    }
  }
  return null;
}

/** The line where `[model_providers.<id>]` (or a key of it) first appears, or null when the file has none. */
export function providerTableLine(text: string, id: string): number | null {
  const PROVIDER_PATH = ['model_providers', id];
  const { body } = splitBom(text);
  let top: AST.TOMLTopLevelTable;
  // A large file: only its root keys and [model_providers.*] tables are parsed into a tree (toml-segments.ts).
  const excerpt = body.length > 256 * 1024 ? excerptFor(body, new Set(['model_providers']), '\n') : null;
  const lineOf = (node: AST.TOMLNode): number => {
    if (!excerpt) return node.loc.start.line;
    const offset = originalOffset(excerpt, node.range[0]) ?? 0;
    let line = 1;
    for (let at = body.indexOf('\n'); at !== -1 && at < offset; at = body.indexOf('\n', at + 1)) line++;
    return line;
  };
  try {
    top = parseTree(excerpt?.text ?? body, 'config.toml').body[0];
  } catch {
    // Does not parse: a header is still recognisable line by line.
    const lines = body.split('\n');
    const quoted = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const header = new RegExp(`^\\s*\\[\\s*model_providers\\s*\\.\\s*(?:${quoted}|"${quoted}"|'${quoted}')\\s*[\\].]`);
    const index = lines.findIndex((line) => header.test(line));
    return index === -1 ? null : index + 1;
  }
  const topLevel = keyValueLine(top.body.filter((item): item is AST.TOMLKeyValue => item.type === 'TOMLKeyValue'), [], PROVIDER_PATH, lineOf);
  if (topLevel !== null) return topLevel;
  for (const item of top.body) {
    if (item.type !== 'TOMLTable') continue;
    if (item.resolvedKey.length >= PROVIDER_PATH.length && overlaps(item.resolvedKey, PROVIDER_PATH)) return lineOf(item);
    if (item.kind === 'standard' && overlaps(item.resolvedKey, PROVIDER_PATH)) {
      const line = keyValueLine(item.body, item.resolvedKey, PROVIDER_PATH, lineOf);
      if (line !== null) return line;
    }
  }
  return null;
}

/**
 * The refusal when config.toml has a `[model_providers.<id>]` the tool did not create, or null.
 * `ownedId`: the provider id of the mode the tool set up and owns (null when it owns none).
 */
export function foreignProviderProblem(text: string | null, id: string, ownedId: string | null, file: string, stateDir?: string, data?: TomlData): UserError | null {
  if (text === null || id === ownedId) return null;
  if (stateDir !== undefined && ownProviderIds(text, stateDir, data).includes(id)) return null;
  const line = providerTableLine(text, id);
  if (line === null) return null;
  return new UserError('provider-not-ours', `${file}:${line}: [model_providers.${id}] is your own table (glm-codex-setup did not create it); it was not changed.`, {
    exitCode: ExitCode.config,
    fix: 'rename or remove your table, or choose another provider id with --provider-id ID',
  });
}

/**
 * The provider tables in config.toml that are this tool's for this state dir by what they say: the
 * auth command runs this state dir's app copy with `--state-dir <this dir>`, or (environment auth)
 * env_key_instructions name this state dir's secrets.env. Nobody but the tool writes either, so a
 * table is recognised as the tool's even when state.json is lost, or a crash came between the
 * config.toml write and the state.json write (state.json stays the last write: it records what was done).
 */
export function ownProviderIds(text: string | null, stateDir: string, parsed?: TomlData): string[] {
  if (text === null) return [];
  let data: TomlData;
  try {
    // `parsed`: the caller's data of the same text (a large file is parsed once per command).
    data = parsed ?? parseTomlData(splitBom(text).body, 'config.toml');
  } catch {
    return [];
  }
  const providers = getIn(data, ['model_providers']);
  if (typeof providers !== 'object' || providers === null) return [];
  const secretsFile = `${tildify(stateDir)}/secrets.env`;
  return Object.entries(providers as Record<string, unknown>)
    .filter(([, table]) => {
      if (typeof table !== 'object' || table === null) return false;
      const { auth, env_key_instructions: instructions } = table as { auth?: { args?: unknown }; env_key_instructions?: unknown };
      const args = Array.isArray(auth?.args) ? auth.args : null;
      if (args && args[0] === appCopyBin(stateDir) && args[1] === 'auth-token' && args[args.indexOf('--state-dir') + 1] === stateDir) return true;
      return typeof instructions === 'string' && instructions.includes(secretsFile);
    })
    .map(([id]) => id);
}
