/**
 * Codex's config.toml: the provider table, the legacy `[profiles.<name>]` table for Codex <= 0.133,
 * and with --make-default the top-level model/model_provider. Lossless edits only.
 */

import { readRegularText } from '../fs/read.js';
import { basename, dirname, join } from 'node:path';
import { isOwnLegacyProfile, legacySelectorProblem, planCodexConfig, profileSelectorNote, profileShapeFor, userConfigProblems } from '../config/codex-config.js';
import { foreignProviderProblem, ownProviderIds, ownsProvider } from '../config/provider-ownership.js';
import { getIn } from '../config/toml-data.js';
import { editToml, type TomlEdit } from '../config/toml-edit.js';
import { dropBrokenOwnSection, rebuildParsable } from '../config/toml-repair.js';
import { parseTomlData, splitBom, TomlSyntaxError, type TomlData } from '../config/toml-syntax.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { FileSnapshot, SetupState } from '../inspect/inspect.js';
import type { ProviderSpec } from '../config/provider.js';
import type { Answers } from './answers.js';
import { deleteOp, writeOp, type WriteOperation } from './operations.js';
import { hasLegacyProfiles, legacyProfilesIn, migrateLegacyProfiles, OWN_PROFILE } from '../config/legacy-profiles.js';
import type { Manifest } from '../config/manifest.js';
import { tildify } from '../paths.js';
import { fail, pass, repairHint, warn, withoutUnchanged, type Check } from '../verify/check.js';
import type { PlanNotes, Unit } from './types.js';
import { cli } from '../invocation.js';
import { fixRetiredSettings, refusesUntrusted, UNTRUSTED_REFUSAL, untrustedLine } from '../config/retired-settings.js';

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

/**
 * config.toml's data, parsed once per snapshot: doctor's check and its fresh plan (and a plan and its
 * undo) read the same snapshot, and a second parse of a large file would leave a second data tree
 * (about 14 bytes per byte of TOML) for the collector.
 */
const parsedSnapshots = new WeakMap<FileSnapshot, { text: string; data: TomlData }>();
function snapshotData(snapshot: FileSnapshot, text: string, file: string): TomlData {
  const cached = parsedSnapshots.get(snapshot);
  if (cached && cached.text === text) return cached.data;
  const data = parseTomlData(splitBom(text).body, file);
  parsedSnapshots.set(snapshot, { text, data });
  return data;
}

/** config.toml's data, or null when there is none or it does not parse (usableConfig then repairs or refuses). */
export function parseOrNull(snapshot: FileSnapshot, file: string): TomlData | null {
  if (snapshot.text === null) return null;
  try {
    return snapshotData(snapshot, snapshot.text, file);
  } catch (error) {
    if (error instanceof TomlSyntaxError) return null;
    throw error;
  }
}

/**
 * The user's legacy profiles (Codex 0.134+ refuses them): moved out of config.toml when the user
 * agreed (--migrate-profiles, or yes in the wizard), else named with the way to move them.
 */
function migrateProfiles(state: SetupState, usable: { text: string; data: TomlData }, migrate: boolean, notes: PlanNotes): { text: string; data: TomlData; profileFiles: WriteOperation[]; migratedProfiles?: string[] } {
  const file = state.paths.codexConfig;
  const legacy = legacyProfilesIn(usable.data, OWN_PROFILE);
  if (!hasLegacyProfiles(legacy)) return { ...usable, profileFiles: [] };
  if (!migrate) {
    // The selector alone is named by userConfigProblems.
    const tables = legacy.names.map((name) => `[profiles.${name}]`).join(', ');
    if (tables) notes.problems.push(`${tildify(file)} holds legacy profiles (${tables}): Codex ${state.codex.version ?? '0.134+'} refuses \`codex --profile <name>\` for them. They were not migrated: run again with --migrate-profiles to move each into ${tildify(state.paths.codexHome)}/<name>.config.toml (backups first).`);
    return { ...usable, profileFiles: [] };
  }
  const existing = Object.fromEntries(legacy.names.map((name) => [name, state.legacyProfiles.files[name] ?? null]));
  const baseSandbox = getIn(usable.data, ['sandbox_mode']);
  const context = { codexVersion: state.codex.version, baseSandbox: typeof baseSandbox === 'string' ? baseSandbox : null };
  const migration = migrateLegacyProfiles(usable.text, file, state.paths.codexHome, legacy, existing, tildify, context, usable.data);
  const profileFiles = migration.files.flatMap((moved) => writeOp(`your profile ${moved.name} (moved from config.toml)`, moved.path, null, moved.text));
  for (const moved of migration.files) {
    notes.repairs.push(`[profiles.${moved.name}] moves to ${tildify(moved.path)}, comments and key order kept: \`codex --profile ${moved.name}\` reads it.`);
    for (const retired of moved.retired) {
      if (retired.to !== null) notes.repairs.push(`${tildify(moved.path)} line ${retired.line}: ${retired.from} becomes ${retired.to}. ${retired.why}.`);
      else notes.problems.push(`${tildify(moved.path)}${retired.line ? ` line ${retired.line}` : ''} keeps ${retired.from}, which Codex ${state.codex.version ?? '0.149+'} refuses (it says: ${UNTRUSTED_REFUSAL}): \`codex --profile ${moved.name}\` fails until you change it. ${retired.why}.`);
    }
  }
  for (const kept of migration.kept) notes.problems.push(`[profiles.${kept.name}] stays in ${tildify(file)} (\`codex --profile ${kept.name}\` fails until it moves): ${kept.why}.`);
  if (migration.selectorRemoved !== null) notes.repairs.push(`profile = "${migration.selectorRemoved}" is removed from ${tildify(file)} (it stops every Codex start): \`codex --profile ${migration.selectorRemoved}\` gives the same settings.`);
  const migratedProfiles = [...new Set([...(state.manifest.migratedProfiles ?? []), ...migration.files.map((moved) => moved.path)])].sort();
  return { text: migration.text, data: migration.data ?? parseTomlData(splitBom(migration.text).body, file), profileFiles, migratedProfiles };
}

const readString = (data: TomlData, key: string): string | null => {
  const value = getIn(data, [key]);
  return typeof value === 'string' ? value : null;
};

export const codexConfigUnit: Unit<Answers> = {
  id: 'codex-config',
  runsAfter: ['auth-command', 'catalog'] /* the copy the auth command runs exists before the provider names it */,
  plan({ state, answers, provider, notes, options, previousProvider, ownedProviderId }) {
    // Parsed once here for both the ownership check and the merge (a large file costs one parse).
    const parsed = parseOrNull(state.codexConfig, state.paths.codexConfig);
    const foreign = foreignProviderProblem(state.codexConfig.text, provider.id, ownedProviderId, state.paths.codexConfig, state.paths.stateDir, parsed ?? undefined);
    if (foreign) throw foreign;
    let previousDefault = state.manifest.previousDefault;
    const shape = profileShapeFor(state.codex.version);
    const usable = parsed ? { text: state.codexConfig.text ?? '', data: parsed } : usableConfig(state, provider, options.forceRebuild, notes);
    const { text, data, profileFiles, migratedProfiles } = shape === 'file' ? migrateProfiles(state, usable, answers.migrateProfiles, notes) : { ...usable, profileFiles: [], migratedProfiles: undefined };
    const current = readString(data, 'model_provider');
    const ownDefault = current !== null && (current === provider.id || current === previousProvider?.id);
    if (answers.makeDefault === true && previousDefault === undefined && !ownDefault) {
      previousDefault = { model: readString(data, 'model'), model_provider: readString(data, 'model_provider') };
    }
    const after = planCodexConfig({
      text,
      file: state.paths.codexConfig,
      provider,
      model: answers.model,
      shape,
      defaults: { makeDefault: answers.makeDefault, previous: previousDefault ?? null },
      previous: previousProvider,
    }, data);
    const selectorNote = profileSelectorNote(data, shape, tildify(state.paths.codexConfig), provider.profile);
    if (selectorNote) notes.repairs.push(selectorNote);
    notes.problems.push(...userConfigProblems(data, state.paths.codexConfig, shape, provider));
    // The moved profiles first: a crash between the writes leaves them twice, never nowhere.
    // --no-make-default put the old default back: nothing to remember of it any more.
    return {
      operations: [...profileFiles, ...writeOp('Codex config', state.paths.codexConfig, state.codexConfig.text, after)],
      remember: { ownsProvider: true, previousDefault: answers.makeDefault === false ? undefined : previousDefault, ...(migratedProfiles ? { migratedProfiles } : {}) },
    };
  },
  undo(state, provider) {
    const { path, text } = state.codexConfig;
    if (text === null) return [];
    const data = snapshotData(state.codexConfig, text, path);
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
      const legacy = legacyProfilesIn(data, OWN_PROFILE);
      const selectorProblem = legacySelectorProblem(data, tildify(state.codexConfig.path), shape, provider);
      if (shape === 'file' && hasLegacyProfiles(legacy)) {
        const listed = [...legacy.names.map((name) => `[profiles.${name}]`), ...(legacy.selector === null ? [] : [`profile = "${legacy.selector}"`])].join(', ');
        checks.push(
          fail(
            'legacy-profile',
            `config.toml holds legacy profiles (${listed}), which Codex ${state.codex.version ?? '>= 0.134'} refuses${legacy.selector === null ? ' for `codex --profile <name>`' : ' at every start'}.`,
            `Run \`${cli('--migrate-profiles')}\`: it moves each table into ${tildify(state.paths.codexHome)}/<name>.config.toml (comments and order kept) and removes the selector, with backups.`,
          ),
        );
      }
      if (shape === 'file') checks.push(...(await migratedProfileChecks(state, data)));
      if (getIn(data, ['approval_policy']) === 'untrusted' && refusesUntrusted(state.codex.version)) {
        const line = untrustedLine(state.codexConfig.text ?? '');
        checks.push(
          fail(
            'user-config',
            `${tildify(state.codexConfig.path)}${line ? ` line ${line}` : ''}: approval_policy = "untrusted", which Codex ${state.codex.version ?? '0.149+'} refuses at every start (it says: ${UNTRUSTED_REFUSAL}).`,
            'Remove that line (Codex then asks as with "on-request": before a command leaves the sandbox) or set another value; the tool does not change your own settings.',
          ),
        );
      }
      for (const problem of userConfigProblems(data, tildify(state.codexConfig.path), shape, provider).filter((p) => p !== selectorProblem)) {
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
    const data = snapshotData(state.codexConfig, text, path);
    checks.push(pass('config-toml', `${tildify(path)} parses`));
    return data;
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error;
    checks.push(fail('config-toml', withoutUnchanged(error.message), `Fix that line, or run \`${cli()}\` (it repairs its own part; --force-rebuild keeps a backup and rebuilds the file).`));
    return null;
  }
}

/** The profiles the tool moved out of config.toml: a value this Codex refuses there is named by its line. */
async function migratedProfileChecks(state: SetupState, config: TomlData): Promise<Check[]> {
  const checks: Check[] = [];
  const base = getIn(config, ['sandbox_mode']);
  for (const path of state.manifest.migratedProfiles ?? []) {
    const text = await readRegularText(path).catch(() => null);
    if (text === null) continue;
    for (const retired of fixRetiredSettings(text, path, typeof base === 'string' ? base : null, state.codex.version).settings) {
      const name = basename(path).replace(/\.config\.toml$/, '');
      checks.push(
        fail(
          'profile-file',
          `${tildify(path)}${retired.line ? ` line ${retired.line}` : ''}: ${retired.from}, which Codex ${state.codex.version ?? '0.149+'} refuses (it says: ${UNTRUSTED_REFUSAL}): \`codex --profile ${name}\` does not start.`,
          retired.to === null ? `${retired.why}.` : `Change that line to ${retired.to} (Codex then asks only before a command leaves the sandbox), or remove it (the profile then takes config.toml's approval_policy).`,
        ),
      );
    }
  }
  return checks;
}

/** A project-level .codex/config.toml that sets providers: Codex ignores those. */
async function projectConfigChecks(state: SetupState, cwd: string): Promise<Check[]> {
  const checks: Check[] = [];
  for (let dir = cwd, depth = 0; depth < 30; depth++) {
    const projectConfig = join(dir, '.codex', 'config.toml');
    if (projectConfig !== state.codexConfig.path) {
      const text = await readRegularText(projectConfig).catch(() => null);
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
