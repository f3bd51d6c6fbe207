/** glm-bridge.yaml: LiteLLM's config, the model entry that bridges Responses to Z.ai's Chat Completions. */
import { bridgeEntry, dropBridgeModels, MASTER_KEY_REFERENCE, parseBridgeYaml, planBridgeYaml, ZAI_KEY_REFERENCE } from '../config/bridge-yaml.js';
import { bridgeYaml11Problems } from '../config/bridge-yaml11.js';
import { HOOKS_CALLBACK, hooksSource } from '../config/bridge-hooks.js';
import type { LocalAnswers } from './answers.js';
import { writeOp } from './operations.js';
import { tildify } from '../paths.js';
import { fail, parseCause, pass, repairHint, withoutUnchanged } from '../verify/check.js';
import type { Unit } from './types.js';

export const bridgeUnit: Unit<LocalAnswers> = {
  id: 'bridge',
  plan({ state, answers, notes }) {
    const { path, text } = state.bridge;
    let base = text;
    try {
      if (base !== null) parseBridgeYaml(base, path);
    } catch (error) {
      notes.repairs.push(`${parseCause((error as Error).message)}: written anew (the broken file is in the backup; additions in it are not carried over).`);
      base = null;
    }
    // One entry per model set up: Codex's /model switches between them through the same proxy.
    // A model set up before and dropped now leaves with its entry (the user's own entries stay).
    const { manifest } = state;
    const before = [...(manifest.models ?? []), ...(manifest.model ? [manifest.model] : []), ...(manifest.modes?.local?.models ?? [])];
    let planned = dropBridgeModels(base, path, [...new Set(before)].filter((model) => !answers.models.includes(model)));
    for (const model of answers.models) planned = planBridgeYaml(planned, path, { model, apiBase: answers.apiBase });
    return [
      ...writeOp('LiteLLM proxy config', path, text, planned ?? ''),
      ...writeOp('LiteLLM callbacks (Z.ai refusals in words, GLM windows for /status)', state.bridgeHooks.path, state.bridgeHooks.text, hooksSource()),
    ];
  },
  // Kept by uninstall, with your own additions; `uninstall --purge` removes the state dir.
  undo: () => [],
  async check({ state, answers, litellm }) {
    const { path, text } = state.bridge;
    if (text === null) return [fail('bridge', `${tildify(path)} is missing.`)];
    try {
      const doc = parseBridgeYaml(text, path);
      const general = doc.toJS() as { general_settings?: { master_key?: string }; litellm_settings?: { callbacks?: unknown } };
      const problems: string[] = [];
      for (const model of answers.models) {
        const entry = bridgeEntry(doc, model);
        const params = (entry?.litellm_params ?? {}) as Record<string, unknown>;
        if (!entry) problems.push(`no model_list entry for ${model}`);
        else {
          if (params.api_key !== ZAI_KEY_REFERENCE) problems.push(`${model}: api_key is not ${ZAI_KEY_REFERENCE}`);
          if (params.model !== `openai/${model}` || params.use_chat_completions_api !== true) problems.push(`the ${model} entry does not bridge (needs model: openai/${model} and use_chat_completions_api: true)`);
        }
      }
      if (general.general_settings?.master_key !== MASTER_KEY_REFERENCE) problems.push(`general_settings.master_key is not ${MASTER_KEY_REFERENCE}`);
      const callbacks = general.litellm_settings?.callbacks;
      if (!(callbacks === HOOKS_CALLBACK || (Array.isArray(callbacks) && callbacks.includes(HOOKS_CALLBACK)))) problems.push(`litellm_settings.callbacks does not name ${HOOKS_CALLBACK} (Z.ai's refusals would reach Codex as retried 429s)`);
      if (state.bridgeHooks.text !== hooksSource()) problems.push(`${tildify(state.bridgeHooks.path)} is ${state.bridgeHooks.text === null ? 'missing' : 'not the one this version writes'}`);
      // LiteLLM reads YAML 1.1 (PyYAML): check the file as it will, with its own Python when there is one.
      const python = litellm.find((f) => f.verdict.kind === 'bridges' && f.proxyExtras)?.python ?? null;
      if (problems.length === 0) for (const model of answers.models) problems.push(...(await bridgeYaml11Problems(text, model, python)));
      return [problems.length === 0 ? pass('bridge', `${tildify(path)} routes ${answers.models.join(', ')} to ${answers.apiBase}`) : fail('bridge', `${tildify(path)}: ${problems.join('; ')}.`)];
    } catch (error) {
      return [fail('bridge', withoutUnchanged((error as Error).message), repairHint('the broken file is backed up first'))];
    }
  },
};
