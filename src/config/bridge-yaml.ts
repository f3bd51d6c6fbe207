/**
 * glm-bridge.yaml, edited with yaml's Document API so the user's comments, models and settings
 * survive a re-run. Only the entry for the chosen model and `general_settings.master_key` are ours.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, YAMLMap, YAMLSeq } from 'yaml';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readTemplate } from '../templates.js';
import { HOOKS_CALLBACK } from './bridge-hooks.js';

/**
 * The model entry: `openai/<id>` + `use_chat_completions_api: true` makes LiteLLM (>= 1.83.14) bridge
 * Codex's Responses calls to Z.ai's Chat Completions instead of posting to Z.ai's missing /responses.
 */
export interface BridgeSettings {
  model: string;
  apiBase: string;
}

export const ZAI_KEY_REFERENCE = 'os.environ/ZAI_API_KEY';
export const MASTER_KEY_REFERENCE = 'os.environ/LITELLM_MASTER_KEY';

export function parseBridgeYaml(text: string, file: string): Document {
  const doc = parseDocument(text, { prettyErrors: true, keepSourceTokens: false });
  const problem = doc.errors[0];
  if (problem) {
    const where = problem.linePos?.[0];
    const position = where ? `${where.line}:${where.col}` : '1:1';
    // prettyErrors ends yaml's first line with " at line L, column C:" (the excerpt follows): the position is already in front.
    const reason = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]$/, '');
    throw new UserError('yaml-invalid', `${file}:${position}: ${reason}. The file was not changed.`, {
      exitCode: ExitCode.config,
      fix: `Fix the YAML at that line, or move ${file} aside so glm-codex-setup can write a fresh one.`,
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UserError('yaml-shape', `${file}: expected a mapping at the top level. The file was not changed.`, {
      exitCode: ExitCode.config,
      fix: `Move ${file} aside so glm-codex-setup can write a fresh one.`,
    });
  }
  return doc;
}

function findModelEntry(list: YAMLSeq, model: string): YAMLMap | undefined {
  return list.items.find((item): item is YAMLMap => isMap(item) && item.get('model_name') === model);
}

/**
 * Removes the tool's own entries for models no longer set up: the named ones, only while they still have
 * the shape this tool writes (an entry the user reshaped, or one of their own, stays).
 */
export function dropBridgeModels(text: string | null, file: string, models: string[]): string | null {
  if (text === null || models.length === 0) return text;
  const doc = parseBridgeYaml(text, file);
  const list = doc.get('model_list');
  if (!isSeq(list)) return text;
  const ours = (item: unknown): boolean => {
    if (!isMap(item)) return false;
    const name = item.get('model_name');
    const params = item.get('litellm_params');
    return typeof name === 'string' && models.includes(name) && isMap(params) && params.get('model') === `openai/${name}` && params.get('api_key') === ZAI_KEY_REFERENCE;
  };
  const kept = list.items.filter((item) => !ours(item));
  if (kept.length === list.items.length) return text;
  list.items = kept;
  return doc.toString({ lineWidth: 0 });
}

export function planBridgeYaml(text: string | null, file: string, settings: BridgeSettings): string {
  const source = text ?? readTemplate('glm-bridge.yaml');
  const doc = parseBridgeYaml(source, file);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;

  let list = doc.get('model_list');
  if (!isSeq(list)) {
    list = doc.createNode([]);
    doc.set('model_list', list);
  }
  const seq = list as YAMLSeq;
  let entry = findModelEntry(seq, settings.model);
  if (!entry) {
    entry = doc.createNode({ model_name: settings.model, litellm_params: {} }) as YAMLMap;
    seq.items.push(entry);
    seq.flow = false;
  }
  setString(entry, 'model_name', settings.model);
  let params = entry.get('litellm_params');
  if (!isMap(params)) {
    params = doc.createNode({});
    entry.set('litellm_params', params);
  }
  const litellmParams = params as YAMLMap;
  setString(litellmParams, 'model', `openai/${settings.model}`);
  setString(litellmParams, 'api_base', settings.apiBase);
  setString(litellmParams, 'api_key', ZAI_KEY_REFERENCE);
  setIfDifferent(litellmParams, 'use_chat_completions_api', true);
  // The model catalog makes Codex send a reasoning effort; LiteLLM before 1.108 refuses it for
  // `openai/` models (UnsupportedParamsError). Dropped there, passed through by newer releases.
  setIfDifferent(litellmParams, 'drop_params', true);

  let general = doc.get('general_settings');
  if (!isMap(general)) {
    general = doc.createNode({});
    doc.set('general_settings', general);
  }
  const generalMap = general as YAMLMap;
  generalMap.flow = false;
  setString(generalMap, 'master_key', MASTER_KEY_REFERENCE);
  planRefusalSettings(doc);

  const out = doc.toString({ lineWidth: 0 });
  return text !== null && sameData(text, out, file) && text.length > 0 ? text : out;
}

/**
 * Z.ai's refusals are final for the request: LiteLLM must neither retry them nor put the only
 * deployment in cooldown (a 401 would otherwise turn every following request into LiteLLM's own 429
 * "No deployments available"). Our callback module is added to the user's callbacks; values the user
 * set for the two router settings are kept.
 */
function planRefusalSettings(doc: Document): void {
  let settings = doc.get('litellm_settings');
  if (!isMap(settings)) {
    settings = doc.createNode({});
    doc.set('litellm_settings', settings);
  }
  const litellmSettings = settings as YAMLMap;
  litellmSettings.flow = false;
  const callbacks = litellmSettings.get('callbacks', true);
  if (isSeq(callbacks)) {
    if (!callbacks.items.some((item) => isScalar(item) && item.value === HOOKS_CALLBACK)) callbacks.items.push(quoted(HOOKS_CALLBACK));
  } else if (isScalar(callbacks) && typeof callbacks.value === 'string' && callbacks.value !== HOOKS_CALLBACK) {
    const list = doc.createNode([]) as YAMLSeq;
    list.items.push(callbacks, quoted(HOOKS_CALLBACK));
    litellmSettings.set('callbacks', list);
  } else if (!(isScalar(callbacks) && callbacks.value === HOOKS_CALLBACK)) {
    const list = doc.createNode([]) as YAMLSeq;
    list.items.push(quoted(HOOKS_CALLBACK));
    litellmSettings.set('callbacks', list);
  }

  let router = doc.get('router_settings');
  if (!isMap(router)) {
    router = doc.createNode({});
    doc.set('router_settings', router);
  }
  const routerMap = router as YAMLMap;
  routerMap.flow = false;
  if (!routerMap.has('num_retries')) routerMap.set('num_retries', 0);
  if (!routerMap.has('disable_cooldowns')) routerMap.set('disable_cooldowns', true);
}

function quoted(value: string): Scalar {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

function setIfDifferent(map: YAMLMap, key: string, value: unknown): void {
  if (map.get(key) !== value) map.set(key, value);
}

/**
 * Every string the tool writes is double-quoted: LiteLLM reads YAML 1.1 (PyYAML), where a plain
 * `on`, `no`, `1_000` or `1:20` is a boolean or a number, while YAML 1.2 reads a string.
 */
function setString(map: YAMLMap, key: string, value: string): void {
  const node = map.get(key, true);
  if (isScalar(node) && node.value === value && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) return;
  const quoted = new Scalar(value);
  quoted.type = Scalar.QUOTE_DOUBLE;
  map.set(key, quoted);
}

/** Same data in both YAML versions LiteLLM and this tool read: a change of quoting alone counts. */
function sameData(a: string, b: string, file: string): boolean {
  const read = (text: string, version: '1.1' | '1.2') => JSON.stringify(parseDocument(text, { version }).toJS());
  return read(a, '1.2') === read(b, '1.2') && read(a, '1.1') === read(b, '1.1') && parseBridgeYaml(a, file) !== null;
}

/** The model entry for `model`, as data, or null. */
export function bridgeEntry(doc: Document, model: string): Record<string, unknown> | null {
  const list = doc.get('model_list');
  if (!isSeq(list)) return null;
  const entry = findModelEntry(list as YAMLSeq, model);
  return entry ? (entry.toJSON() as Record<string, unknown>) : null;
}
