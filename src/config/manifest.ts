/** state.json: what the tool did, so re-runs, repair and uninstall know what is theirs. No secrets. */
export interface Manifest {
  version: 1;
  model?: string;
  apiBase?: string;
  port?: number;
  /** A Python with a bridging LiteLLM that the user pointed at (--python): found again on later runs. */
  litellmPython?: string;
  /** Top-level model/model_provider before `--make-default` first replaced them (null = absent). */
  previousDefault?: { model: string | null; model_provider: string | null } | null;
  /** Files this tool created (uninstall removes them). */
  createdFiles?: string[];
  /** The tool created `[model_providers.glm-litellm]` (absent in older manifests: see ownsProvider()). */
  ownsProvider?: boolean;
  /** Shell startup files that hold the key block. */
  rcFiles?: string[];
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
