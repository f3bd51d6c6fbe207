/**
 * uv does not read pip's configuration. A user behind a corporate mirror has told pip where to look
 * (PIP_INDEX_URL, pip.conf); the same places are handed to uv through its own variables, so installing
 * with uv reaches the same index as installing with pip would.
 */
import { runner } from '../process/run.js';

/** pip's settings that name where packages come from, as `pip config list` prints them. */
export interface PipSources {
  indexUrl?: string;
  extraIndexUrls: string[];
  findLinks: string[];
  cert?: string;
}

/** pip prints values as Python reprs: quoted, a multi-line pip.conf value with `\n` escapes. */
function unquote(value: string): string {
  const trimmed = value.trim();
  const quoted = /^'(.*)'$/s.exec(trimmed) ?? /^"(.*)"$/s.exec(trimmed);
  return quoted ? quoted[1]!.replace(/\\n/g, '\n') : trimmed;
}

/**
 * Reads `pip config list` output (`global.index-url='…'`, `:env:.index-url='…'`): later lines win, as in
 * pip, and the environment (`:env:`) wins over the files.
 */
export function parsePipConfigList(text: string): PipSources {
  const files = new Map<string, string>();
  const fromEnv = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([^=]+?)\.([a-z-]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, section, key, raw] = match;
    if (section !== ':env:' && section !== 'global' && section !== 'install') continue;
    (section === ':env:' ? fromEnv : files).set(key!, unquote(raw!));
  }
  const get = (key: string) => fromEnv.get(key) ?? files.get(key);
  const list = (key: string) => (get(key) ?? '').split(/\s+/).filter(Boolean);
  const sources: PipSources = { extraIndexUrls: list('extra-index-url'), findLinks: list('find-links') };
  const indexUrl = get('index-url');
  if (indexUrl) sources.indexUrl = indexUrl;
  const cert = get('cert');
  if (cert) sources.cert = cert;
  return sources;
}

/** The uv variables that say the same as pip's settings; a variable the user already set for uv is kept. */
export function uvEnvFor(sources: PipSources, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const setIfFree = (name: string, value: string | undefined, alsoTaken: string[] = []) => {
    if (value && [name, ...alsoTaken].every((taken) => env[taken] === undefined)) out[name] = value;
  };
  setIfFree('UV_DEFAULT_INDEX', sources.indexUrl, ['UV_INDEX_URL']);
  if (sources.extraIndexUrls.length > 0) {
    setIfFree('UV_INDEX', sources.extraIndexUrls.join(' '), ['UV_EXTRA_INDEX_URL']);
    // pip takes the best version across all indexes; uv's default stops at the first index that has the name.
    setIfFree('UV_INDEX_STRATEGY', 'unsafe-best-match');
  }
  setIfFree('UV_FIND_LINKS', sources.findLinks.join(','));
  setIfFree('SSL_CERT_FILE', sources.cert);
  return out;
}

/** What uv needs to reach pip's index: asks the given Python's pip; nothing when there is no pip. */
export async function uvEnvFromPip(python: string[], env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  try {
    const result = await runner.run(python[0]!, [...python.slice(1), '-m', 'pip', 'config', 'list'], { env, extendEnv: false, timeoutMs: 15_000 });
    if (result.exitCode !== 0) return {};
    return uvEnvFor(parsePipConfigList(result.stdout), env);
  } catch {
    return {};
  }
}
