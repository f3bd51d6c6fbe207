/**
 * glm-bridge.yaml as LiteLLM reads it (PyYAML from the 1.108.7 venv): model ids that YAML 1.1 reads
 * as booleans or numbers come back as the same strings; doctor's reader flags what LiteLLM cannot read.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { planBridgeYaml } from '../../src/config/bridge-yaml.js';
import { bridgeYaml11Problems } from '../../src/config/bridge-yaml11.js';
import { resolveEndpoint } from '../../src/options.js';
import { latestVenv } from '../helpers/litellm.js';

const python = join(latestVenv(), 'bin', 'python');
const API_BASE = 'https://api.z.ai/api/paas/v4';
const AMBIGUOUS = ['on', 'yes', 'no', 'off', '1_000', '1:20', 'null', '0x1F', '1e3'];

async function pyyaml(text: string): Promise<any> {
  const result = await execa(python, ['-c', 'import yaml,sys,json; print(json.dumps(yaml.safe_load(sys.stdin.read()), default=repr))'], { input: text });
  return JSON.parse(result.stdout);
}

describe('glm-bridge.yaml read by PyYAML (YAML 1.1)', () => {
  it.each(AMBIGUOUS)('--model %s is read back as the same string', async (model) => {
    const text = planBridgeYaml(null, 'glm-bridge.yaml', { model, apiBase: API_BASE });
    const data = await pyyaml(text);
    expect(data.model_list[0].model_name).toBe(model);
    expect(data.model_list[0].litellm_params).toMatchObject({ model: `openai/${model}`, api_base: API_BASE, api_key: 'os.environ/ZAI_API_KEY', use_chat_completions_api: true });
    expect(data.general_settings.master_key).toBe('os.environ/LITELLM_MASTER_KEY');
    expect(await bridgeYaml11Problems(text, model, python)).toEqual([]);
  });

  it('a file written unquoted by an earlier version is quoted on the next run, and doctor flags it before', async () => {
    const old = 'model_list:\n  - model_name: on\n    litellm_params:\n      model: openai/on\n      api_base: https://api.z.ai/api/paas/v4\n      api_key: os.environ/ZAI_API_KEY\n      use_chat_completions_api: true\ngeneral_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n';
    expect((await bridgeYaml11Problems(old, 'on', python)).join()).toContain('model_name');
    const fixed = planBridgeYaml(old, 'glm-bridge.yaml', { model: 'on', apiBase: API_BASE });
    expect(fixed).not.toBe(old);
    expect((await pyyaml(fixed)).model_list[0].model_name).toBe('on');
    // A second run changes nothing more.
    expect(planBridgeYaml(fixed, 'glm-bridge.yaml', { model: 'on', apiBase: API_BASE })).toBe(fixed);
  });

  it('doctor\'s reader fails a file LiteLLM cannot parse (a raw TAB in the URL, as the old --endpoint check let through)', async () => {
    const broken = 'model_list:\n  - model_name: glm-5.2\n    litellm_params:\n      model: openai/glm-5.2\n      api_base: https://api.z.ai/api/paas/v4\t\n      api_key: os.environ/ZAI_API_KEY\ngeneral_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n';
    const problems = await bridgeYaml11Problems(broken, 'glm-5.2', python);
    expect(problems.length).toBeGreaterThan(0);
  });

  it('--endpoint with a TAB, a space or a newline is refused as typed', () => {
    for (const value of ['https://api.z.ai/api/\tpaas/v4', 'https://api.z.ai/api/paas/v4 ', 'https://api.z.ai/api/paas/v4\n', 'https://api.z.ai/a\x01pi']) {
      expect(() => resolveEndpoint(value)).toThrow(/space, tab, newline or control character/);
    }
    expect(resolveEndpoint('https://api.z.ai/api/paas/v4/')).toBe('https://api.z.ai/api/paas/v4');
  });
});
