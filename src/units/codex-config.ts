/**
 * Codex's config.toml: the provider table, the legacy `[profiles.<name>]` table for Codex <= 0.133,
 * and with --make-default the top-level model/model_provider. Lossless edits only.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isOwnLegacyProfile, planCodexConfig, profileSelectorNote, profileShapeFor, userConfigProblems } from '../config/codex-config.js';
import { foreignProviderProblem, ownProviderIds, ownsProvider } from '../config/provider-ownership.js';
import { getIn } from '../config/toml-data.js';
import { editToml, type TomlEdit } from '../config/toml-edit.js';
import { dropBrokenOwnSection, rebuildParsable } from '../config/toml-repair.js';
import { parseTomlData, splitBom, TomlSyntaxError, type TomlData } from '../config/toml-syntax.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { SetupState } from '../inspect/inspect.js';
import type { Answers, ProviderSpec } from '../modes/types.js';
import { deleteOp, writeOp } from '../plan/operations.js';
import { tildify } from '../paths.js';
import { fail, pass, repairHint, warn, withoutUnchanged, type Check } from '../verify/check.js';
import type { PlanNotes, Unit } from './types.js';
import { cli } from '../invocation.js';

/** Providers Codex defines itself: a default model_provider may name them without a table. */
const BUILTIN_PROVIDERS = new Set(['openai', 'ollama', 'lmstudio', 'oss']);

/** config.toml as the merge can use it: parsed, or repaired when the tool may repair it. */
function usableConfig(state: SetupState, provider: ProviderSpec, forceRebuild: boolean, notes: PlanNotes): { text: string; data: TomlData } {
  const file = state.paths.codexConfig;
  const text = state.codexConfig.text ?? '';
  try {
    return { text, data: parseTomlData(splitBom(text).body, file) };
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error;
    const { bom, body } = splitBom(text);
    const own = dropBrokenOwnSection(body, file, error.problem, provider);
    if (own) {
      notes.repairs.push(`${tildify(file)} did not parse (${error.problem.line}:${error.problem.column}, in the tool's own ${own.section}): that section is written anew.`);
      return { text: bom + own.text, data: parseTomlData(own.text, file) };
    }
    if (!forceRebuild) {
      throw new UserError('toml-invalid', error.message, {
        exitCode: ExitCode.config,
        fix: `Fix line ${error.problem.line} of ${file} yourself, or run again with --force-rebuild to keep a backup and rebuild the file from every section that still parses.`,
      });
    }
    const rebuilt = rebuildParsable(body, file);
    notes.repairs.push(`${tildify(file)} did not parse (${error.problem.line}:${error.problem.column}): rebuilt from what still parses; dropped ${rebuilt.dropped.join(', ')} (all of it is in the backup).`);
    return { text: bom + rebuilt.text, data: parseTomlData(rebuilt.text, file) };
  }
}

/** config.toml's data, or null when there is none or it does not parse (usableConfig then repairs or refuses). */
function parseOrNull(text: string | null, file: string): TomlData | null {
  if (text === null) return null;
  try {
    return parseTomlData(splitBom(text).body, file);
  } catch (error) {
    if (error instanceof TomlSyntaxError) return null;
    throw error;
  }
}

const readString = (data: TomlData, key: string): string | null => {
  const value = getIn(data, [key]);
  return typeof value === 'string' ? value : null;
};

export const codexConfigUnit: Unit<Answers> = {
  id: 'codex-config',
  plan({ state, answers, provider, manifest, notes, options, previousProvider, ownedProviderId }) {
    // Parsed once here for both the ownership check and the merge (a large file costs one parse).
    const parsed = parseOrNull(state.codexConfig.text, state.paths.codexConfig);
    const foreign = foreignProviderProblem(state.codexConfig.text, provider.id, ownedProviderId, state.paths.codexConfig, state.paths.stateDir, parsed ?? undefined);
    if (foreign) throw foreign;
    manifest.ownsProvider = true;
    const shape = profileShapeFor(state.codex.version);
    const { text, data } = parsed ? { text: state.codexConfig.text ?? '', data: parsed } : usableConfig(state, provider, options.forceRebuild, notes);
    const current = readString(data, 'model_provider');
    const ownDefault = current !== null && (current === provider.id || current === previousProvider?.id);
    if (answers.makeDefault === true && manifest.previousDefault === undefined && !ownDefault) {
      manifest.previousDefault = { model: readString(data, 'model'), model_provider: readString(data, 'model_provider') };
    }
    const after = planCodexConfig({
      text,
      file: state.paths.codexConfig,
      provider,
      model: answers.model,
      shape,
      defaults: { makeDefault: answers.makeDefault, previous: manifest.previousDefault ?? null },
      previous: previousProvider,
    }, data);
    const selectorNote = profileSelectorNote(data, shape, tildify(state.paths.codexConfig), provider.profile);
    if (selectorNote) notes.repairs.push(selectorNote);
    if (answers.makeDefault === false) delete manifest.previousDefault;
    notes.problems.push(...userConfigProblems(data, state.paths.codexConfig, shape, provider));
    return writeOp('Codex config', state.paths.codexConfig, state.codexConfig.text, after);
  },
  undo(state, provider) {
    const { path, text } = state.codexConfig;
    if (text === null) return [];
    const data = parseTomlData(splitBom(text).body, path);
    // A table under our id that the tool did not create is the user's: never deleted.
    // Also a table recognised by its auth command into this state dir (state.json lost, or a crash before it was written).
    const recognised = ownProviderIds(text, state.paths.stateDir, data);
    const ours = ownsProvider(state.manifest) || recognised.includes(provider.id);
    const owned = new Set([...(ours ? [provider.id] : []), ...recognised]);
    const edits: TomlEdit[] = [...owned].map((id) => ({ op: 'delete-table', path: ['model_providers', id] }));
    if (isOwnLegacyProfile(data, provider)) edits.push({ op: 'delete-table', path: ['profiles', provider.profile] });
    if (getIn(data, ['profile']) === provider.profile) edits.push({ op: 'delete-key', path: ['profile'] });
    if (ours && getIn(data, ['model_provider']) === provider.id) {
      const previous = state.manifest.previousDefault ?? { model: null, model_provider: null };
      for (const key of ['model_provider', 'model'] as const) {
        const value = previous[key];
        edits.push(value === null ? { op: 'delete-key', path: [key] } : { op: 'set', path: [key], value });
      }
    }
    const after = editToml(text, edits, path, { data }).text;
    const created = (state.manifest.createdFiles ?? []).includes(path);
    if (created && after.trim() === '') return deleteOp('Codex config (created by the tool, now empty)', path, text);
    return writeOp('Codex config', path, text, after);
  },
  async check({ state, provider, cwd }) {
    const checks: Check[] = [];
    const shape = profileShapeFor(state.codex.version);
    const data = parseConfig(state, checks);
    if (data) {
      const table = getIn(data, ['model_providers', provider.id]) as Record<string, unknown> | undefined;
      const header = `[model_providers.${provider.id}]`;
      if (!table) checks.push(fail('provider', `${header} is missing from config.toml.`));
      else {
        const wrong: string[] = [];
        if (typeof table.name !== 'string' || table.name === '') wrong.push('name is missing (Codex refuses an empty provider name)');
        if (table.base_url !== provider.baseUrl) wrong.push(`base_url is ${JSON.stringify(table.base_url ?? null)}, expected "${provider.baseUrl}"`);
        if (table.wire_api !== 'responses') wrong.push(`wire_api is ${JSON.stringify(table.wire_api ?? null)}, Codex needs "responses"`);
        const command = provider.auth.command;
        if (command) {
          const auth = (table.auth ?? {}) as Record<string, unknown>;
          if (auth.command !== command.command || JSON.stringify(auth.args) !== JSON.stringify(command.args)) wrong.push(`its auth command is not the tool's (${command.command} ${command.args.join(' ')})`);
          if (table.env_key !== undefined) wrong.push('it has env_key beside the auth command (Codex refuses both)');
        } else if (table.env_key !== provider.auth.envVar) wrong.push(`env_key is ${JSON.stringify(table.env_key ?? null)}, expected "${provider.auth.envVar}"`);
        checks.push(wrong.length === 0 ? pass('provider', `${header} points at ${provider.baseUrl.replace(/^https?:\/\/|\/v1$/g, '')}`) : fail('provider', `${header}: ${wrong.join('; ')}.`));
      }
      if (shape === 'file') {
        if (isOwnLegacyProfile(data, provider)) checks.push(fail('legacy-profile', `config.toml has a [profiles.${provider.profile}] table, which Codex ${state.codex.version ?? '>= 0.134'} refuses.`));
        if (getIn(data, ['profile']) === provider.profile) checks.push(fail('legacy-profile', `config.toml has profile = "${provider.profile}", which stops every Codex start.`));
      } else {
        checks.push(
          isOwnLegacyProfile(data, provider)
            ? pass('profile', `[profiles.${provider.profile}] in config.toml (Codex ${state.codex.version})`)
            : fail('profile', `Codex ${state.codex.version} needs a [profiles.${provider.profile}] table in config.toml; there is none.`),
        );
      }
      for (const problem of userConfigProblems(data, tildify(state.codexConfig.path), shape, provider)) {
        checks.push(fail('user-config', problem, 'Edit that line of config.toml (the tool does not change your own settings).'));
      }
      const defaultProvider = getIn(data, ['model_provider']);
      if (typeof defaultProvider === 'string' && !BUILTIN_PROVIDERS.has(defaultProvider) && getIn(data, ['model_providers', defaultProvider]) === undefined) {
        checks.push(
          fail(
            'default-provider',
            `The default model_provider = "${defaultProvider}" names a provider that is not defined.`,
            defaultProvider === provider.id ? repairHint() : `Define [model_providers.${defaultProvider}], or run \`${cli('--make-default')}\`.`,
          ),
        );
      }
    }
    if (!state.codex.version) checks.push(warn('codex', 'Codex is not installed (or `codex --version` does not answer).', 'npm install -g @openai/codex'));
    checks.push(...(await projectConfigChecks(state, cwd)));
    return checks;
  },
};

function parseConfig(state: SetupState, checks: Check[]): TomlData | null {
  const { path, text } = state.codexConfig;
  if (text === null) {
    checks.push(fail('config-toml', `${tildify(path)} does not exist.`));
    return null;
  }
  try {
    const data = parseTomlData(splitBom(text).body, path);
    checks.push(pass('config-toml', `${tildify(path)} parses`));
    return data;
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error;
    checks.push(fail('config-toml', withoutUnchanged(error.message), `Fix that line, or run \`${cli()}\` (it repairs its own part; --force-rebuild keeps a backup and rebuilds the file).`));
    return null;
  }
}

/** A project-level .codex/config.toml that sets providers: Codex ignores those. */
async function projectConfigChecks(state: SetupState, cwd: string): Promise<Check[]> {
  const checks: Check[] = [];
  for (let dir = cwd, depth = 0; depth < 30; depth++) {
    const projectConfig = join(dir, '.codex', 'config.toml');
    if (projectConfig !== state.codexConfig.path) {
      const text = await readFile(projectConfig, 'utf8').catch(() => null);
      if (text !== null && /^\s*(model_providers|model_provider)\b|^\s*\[model_providers/m.test(text)) {
        checks.push(warn('project-config', `${projectConfig} sets model providers; Codex ignores providers in project configs.`, `Move them to ${tildify(state.codexConfig.path)}.`));
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return checks;
}
