import { execa } from 'execa';

export interface CodexInstall {
  bin: string | null;
  version: string | null;
}

/** Reads `codex --version` ("codex-cli 0.169.0"); null when Codex is not installed or does not answer. */
export async function detectCodex(bin = 'codex'): Promise<CodexInstall> {
  try {
    const result = await execa(bin, ['--version'], { timeout: 15_000, reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) return { bin: null, version: null };
    const match = /(\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.]+)?)/.exec(result.stdout);
    return { bin, version: match?.[1] ?? null };
  } catch {
    return { bin: null, version: null };
  }
}
