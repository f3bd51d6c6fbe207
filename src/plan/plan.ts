/** Step 2 of the pipeline: the changes, as a list of operations computed from state + answers. */
import { parseBridgeYaml, planBridgeYaml } from '../config/bridge-yaml.js';
import { dropBrokenOwnSection, rebuildParsable } from '../config/toml-repair.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { planCodexConfig, planProfileFile, profileSelectorNote, profileShapeFor, userConfigProblems, type ProfileShape } from '../config/codex-config.js';
import { renderManifest, type Manifest } from '../config/manifest.js';
import { renderSecrets, WEAK_KEY_WHY, weakMasterKeyReason } from '../config/secrets.js';
import { renderKeyEnv, upsertBlock } from '../config/shell-env.js';
import { getIn } from '../config/toml-data.js';
import { parseTomlData, splitBom, TomlSyntaxError, type TomlData } from '../config/toml-syntax.js';
import type { SetupState } from '../inspect/inspect.js';
import { PROVIDER_ID, tildify } from '../paths.js';
import { readTemplate } from '../templates.js';

export interface Answers {
  model: string;
  apiBase: string;
  port: number;
  zaiKey: string;
  masterKey: string;
  makeDefault: boolean | undefined;
  /** The Python whose LiteLLM serves, when it is neither our venv nor on PATH (remembered for later runs). */
  litellmPython: string | undefined;
  /** Add the key block to the shell startup files. */
  shellRc: boolean;
}

export interface WriteOperation {
  kind: 'write';
  path: string;
  /** What the file is, for people: "Codex config", "LiteLLM config", ... */
  label: string;
  before: string | null;
  after: string;
  /** Holds secrets: written 0600, never shown in a diff. */
  secret: boolean;
  newFileMode: number;
}

export interface DeleteOperation {
  kind: 'delete';
  path: string;
  label: string;
  before: string;
  secret: boolean;
}

export type Operation = WriteOperation | DeleteOperation;

export interface Plan {
  operations: Operation[];
  profileShape: ProfileShape;
  /** Problems in the user's own configuration that stop Codex; reported, never silently edited. */
  problems: string[];
  /** What was broken and is being repaired (each broken file is backed up by the write). */
  repairs: string[];
}

export interface PlanOptions {
  /** config.toml does not parse outside the tool's part: rebuild it from what still parses. */
  forceRebuild: boolean;
}

/** config.toml as the merge can use it: parsed, or repaired when the tool may repair it. */
function usableConfig(text: string, file: string, options: PlanOptions, repairs: string[]): { text: string; data: TomlData } {
  try {
    return { text, data: parseTomlData(splitBom(text).body, file) };
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error;
    const { bom, body } = splitBom(text);
    const own = dropBrokenOwnSection(body, file, error.problem);
    if (own) {
      repairs.push(`${tildify(file)} did not parse (${error.problem.line}:${error.problem.column}, in the tool's own ${own.section}): that section is written anew.`);
      return { text: bom + own.text, data: parseTomlData(own.text, file) };
    }
    if (!options.forceRebuild) {
      throw new UserError('toml-invalid', error.message, {
        exitCode: ExitCode.config,
        fix: `Fix line ${error.problem.line} of ${file} yourself, or run again with --force-rebuild to keep a backup and rebuild the file from every section that still parses.`,
      });
    }
    const rebuilt = rebuildParsable(body, file);
    repairs.push(`${tildify(file)} did not parse (${error.problem.line}:${error.problem.column}): rebuilt from what still parses; dropped ${rebuilt.dropped.join(', ')} (all of it is in the backup).`);
    return { text: bom + rebuilt.text, data: parseTomlData(rebuilt.text, file) };
  }
}

function write(label: string, path: string, before: string | null, after: string, options: { secret?: boolean; mode?: number; always?: boolean } = {}): WriteOperation | null {
  if (before === after && !options.always) return null;
  return { kind: 'write', path, label, before, after, secret: options.secret ?? false, newFileMode: options.mode ?? 0o644 };
}

export function planChanges(state: SetupState, answers: Answers, options: PlanOptions = { forceRebuild: false }): Plan {
  const { paths } = state;
  const repairs: string[] = [];
  const profileShape = profileShapeFor(state.codex.version);
  const { text: configText, data: configData } = usableConfig(state.codexConfig.text ?? '', paths.codexConfig, options, repairs);

  const manifest: Manifest = { ...state.manifest };
  if (answers.makeDefault === true && manifest.previousDefault === undefined && getIn(configData, ['model_provider']) !== PROVIDER_ID) {
    const read = (key: string) => {
      const value = getIn(configData, [key]);
      return typeof value === 'string' ? value : null;
    };
    manifest.previousDefault = { model: read('model'), model_provider: read('model_provider') };
  }

  const newConfig = planCodexConfig({
    text: configText,
    file: paths.codexConfig,
    port: answers.port,
    model: answers.model,
    shape: profileShape,
    defaults: { makeDefault: answers.makeDefault, previous: manifest.previousDefault ?? null },
    secretsFile: tildify(paths.secrets),
  }, configData);
  const selectorNote = profileSelectorNote(configData, profileShape, tildify(paths.codexConfig));
  if (selectorNote) repairs.push(selectorNote);
  if (answers.makeDefault === false) delete manifest.previousDefault;

  const created = new Set(manifest.createdFiles ?? []);
  const operations: (Operation | null)[] = [];
  const secretsText = renderSecrets({ ZAI_API_KEY: answers.zaiKey, LITELLM_MASTER_KEY: answers.masterKey }, state.secretsOtherLines);
  if (state.secretsFile.text === null) created.add(paths.secrets);
  const weakKey = weakMasterKeyReason(state.secrets.LITELLM_MASTER_KEY);
  if (weakKey && answers.masterKey !== state.secrets.LITELLM_MASTER_KEY) repairs.push(`The proxy key in ${tildify(paths.secrets)} was weak (${weakKey}): replaced with a new random key, because ${WEAK_KEY_WHY}. Open a new terminal so Codex gets it.`);
  const secretsExposed = state.secretsFile.mode !== null && state.secretsFile.mode !== 0o600;
  if (secretsExposed) repairs.push(`${tildify(paths.secrets)} had mode ${state.secretsFile.mode!.toString(8)}: set back to 600.`);
  operations.push(write('secrets (Z.ai key, proxy key)', paths.secrets, state.secretsFile.text, secretsText, { secret: true, mode: 0o600, always: secretsExposed }));

  for (const kind of ['sh', 'fish'] as const) {
    const file = state.keyEnvFiles[kind];
    const wanted = kind === 'sh' || (answers.shellRc && state.rcFiles.some((rc) => rc.kind === 'fish'));
    if (!wanted) continue;
    if (file.text === null) created.add(file.path);
    const exposed = file.mode !== null && file.mode !== 0o600;
    operations.push(write(`proxy key for shells (${kind})`, file.path, file.text, renderKeyEnv(kind, answers.masterKey), { secret: true, mode: 0o600, always: exposed }));
  }
  const rcFiles = new Set(manifest.rcFiles ?? []);
  if (answers.shellRc) {
    for (const rc of state.rcFiles) {
      if (rc.text === null) created.add(rc.path);
      rcFiles.add(rc.path);
      operations.push(write(`${rc.shell} startup file`, rc.path, rc.text, upsertBlock(rc.text, rc.kind, state.keyEnvFiles[rc.kind].path)));
    }
  }
  manifest.rcFiles = [...rcFiles].sort();

  if (state.bridge.text === null) created.add(paths.bridgeConfig);
  let bridgeBase = state.bridge.text;
  try {
    if (bridgeBase !== null) parseBridgeYaml(bridgeBase, paths.bridgeConfig);
  } catch (error) {
    repairs.push(`${(error as Error).message.replace(/ The file was not changed\.$/, '')}: written anew (the broken file is in the backup; additions in it are not carried over).`);
    bridgeBase = null;
  }
  operations.push(write('LiteLLM proxy config', paths.bridgeConfig, state.bridge.text, planBridgeYaml(bridgeBase, paths.bridgeConfig, answers)));

  if (profileShape === 'file') {
    if (state.codexProfile.text === null) created.add(paths.codexProfile);
    let profileBase = state.codexProfile.text ?? readTemplate('glm.config.toml');
    try {
      parseTomlData(splitBom(profileBase).body, paths.codexProfile);
    } catch (error) {
      repairs.push(`${(error as Error).message.replace(/ The file was not changed\.$/, '')}: the profile is written anew (the broken file is in the backup).`);
      profileBase = readTemplate('glm.config.toml');
    }
    operations.push(
      write('Codex profile "glm"', paths.codexProfile, state.codexProfile.text, planProfileFile(profileBase, paths.codexProfile, answers.model)),
    );
  }
  if (state.codexConfig.text === null) created.add(paths.codexConfig);
  operations.push(write('Codex config', paths.codexConfig, state.codexConfig.text, newConfig));

  Object.assign(manifest, { model: answers.model, apiBase: answers.apiBase, port: answers.port });
  if (answers.litellmPython) manifest.litellmPython = answers.litellmPython;
  manifest.createdFiles = [...created].sort();
  operations.push(write('glm-codex-setup state', paths.manifest, state.manifestFile.text, renderManifest(manifest), { mode: 0o600 }));

  return {
    operations: operations.filter((op): op is Operation => op !== null),
    profileShape,
    problems: userConfigProblems(configData, paths.codexConfig, profileShape),
    repairs,
  };
}
