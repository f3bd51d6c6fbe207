/**
 * The model catalog (glm-models.json in the state dir): Codex's metadata for every GLM model set up,
 * with Codex's own base prompt, the real context windows and the reasoning levels Z.ai supports. The
 * profile names it (model_catalog_json); it is validated by the installed Codex before the profile
 * that enables it is written.
 */
import { profileShapeFor } from '../config/codex-config.js';
import { cli } from '../invocation.js';
import { profileModelSettings, renderModelCatalog, validateCatalog } from '../config/model-catalog.js';
import type { ProfileCatalog } from '../config/codex-config.js';
import { catalogPrompt } from '../inspect/base-prompt.js';
import type { SetupState } from '../inspect/inspect.js';
import type { Answers } from './answers.js';
import { deleteOp, writeOp, type Operation } from './operations.js';
import { tildify } from '../paths.js';
import { comparePep440 } from '../runtime/pep440.js';
import { fail, pass, warn, type Check } from '../verify/check.js';
import type { Unit } from './types.js';

/** model_catalog_json is read by the profile-file Codex releases this tool measured (0.160.1 and newer). */
const FIRST_CATALOG_CODEX = '0.160.0';

function supportsCatalog(state: Pick<SetupState, 'codex'>): boolean {
  const version = state.codex.version;
  return version !== null && profileShapeFor(version) === 'file' && comparePep440(version, FIRST_CATALOG_CODEX) >= 0;
}

/** The catalog the profile should name, or null (no Codex to read the prompt from, or one too old). */
export function profileCatalog(state: Pick<SetupState, 'codex' | 'basePrompt' | 'paths'>, models: string[]): ProfileCatalog | null {
  if (!supportsCatalog(state) || state.basePrompt.text === null) return null;
  return { path: state.paths.catalog, context: profileModelSettings(models) };
}

function catalogSlugs(text: string): string[] {
  try {
    return ((JSON.parse(text) as { models?: { slug?: unknown }[] }).models ?? []).map((m) => String(m.slug));
  } catch {
    return [];
  }
}

export const catalogUnit: Unit<Answers> = {
  id: 'catalog',
  plan({ state, answers, notes }) {
    if (!supportsCatalog(state)) return [];
    if (state.basePrompt.text === null) {
      notes.problems.push(`No model catalog: Codex's base prompt could not be read (${state.basePrompt.problem}). Codex runs GLM on fallback metadata until a re-run writes one.`);
      return [];
    }
    const { path, text } = state.catalogFile;
    const ops: Operation[] = writeOp('Codex model catalog', path, text, renderModelCatalog(answers.models, state.basePrompt.text));
    // Checked by the installed Codex before the profile that enables it is written.
    if (ops.length > 0) ops.push({ kind: 'run', action: 'validate-catalog', path, codexBin: state.codex.bin!, label: `check the model catalog with Codex ${state.codex.version}` });
    return { operations: ops, remember: { catalogCodexVersion: state.codex.version! } };
  },
  undo: (state) => deleteOp('Codex model catalog', state.catalogFile.path, state.catalogFile.text),
  async check({ state, answers }) {
    if (!supportsCatalog(state)) return [];
    const { path, text } = state.catalogFile;
    const where = tildify(path);
    if (text === null) return [fail('catalog', `${where} is missing: Codex runs GLM on fallback metadata (a 258,400-token window, no reasoning effort).`)];
    const checks: Check[] = [];
    const stale = state.manifest.catalogCodexVersion !== state.codex.version;
    if (stale) checks.push(fail('catalog', `${where} was written for Codex ${state.manifest.catalogCodexVersion ?? 'another version'}; Codex ${state.codex.version} is installed now.`, `Run \`${cli()}\` to write it for this Codex.`));
    const prompt = catalogPrompt(text);
    if (prompt === null) checks.push(fail('catalog', `${where} has no base prompt: Codex would send GLM no instructions at all.`));
    else if (state.basePrompt.text === null) checks.push(warn('catalog', `Codex's current base prompt could not be read (${state.basePrompt.problem}); the catalog's was not compared.`));
    else if (!stale && prompt !== state.basePrompt.text) checks.push(fail('catalog', `${where} carries another base prompt than Codex ${state.codex.version} sends.`));
    const missing = answers.models.filter((model) => !catalogSlugs(text).includes(model));
    if (missing.length > 0) checks.push(fail('catalog', `${where} lacks ${missing.join(', ')}.`));
    const loaded = await validateCatalog(state.codex.bin!, path);
    if (!loaded.ok) checks.push(fail('catalog', `Codex ${state.codex.version} does not load ${where}: ${loaded.message}`));
    if (checks.length === 0) checks.push(pass('catalog', `${where} lists ${answers.models.join(', ')} with Codex ${state.codex.version}'s base prompt`));
    return checks;
  },
};
