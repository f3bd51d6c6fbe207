/** state.json: what the tool did, so re-runs, repair and uninstall know what is theirs. No secrets. */
/**
 * The modes' names (src/modes/ has one file each; state.json names the one set up). The question
 * table adds them (questions.ts, `declare module`): its rows are the list, so no file below it names a mode.
 */
export interface ModeNames {}
export type ModeName = keyof ModeNames & string;
/** Without --mode and without a stored one (setups from before modes were local). */
export const DEFAULT_MODE = 'local' as ModeName;

export interface Manifest {
  version: 1;
  /** How Codex reaches GLM (absent in files from before modes: local). */
  mode?: ModeName;
  model?: string;
  /** Every model set up, the default first. */
  models?: string[];
  /** The Codex version whose base prompt the model catalog carries. */
  catalogCodexVersion?: string;
  /** Z.ai's base URL: Chat Completions (local) or Responses (direct). */
  apiBase?: string;
  /** Gateway mode: the team gateway's base URL (without /v1). */
  gatewayUrl?: string;
  /** The provider table's id when --provider-id chose one (else the mode's own). */
  providerId?: string;
  port?: number;
  /** A Python with a bridging LiteLLM that the user pointed at (--python): found again on later runs. */
  litellmPython?: string;
  /** --codex-auth command: Codex runs the tool's copy for the key (else the environment, from the shell files). */
  codexAuth?: 'command' | 'env';
  /** --autostart: the proxy starts at login through the service manager. */
  autostart?: boolean;
  /** The argv prefix that starts the LiteLLM setup chose: the auth command starts it without PATH. */
  litellmLauncher?: string[];
  /** Top-level model/model_provider before `--make-default` first replaced them (null = absent). */
  previousDefault?: { model: string | null; model_provider: string | null } | null;
  /** Files this tool created (uninstall removes them). */
  createdFiles?: string[];
  /** Folders the tool created for a startup file (~/.config/fish/conf.d/): removed with it when left empty. */
  createdDirs?: string[];
  /** The user's legacy profiles this tool moved into <name>.config.toml: theirs, never removed. */
  migratedProfiles?: string[];
  /** The tool created `[model_providers.glm-litellm]` (absent in older manifests: see ownsProvider()). */
  ownsProvider?: boolean;
  /** Shell startup files that hold the key block. */
  rcFiles?: string[];
  /** The answers of the modes not in use, so a switch back comes back to them (the mode in use keeps its own at the top). */
  modes?: Partial<Record<ModeName, ModeMemory>>;
}

/** What a mode's answers were when the user switched away from it. */
export interface ModeMemory {
  apiBase?: string;
  port?: number;
  gatewayUrl?: string;
  model?: string;
  models?: string[];
}

/** The last answers given in this mode: the top level when it is the mode in use, else what was kept when the user left it. */
export function modeMemory(manifest: Manifest, mode: ModeName = DEFAULT_MODE): ModeMemory {
  if ((manifest.mode ?? DEFAULT_MODE) === mode) return manifest;
  return manifest.modes?.[mode] ?? {};
}

/** The answers of the mode in use, kept when the user switches to another one. */
export function memoryOf(manifest: Manifest): ModeMemory {
  const { apiBase, port, gatewayUrl, model, models } = manifest;
  return JSON.parse(JSON.stringify({ apiBase, port, gatewayUrl, model, models })) as ModeMemory;
}

export function parseManifest(text: string | null): Manifest {
  if (!text) return { version: 1 };
  try {
    const data = JSON.parse(text) as Partial<Manifest>;
    return typeof data === 'object' && data !== null ? { ...data, version: 1 } : { version: 1 };
  } catch {
    return { version: 1 };
  }
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
