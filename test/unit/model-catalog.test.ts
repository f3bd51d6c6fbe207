import { describe, expect, it } from 'vitest';
import { extractBasePrompt } from '../../src/codex/base-prompt.js';
import { closestFamily, GLM_MODELS, modelSpec, profileModelSettings, renderModelCatalog } from '../../src/config/model-catalog.js';
import { modelsUrl, parseModelList } from '../../src/inspect/zai-models.js';
import { offeredNotSetUp } from '../../src/doctor/offered-models.js';

const PROMPT = 'You are a coding agent (test prompt).';
/** The fields Codex 0.169.0 and 0.171.0 refuse a catalog entry without (measured one by one). */
const REQUIRED = ['slug', 'display_name', 'supported_reasoning_levels', 'shell_type', 'visibility', 'supported_in_api', 'priority', 'support_verbosity', 'truncation_policy', 'experimental_supported_tools', 'base_instructions'];

describe('Z.ai\'s model list', () => {
  it('reads models[].slug and data[].id, lower-cased and deduplicated; anything else gives no ids', () => {
    expect(parseModelList({ models: [{ slug: 'glm-5.4' }, { slug: 'GLM-5.2' }, { slug: 'glm-5.4' }] })).toEqual(['glm-5.4', 'glm-5.2']);
    expect(parseModelList({ object: 'list', data: [{ id: 'glm-5.3', object: 'model' }, { id: 'glm-4.7' }] })).toEqual(['glm-5.3', 'glm-4.7']);
    expect(parseModelList({ models: ['glm-5.1'] })).toEqual(['glm-5.1']);
    expect(parseModelList({ models: [{ slug: 'a b' }, { slug: 42 }, { slug: '../x' }, null] })).toEqual([]);
    expect(parseModelList({ code: 200, data: null })).toEqual([]);
    expect(parseModelList('glm-5.2')).toEqual([]);
  });

  it('doctor: what Z.ai offers beyond the models set up, newest first; "newer" only above the newest set up', () => {
    expect(offeredNotSetUp(['glm-4.7', 'glm-5.2', 'glm-5.3', 'glm-5.5', 'glm-5.4-air', 'glm-5.4'], ['glm-5.2', 'glm-5.3'])).toEqual({ newer: ['glm-5.5', 'glm-5.4', 'glm-5.4-air'], others: ['glm-4.7'] });
    expect(offeredNotSetUp(['glm-5.2', 'glm-5.4'], ['glm-5.4', 'glm-5.2'])).toEqual({ newer: [], others: [] });
    expect(offeredNotSetUp(['glm-5.1', 'vendor-x'], ['glm-5.2'])).toEqual({ newer: [], others: ['glm-5.1', 'vendor-x'] });
  });

  it('is asked on the endpoint\'s origin, whatever its path', () => {
    expect(modelsUrl('https://api.z.ai/api/coding/paas/v4')).toBe('https://api.z.ai/api/v1/models');
    expect(modelsUrl('https://open.bigmodel.cn/api/v1')).toBe('https://open.bigmodel.cn/api/v1/models');
  });
});

describe('renderModelCatalog', () => {
  it('one entry per model, in order, each with every required field and the prompt', () => {
    const catalog = JSON.parse(renderModelCatalog(['glm-5.3', 'glm-5.2', 'glm-5.1'], PROMPT)) as { models: Record<string, unknown>[] };
    expect(catalog.models.map((m) => m.slug)).toEqual(['glm-5.3', 'glm-5.2', 'glm-5.1']);
    expect(catalog.models.map((m) => m.priority)).toEqual([1, 2, 3]);
    for (const model of catalog.models) {
      for (const field of REQUIRED) expect(model, `${String(model.slug)}.${field}`).toHaveProperty(field);
      expect(model.base_instructions).toBe(PROMPT);
      expect(model.input_modalities).toEqual(['text']);
    }
  });

  it('GLM-5.3/5.2: 1M-class windows and high|max with max by default; GLM-5.1: 200K and no reasoning effort', () => {
    const [m53, m52, m51] = (JSON.parse(renderModelCatalog(['glm-5.3', 'glm-5.2', 'glm-5.1'], PROMPT)) as { models: Record<string, any>[] }).models;
    expect(m53).toMatchObject({ context_window: 1_048_576, max_context_window: 1_048_576, default_reasoning_level: 'max' });
    expect(m52).toMatchObject({ context_window: 1_000_000, auto_compact_token_limit: 800_000, default_reasoning_level: 'max' });
    expect(m52!.supported_reasoning_levels.map((l: { effort: string }) => l.effort)).toEqual(['high', 'max']);
    expect(m51).toMatchObject({ context_window: 200_000, supported_reasoning_levels: [] });
    expect(m51).not.toHaveProperty('default_reasoning_level');
  });

  it('GLM-5.4: a 1M window, low|high|max with max by default, text and image input', () => {
    const [m54] = (JSON.parse(renderModelCatalog(['glm-5.4'], PROMPT)) as { models: Record<string, any>[] }).models;
    expect(m54).toMatchObject({ slug: 'glm-5.4', context_window: 1_000_000, auto_compact_token_limit: 800_000, default_reasoning_level: 'max', input_modalities: ['text', 'image'] });
    expect(m54!.supported_reasoning_levels.map((l: { effort: string }) => l.effort)).toEqual(['low', 'high', 'max']);
  });

  it('a GLM id it does not know takes its closest known family, and its description says so', () => {
    expect(closestFamily('glm-5.5')?.id).toBe('glm-5.4');
    expect(closestFamily('glm-5.9-turbo')?.id).toBe('glm-5.4');
    expect(closestFamily('glm-5.3-air')?.id).toBe('glm-5.3');
    expect(closestFamily('glm-4.7-air')?.id).toBe('glm-4.7');
    expect(closestFamily('glm-4.8')?.id).toBe('glm-4.7');
    expect(closestFamily('glm-6')).toBeNull();
    expect(closestFamily('my-glm-finetune')).toBeNull();
    const spec = modelSpec('glm-5.5');
    expect(spec).toMatchObject({ known: false, derivedFrom: 'glm-5.4', contextWindow: 1_000_000, defaultReasoningLevel: 'max' });
    expect(spec.reasoningLevels.map((l) => l.effort)).toEqual(['low', 'high', 'max']);
    const [entry] = (JSON.parse(renderModelCatalog(['glm-5.5'], PROMPT)) as { models: Record<string, any>[] }).models;
    expect(entry).toMatchObject({ slug: 'glm-5.5', display_name: 'glm-5.5', context_window: 1_000_000 });
    expect(entry!.description).toMatch(/not in glm-codex-setup's table.*GLM-5\.4/);
  });

  it('refuses an empty prompt (Codex would send none) and an empty model list', () => {
    expect(() => renderModelCatalog(['glm-5.2'], '  \n')).toThrow(/base prompt is empty/);
    expect(() => renderModelCatalog([], PROMPT)).toThrow(/no models/);
  });

  it('a model id it does not know gets conservative values and no reasoning effort', () => {
    const spec = modelSpec('my-glm-finetune');
    expect(spec).toMatchObject({ known: false, contextWindow: 128_000, reasoningLevels: [], defaultReasoningLevel: null });
    expect(GLM_MODELS.every((model) => model.contextWindow >= spec.contextWindow)).toBe(true);
  });
});

describe('profileModelSettings', () => {
  it('one window shared by every model: the keys; different windows: none (they would override the catalog)', () => {
    expect(profileModelSettings(['glm-5.2'])).toEqual({ model_context_window: 1_000_000, model_auto_compact_token_limit: 800_000 });
    expect(profileModelSettings(['glm-5.1', 'glm-5'])).toEqual({ model_context_window: 200_000, model_auto_compact_token_limit: 160_000 });
    expect(profileModelSettings(['glm-5.2', 'glm-5.1'])).toEqual({});
  });
});

describe('extractBasePrompt', () => {
  it('0.163+: the first text part of the first developer message', () => {
    const body = {
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'BASE' }] },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'skills' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      ],
    };
    expect(extractBasePrompt(body)).toBe('BASE');
  });

  it('older Codex: the instructions field; nothing usable: null', () => {
    expect(extractBasePrompt({ instructions: 'OLD BASE', input: [] })).toBe('OLD BASE');
    expect(extractBasePrompt({ instructions: '', input: [{ role: 'user', content: 'hi' }] })).toBeNull();
    expect(extractBasePrompt({ input: [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: ' ' }] }] })).toBeNull();
  });
});
