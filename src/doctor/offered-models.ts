/**
 * doctor: the models Z.ai lists for the stored key that are not set up. Never a FAIL: a WARN when Z.ai
 * offers a GLM newer than every model set up (the reason to re-run), else a PASS line naming the others.
 * A list that does not answer (other region, network, a key without the right) says nothing.
 */
import { glmRank } from '../config/model-catalog.js';
import { fetchZaiModels } from '../inspect/zai-models.js';
import { cli } from '../invocation.js';
import type { Answers } from '../modes/types.js';
import { pass, warn, type Check } from '../verify/check.js';

const DOCTOR_TIMEOUT_MS = 3_000;


export function offeredNotSetUp(offered: string[], setUp: string[]): { newer: string[]; others: string[] } {
  const missing = offered.filter((id) => !setUp.includes(id)).sort((a, b) => (glmRank(b) ?? -1) - (glmRank(a) ?? -1));
  const best = Math.max(-1, ...setUp.map((id) => glmRank(id) ?? -1));
  const newer = missing.filter((id) => (glmRank(id) ?? -1) > best);
  return { newer, others: missing.filter((id) => !newer.includes(id)) };
}

export async function offeredModelsCheck(answers: Answers, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  if (!('zaiKey' in answers) || !answers.zaiKey) return [];
  const listed = await fetchZaiModels(answers.apiBase, answers.zaiKey, { timeoutMs: Number(env.GLM_CODEX_MODELS_TIMEOUT_MS) || DOCTOR_TIMEOUT_MS });
  if (!listed.ok) return [];
  const { newer, others } = offeredNotSetUp(listed.ids, answers.models);
  if (newer.length > 0) {
    return [
      warn(
        'models',
        `Z.ai offers your key ${newer.join(', ')}, newer than the model${answers.models.length === 1 ? '' : 's'} set up (${answers.models.join(', ')}).`,
        `Add ${newer.length === 1 ? 'it' : 'them'}: \`${cli(`--models ${[...answers.models, ...newer].join(',')}`)}\` (Codex's /model then switches to ${newer.length === 1 ? 'it' : 'them'}).`,
      ),
    ];
  }
  if (others.length > 0) return [pass('models', `Z.ai also offers your key ${others.join(', ')} (not set up; add with --models)`)];
  return [pass('models', `Every model Z.ai lists for your key is set up (${answers.models.join(', ')})`)];
}
