/** Step 1 of the pipeline: what is on the machine now. Reads only. */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseManifest, type Manifest } from '../config/manifest.js';
import { parseSecrets, type Secrets } from '../config/secrets.js';
import { readTextIfExists } from '../fs/read.js';
import { legacyProfilesInText, OWN_PROFILE, profileFilePath, type LegacyProfiles } from '../config/legacy-profiles.js';
import type { Paths } from '../paths.js';
import { keyEnvFiles, rcCandidates, rcTargets, type RcTarget } from '../config/shell-env.js';
import { appCopyState } from '../fs/app-copy.js';
import { autostartPath, serviceManagerAvailable, type ServiceManagerStatus } from '../config/autostart.js';
import { proxyProcessState, type ProxyProcessState } from '../runtime/proxy.js';
import { recoverManifest } from './manifest-recovery.js';
import { basePromptFor, type BasePromptState } from './base-prompt.js';
import { detectCodex, type CodexInstall } from '../codex/version.js';

export interface FileSnapshot {
  path: string;
  text: string | null;
}

export interface SetupState {
  paths: Paths;
  codex: CodexInstall;
  codexConfig: FileSnapshot;
  codexProfile: FileSnapshot;
  bridge: FileSnapshot;
  /** The callback module glm-bridge.yaml names (glm_codex_hooks.py). */
  bridgeHooks: FileSnapshot;
  secretsFile: FileSnapshot & { mode: number | null };
  manifestFile: FileSnapshot;
  manifest: Manifest;
  secrets: Secrets;
  secretsOtherLines: string[];
  /** Shell startup files that get the key block, as they are now (with the folders writing one would create). */
  rcFiles: (RcTarget & { text: string | null; missingDirs?: string[] })[];
  /** Every startup file a block may be in (today's targets, every other candidate, and those state.json recorded): what undo looks at. */
  rcCandidates: (RcTarget & { text: string | null })[];
  keyEnvFiles: { sh: FileSnapshot & { mode: number | null }; fish: FileSnapshot & { mode: number | null } };
  /** The proxy the pid file names: running (ours), stale, or none. */
  proxy: ProxyProcessState;
  /** The model catalog the tool wrote (glm-models.json). */
  catalogFile: FileSnapshot;
  /** The tool's own copy in the state dir that Codex's auth command runs. */
  appCopy: 'current' | 'stale' | 'missing';
  /** The login service file (--autostart) on this platform, and whether a service manager answers. */
  autostartFile: FileSnapshot;
  serviceManager: ServiceManagerStatus;
  /** Codex's own base prompt, for the catalog. */
  basePrompt: BasePromptState;
  /** The user's legacy profiles in config.toml, and the `<name>.config.toml` each would move to, as it is now. */
  legacyProfiles: LegacyProfiles & { files: Record<string, string | null> };
}

/** How to learn Codex's base prompt: from the catalog written for this Codex version, afresh, or not at all. */
export type PromptLookup = 'kept' | 'fresh' | 'skip';

async function snapshot(path: string): Promise<FileSnapshot> {
  return { path, text: await readTextIfExists(path) };
}

async function snapshotWithMode(path: string): Promise<FileSnapshot & { mode: number | null }> {
  const file = await snapshot(path);
  const mode = file.text === null ? null : await stat(path).then((s) => s.mode & 0o777, () => null);
  return { ...file, mode };
}

type Files = Omit<SetupState, 'codex' | 'basePrompt'>;

/** The folders between `home` and `file` that do not exist yet, deepest first (what writing `file` would create). */
async function missingParents(file: string, home: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = dirname(file); dir.startsWith(`${home}/`); dir = dirname(dir)) {
    if (await stat(dir).then(() => true, () => false)) break;
    missing.push(dir);
  }
  return missing;
}

export async function inspectFiles(paths: Paths): Promise<Files> {
  const [codexConfig, codexProfile, bridge, secretsFile, manifestFile, proxy, catalogFile] = await Promise.all([
    snapshot(paths.codexConfig),
    snapshot(paths.codexProfile),
    snapshot(paths.bridgeConfig),
    snapshotWithMode(paths.secrets),
    snapshot(paths.manifest),
    // Looked at, not adopted: inspection writes nothing (a pid file included).
    proxyProcessState(paths, { adopt: false }),
    snapshot(paths.catalog),
  ]);
  const appCopy = await appCopyState(paths.stateDir);
  const bridgeHooks = await snapshot(paths.bridgeHooks);
  const legacy = legacyProfilesInText(codexConfig.text, paths.codexConfig, OWN_PROFILE);
  const legacyFiles: Record<string, string | null> = {};
  for (const name of legacy.names) legacyFiles[name] = await readTextIfExists(profileFilePath(paths.codexHome, name)).catch(() => null);
  const [autostartFile, serviceManager] = await Promise.all([snapshot(autostartPath(paths)), serviceManagerAvailable()]);
  const rcFiles = await Promise.all((await rcTargets(paths.home)).map(async (target) => ({ ...target, text: await readTextIfExists(target.path), missingDirs: await missingParents(target.path, paths.home) })));
  const envFiles = keyEnvFiles(paths.stateDir);
  const { secrets, otherLines } = parseSecrets(secretsFile.text ?? '');
  // A lost state.json (or a crash before it was written): read back from the tool's own provider table.
  const manifest = (manifestFile.text === null ? recoverManifest(codexConfig.text, paths.stateDir, secrets) : null) ?? parseManifest(manifestFile.text);
  const candidates = await Promise.all(rcCandidates(paths.home, manifest.rcFiles ?? []).map(async (target) => ({ ...target, text: await readTextIfExists(target.path) })));
  return {
    paths,
    codexConfig,
    codexProfile,
    bridge,
    bridgeHooks,
    secretsFile,
    manifestFile,
    manifest,
    secrets,
    secretsOtherLines: otherLines,
    rcFiles,
    rcCandidates: candidates,
    keyEnvFiles: { sh: await snapshotWithMode(envFiles.sh), fish: await snapshotWithMode(envFiles.fish) },
    proxy,
    catalogFile,
    appCopy,
    autostartFile,
    serviceManager,
    legacyProfiles: { ...legacy, files: legacyFiles },
  };
}

async function codexWithPrompt(files: Files, lookup: PromptLookup): Promise<Pick<SetupState, 'codex' | 'basePrompt'>> {
  const codex = await detectCodex();
  const basePrompt = lookup === 'skip' ? { text: null, problem: 'not looked up' } : await basePromptFor(codex, files.manifest, files.catalogFile.text, lookup === 'fresh');
  return { codex, basePrompt };
}

export async function inspect(paths: Paths, lookup: PromptLookup = 'kept'): Promise<SetupState> {
  const files = await inspectFiles(paths);
  return { ...files, ...(await codexWithPrompt(files, lookup)) };
}

/** inspect() plus whatever else must be looked at, run side by side (each is a child process). */
export async function inspectWith<T>(paths: Paths, more: (files: Files) => Promise<T>, lookup: PromptLookup = 'kept'): Promise<[SetupState, T]> {
  const files = await inspectFiles(paths);
  const [codex, extra] = await Promise.all([codexWithPrompt(files, lookup), more(files)]);
  return [{ ...files, ...codex }, extra];
}
