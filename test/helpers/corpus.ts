/**
 * The config.toml corpus the tests merge into: the project's own fixtures (test/fixtures/codex-configs,
 * always there), plus real users' files from `../shared/corpus/codex-configs` ONLY when that folder sits
 * beside the checkout (extra coverage on this project's CI; a plain clone passes without it). This is the
 * one place in the suite allowed to look outside the repository (test/unit/self-contained.test.ts checks).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(import.meta.dirname, '../fixtures/codex-configs');
const SHARED_DIR = resolve(import.meta.dirname, '../../../shared/corpus/codex-configs');

/** Whether the real users' files sit beside the checkout: the one thing outside it the suite reads. */
export function sharedCorpusBeside(): boolean {
  return existsSync(SHARED_DIR);
}

export interface CorpusFile {
  /** Unique in the corpus: `fixtures/<file>` or `shared/<file>`. */
  name: string;
  path: string;
  origin: 'fixtures' | 'shared';
  /** Not valid TOML: the tool must refuse it at `line` (1-based), where `key` is defined a second time. */
  invalid?: { line: number; key: string };
  /** Stops Codex whatever the tool adds: Codex fails with `codexError`; setup warns when it can know. */
  codexFailsOnItsOwn?: { codexError: RegExp; setupWarning?: RegExp };
}

type Facts = Pick<CorpusFile, 'invalid' | 'codexFailsOnItsOwn'>;

const FIXTURE_FACTS: Record<string, Facts> = {
  'invalid-duplicate-key.toml': { invalid: { line: 12, key: 'web_search_request' } },
  'chat-provider.toml': {
    codexFailsOnItsOwn: { codexError: /wire_api = "chat"` is no longer supported[\s\S]*ollama-local/, setupWarning: /"ollama-local" has wire_api = "chat"/ },
  },
  'legacy-profile-selector.toml': {
    codexFailsOnItsOwn: { codexError: /legacy `profile = "work"` config is no longer supported/, setupWarning: /legacy line profile = "work"/ },
  },
};

/** Facts about the real users' files in ../shared (checked with Codex 0.169.0). */
const SHARED_FACTS: Record<string, Facts> = {
  '36-derKlinke-codex-config.toml': { invalid: { line: 17, key: 'prevent_idle_sleep' } },
  '11-2096955-MAKER-Code-Assist.toml': {
    codexFailsOnItsOwn: { codexError: /wire_api = "chat"` is no longer supported[\s\S]*maker-local/, setupWarning: /"maker-local" has wire_api = "chat"/ },
  },
  '40-avikalpa-codex-litellm.toml': {
    codexFailsOnItsOwn: { codexError: /wire_api = "chat"` is no longer supported[\s\S]*litellm-direct/, setupWarning: /"litellm-direct" has wire_api = "chat"/ },
  },
  // model_catalog_json names a file on its author's Mac.
  // Its model_catalog_json names a file on its author's machine: plain `codex` fails on its own, but
  // `codex --profile glm` runs, since the glm profile names the tool's own catalog.
  '30-BilderLoong-dotfiles.toml': {},
};

/** How many fixtures there are: a lost or added file shows up as a failing count, not as silently fewer tests. */
export const FIXTURE_COUNT = 19;
/** How many files the shared corpus holds, when present. */
export const SHARED_COUNT = 28;

function list(dir: string, origin: CorpusFile['origin'], facts: Record<string, Facts>): CorpusFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.toml'))
    .sort()
    .map((file) => ({ name: `${origin}/${file}`, path: join(dir, file), origin, ...facts[file] }));
}

export function fixtureFiles(): CorpusFile[] {
  return list(FIXTURES_DIR, 'fixtures', FIXTURE_FACTS);
}

/** The shared corpus when it sits beside the checkout, else nothing. */
export function sharedFiles(): CorpusFile[] {
  return existsSync(SHARED_DIR) ? list(SHARED_DIR, 'shared', SHARED_FACTS) : [];
}

/** Every corpus file: the fixtures first, then the shared ones when present. */
export function corpusFiles(): CorpusFile[] {
  return [...fixtureFiles(), ...sharedFiles()];
}

/** The path of one of the project's own fixtures, for tests that need a config of a particular shape. */
export function fixture(file: string): string {
  const path = join(FIXTURES_DIR, file);
  if (!existsSync(path)) throw new Error(`no fixture ${file} in ${FIXTURES_DIR}`);
  return path;
}
