/** secrets.env (0600): the Z.ai key and the proxy's master key, passed to LiteLLM through its environment. */
import { renderSecrets } from '../config/secrets.js';
import type { LocalAnswers } from '../modes/types.js';
import { writeOp } from '../plan/operations.js';
import { tildify } from '../paths.js';
import { fail, pass } from '../verify/check.js';
import type { Unit } from './types.js';

export const secretsUnit: Unit<LocalAnswers> = {
  id: 'secrets',
  plan({ state, answers, notes }) {
    const file = state.secretsFile;
    const exposed = file.mode !== null && file.mode !== 0o600;
    if (exposed) notes.repairs.push(`${tildify(file.path)} had mode ${file.mode!.toString(8)}: set back to 600.`);
    const text = renderSecrets({ ZAI_API_KEY: answers.zaiKey, LITELLM_MASTER_KEY: answers.masterKey }, state.secretsOtherLines);
    return writeOp('secrets (Z.ai key, proxy key)', file.path, file.text, text, { secret: true, mode: 0o600, always: exposed });
  },
  // Kept by uninstall (a later setup reuses the keys); `uninstall --purge` removes the state dir.
  undo: () => [],
  check({ state }) {
    const { secrets, secretsFile } = state;
    if (secretsFile.text === null) return [fail('secrets', `${tildify(secretsFile.path)} is missing.`)];
    const problems: string[] = [];
    if (!secrets.ZAI_API_KEY) problems.push('no ZAI_API_KEY');
    if (!secrets.LITELLM_MASTER_KEY?.startsWith('sk-')) problems.push('no LITELLM_MASTER_KEY starting with sk-');
    if (secretsFile.mode !== null && (secretsFile.mode & 0o077) !== 0) problems.push(`mode ${secretsFile.mode.toString(8)} lets other users read it (expected 600)`);
    return [problems.length === 0 ? pass('secrets', `${tildify(secretsFile.path)} holds both keys, mode 600`) : fail('secrets', `${tildify(secretsFile.path)}: ${problems.join('; ')}.`)];
  },
};
