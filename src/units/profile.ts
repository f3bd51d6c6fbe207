/** The `<profile>.config.toml` file Codex >= 0.134 reads for `codex --profile <name>`. */
import { planProfileFile, profileShapeFor } from '../config/codex-config.js';
import { parseTomlData, splitBom, type TomlData } from '../config/toml-syntax.js';
import type { Answers } from './answers.js';
import { deleteOp, writeOp } from './operations.js';
import { tildify } from '../paths.js';
import { readTemplate } from '../templates.js';
import { fail, parseCause, pass, withoutUnchanged } from '../verify/check.js';
import { profileCatalog } from './catalog.js';
import type { Unit } from './types.js';

const TEMPLATE = 'glm.config.toml';

function parseOrNull(text: string, file: string): TomlData | null {
  try {
    return parseTomlData(splitBom(text).body, file);
  } catch {
    return null;
  }
}

export const profileUnit: Unit<Answers> = {
  id: 'profile',
  runsAfter: ['catalog'] /* Codex checks the catalog before the profile names it */,
  plan({ state, answers, provider, notes }) {
    // Codex <= 0.133 reads a [profiles.<name>] table instead: the codex-config unit writes that.
    if (profileShapeFor(state.codex.version) !== 'file') return [];
    const { path, text } = state.codexProfile;
    let base = text ?? readTemplate(TEMPLATE);
    try {
      parseTomlData(splitBom(base).body, path);
    } catch (error) {
      notes.repairs.push(`${parseCause((error as Error).message)}: the profile is written anew (the broken file is in the backup).`);
      base = readTemplate(TEMPLATE);
    }
    const after = planProfileFile(base, path, answers.model, provider.id, profileCatalog(state, answers.models));
    return writeOp(`Codex profile "${provider.profile}"`, path, text, after);
  },
  undo(state, provider) {
    const { path, text } = state.codexProfile;
    if (text === null) return [];
    const created = (state.manifest.createdFiles ?? []).includes(path);
    const ours = parseOrNull(text, path)?.model_provider === provider.id;
    return created || ours ? deleteOp(`Codex profile "${provider.profile}"`, path, text) : [];
  },
  check({ state, answers, provider }) {
    if (profileShapeFor(state.codex.version) !== 'file') return [];
    const { path, text } = state.codexProfile;
    if (text === null) return [fail('profile', `${tildify(path)} is missing: \`codex --profile ${provider.profile}\` would silently use OpenAI's defaults.`)];
    let profile: TomlData;
    try {
      profile = parseTomlData(splitBom(text).body, path);
    } catch (error) {
      return [fail('profile', withoutUnchanged((error as Error).message))];
    }
    const ok = profile.model_provider === provider.id && profile.model === answers.model;
    const checks = [
      ok
        ? pass('profile', `profile "${provider.profile}" (${tildify(path)}) uses ${String(profile.model)} via ${provider.id}`)
        : fail('profile', `${tildify(path)} has model = ${JSON.stringify(profile.model ?? null)}, model_provider = ${JSON.stringify(profile.model_provider ?? null)}.`),
    ];
    const catalog = profileCatalog(state, answers.models);
    if (catalog && profile.model_catalog_json !== catalog.path) {
      checks.push(fail('profile', `${tildify(path)} does not name the model catalog (model_catalog_json = "${catalog.path}"): Codex runs GLM on fallback metadata.`));
    }
    return checks;
  },
};
