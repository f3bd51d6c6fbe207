/** Step 2 of the pipeline: the changes, as a list of operations computed from state + answers. */
import { planBridgeYaml, type BridgeRoute } from '../config/bridge-yaml.js';
import { planCodexConfig, planProfileFile, profileShapeFor, userConfigProblems, type ProfileShape } from '../config/codex-config.js';
import { renderManifest, type Manifest } from '../config/manifest.js';
import { renderSecrets } from '../config/secrets.js';
import { renderKeyEnv, upsertBlock } from '../config/shell-env.js';
import { getIn } from '../config/toml-data.js';
import { parseTomlData, splitBom } from '../config/toml-syntax.js';
import type { SetupState } from '../inspect/inspect.js';
import { PROVIDER_ID } from '../paths.js';
import { readTemplate } from '../templates.js';

export interface Answers {
  model: string;
  apiBase: string;
  port: number;
  zaiKey: string;
  masterKey: string;
  makeDefault: boolean | undefined;
  route: BridgeRoute;
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

export type Operation = WriteOperation;

export interface Plan {
  operations: Operation[];
  profileShape: ProfileShape;
  /** Problems in the user's own configuration that stop Codex; reported, never silently edited. */
  problems: string[];
}

function write(label: string, path: string, before: string | null, after: string, options: { secret?: boolean; mode?: number } = {}): WriteOperation | null {
  if (before === after) return null;
  return { kind: 'write', path, label, before, after, secret: options.secret ?? false, newFileMode: options.mode ?? 0o644 };
}

export function planChanges(state: SetupState, answers: Answers): Plan {
  const { paths } = state;
  const profileShape = profileShapeFor(state.codex.version);
  const configText = state.codexConfig.text ?? '';
  const configData = parseTomlData(splitBom(configText).body, paths.codexConfig);

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
  });
  if (answers.makeDefault === false) delete manifest.previousDefault;

  const created = new Set(manifest.createdFiles ?? []);
  const operations: (Operation | null)[] = [];
  const secretsText = renderSecrets({ ZAI_API_KEY: answers.zaiKey, LITELLM_MASTER_KEY: answers.masterKey }, state.secretsOtherLines);
  if (state.secretsFile.text === null) created.add(paths.secrets);
  operations.push(write('secrets (Z.ai key, proxy key)', paths.secrets, state.secretsFile.text, secretsText, { secret: true, mode: 0o600 }));

  for (const kind of ['sh', 'fish'] as const) {
    const file = state.keyEnvFiles[kind];
    const wanted = kind === 'sh' || (answers.shellRc && state.rcFiles.some((rc) => rc.kind === 'fish'));
    if (!wanted) continue;
    if (file.text === null) created.add(file.path);
    operations.push(write(`proxy key for shells (${kind})`, file.path, file.text, renderKeyEnv(kind, answers.masterKey), { secret: true, mode: 0o600 }));
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
  operations.push(
    write('LiteLLM proxy config', paths.bridgeConfig, state.bridge.text, planBridgeYaml(state.bridge.text, paths.bridgeConfig, answers)),
  );

  if (profileShape === 'file') {
    if (state.codexProfile.text === null) created.add(paths.codexProfile);
    const profileBase = state.codexProfile.text ?? readTemplate('glm.config.toml');
    operations.push(
      write('Codex profile "glm"', paths.codexProfile, state.codexProfile.text, planProfileFile(profileBase, paths.codexProfile, answers.model)),
    );
  }
  if (state.codexConfig.text === null) created.add(paths.codexConfig);
  operations.push(write('Codex config', paths.codexConfig, state.codexConfig.text, newConfig));

  Object.assign(manifest, { model: answers.model, apiBase: answers.apiBase, port: answers.port, route: answers.route });
  manifest.createdFiles = [...created].sort();
  operations.push(write('glm-codex-setup state', paths.manifest, state.manifestFile.text, renderManifest(manifest), { mode: 0o600 }));

  return {
    operations: operations.filter((op): op is Operation => op !== null),
    profileShape,
    problems: userConfigProblems(configData, paths.codexConfig, profileShape),
  };
}
