/**
 * glm-bridge.yaml as LiteLLM reads it: PyYAML's safe_load (YAML 1.1), run with the Python of the
 * LiteLLM that serves when there is one; else the yaml library in its 1.1 mode, which reads the
 * same booleans (on/yes/no/off), numbers (1_000) and sexagesimals (1:20).
 */
import { runner } from '../process/run.js';
import { parseDocument } from 'yaml';
import { MASTER_KEY_REFERENCE, ZAI_KEY_REFERENCE } from './bridge-yaml.js';

const PYYAML_READ = [
  'import sys, json, yaml',
  'try:',
  '    data = yaml.safe_load(sys.stdin.read())',
  'except yaml.YAMLError as error:',
  '    print(json.dumps({"error": str(error)}))',
  'else:',
  '    print(json.dumps({"data": data}, default=repr))',
].join('\n');

export type YamlReading = { ok: true; data: unknown; reader: string } | { ok: false; error: string; reader: string };

export async function readLikeLiteLLM(text: string, python: string | null): Promise<YamlReading> {
  if (python) {
    const result = await runner.run(python, ['-c', PYYAML_READ], { input: text, timeoutMs: 20_000, env: { PYTHONIOENCODING: 'utf-8' } });
    if (result.exitCode === 0) {
      try {
        const answer = JSON.parse(result.stdout) as { data?: unknown; error?: string };
        if (answer.error !== undefined) return { ok: false, error: answer.error.split('\n').join(' '), reader: 'PyYAML' };
        return { ok: true, data: answer.data, reader: 'PyYAML' };
      } catch {
        /* fall through to the library */
      }
    }
  }
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors[0]) return { ok: false, error: doc.errors[0].message.split('\n')[0]!, reader: 'YAML 1.1' };
  return { ok: true, data: doc.toJS(), reader: 'YAML 1.1' };
}

/**
 * What LiteLLM would not read as the tool meant it: a file it cannot parse, or one of the tool's
 * own strings (the model entry, the key references) read as something else.
 */
export async function bridgeYaml11Problems(text: string, model: string | undefined, python: string | null): Promise<string[]> {
  const reading = await readLikeLiteLLM(text, python);
  if (!reading.ok) return [`LiteLLM cannot read it (${reading.reader}: ${reading.error})`];
  const data = (reading.data ?? {}) as { model_list?: unknown; general_settings?: { master_key?: unknown } };
  const problems: string[] = [];
  if (model !== undefined) {
    const list = Array.isArray(data.model_list) ? (data.model_list as Record<string, unknown>[]) : [];
    const entry = list.find((e) => e && typeof e === 'object' && (e.model_name === model || String(e.model_name) === model || e.model_name === yaml11Scalar(model)));
    if (!entry) problems.push(`${reading.reader} finds no model_list entry named "${model}"`);
    else {
      const params = (entry.litellm_params ?? {}) as Record<string, unknown>;
      if (entry.model_name !== model) problems.push(`${reading.reader} reads model_name ${JSON.stringify(model)} as ${JSON.stringify(entry.model_name)} (quote it)`);
      if (params.model !== `openai/${model}`) problems.push(`${reading.reader} reads litellm_params.model as ${JSON.stringify(params.model)}`);
      if (params.api_key !== ZAI_KEY_REFERENCE) problems.push(`${reading.reader} reads litellm_params.api_key as ${JSON.stringify(params.api_key)}`);
      if (typeof params.api_base !== 'string' || /[\s\x00-\x1f\x7f]/.test(params.api_base)) {
        problems.push(`${reading.reader} reads litellm_params.api_base as ${JSON.stringify(params.api_base)}, not a URL`);
      }
    }
  }
  if (data.general_settings?.master_key !== MASTER_KEY_REFERENCE) problems.push(`${reading.reader} reads general_settings.master_key as ${JSON.stringify(data.general_settings?.master_key ?? null)}`);
  return problems;
}

function yaml11Scalar(value: string): unknown {
  return parseDocument(`v: ${value}\n`, { version: '1.1' }).toJS()?.v;
}
