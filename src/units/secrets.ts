/** secrets.env (0600): the keys of the mode (Z.ai's, the proxy's, or the gateway's), never in argv or config.toml. */
import { renderSecrets, WEAK_KEY_WHY, weakMasterKeyReason, type Secrets } from '../config/secrets.js';
import type { Answers } from './answers.js';
import { writeOp } from './operations.js';
import { tildify } from '../paths.js';
import { fail, pass } from '../verify/check.js';
import type { Unit } from './types.js';

export const secretsUnit: Unit<Answers> = {
  id: 'secrets',
  plan({ state, mode, answers, notes }) {
    const file = state.secretsFile;
    const exposed = file.mode !== null && file.mode !== 0o600;
    if (exposed) notes.repairs.push(`${tildify(file.path)} had mode ${file.mode!.toString(8)}: set back to 600.`);
    const wanted = mode.secrets(answers);
    const weak = weakMasterKeyReason(state.secrets.LITELLM_MASTER_KEY);
    if (weak && wanted.LITELLM_MASTER_KEY !== undefined && wanted.LITELLM_MASTER_KEY !== state.secrets.LITELLM_MASTER_KEY) {
      notes.repairs.push(`The proxy key in ${tildify(file.path)} was weak (${weak}): replaced with a new random key, because ${WEAK_KEY_WHY}. Open a new terminal so Codex gets it.`);
    }
    const text = renderSecrets(wanted, state.secretsOtherLines);
    return writeOp('secrets (keys)', file.path, file.text, text, { secret: true, mode: 0o600, always: exposed });
  },
  // Kept by uninstall (a later setup reuses the keys); `uninstall --purge` removes the state dir.
  undo: () => [],
  check({ state, mode, answers }) {
    const { secrets, secretsFile } = state;
    if (secretsFile.text === null) return [fail('secrets', `${tildify(secretsFile.path)} is missing.`)];
    const names = Object.keys(mode.secrets(answers)) as (keyof Secrets)[];
    const problems = names.filter((name) => !secrets[name]).map((name) => `no ${name}`);
    if (names.includes('LITELLM_MASTER_KEY') && secrets.LITELLM_MASTER_KEY) {
      if (!secrets.LITELLM_MASTER_KEY.startsWith('sk-')) problems.push('no LITELLM_MASTER_KEY starting with sk-');
      else if (weakMasterKeyReason(secrets.LITELLM_MASTER_KEY)) problems.push(`the proxy key is weak (${weakMasterKeyReason(secrets.LITELLM_MASTER_KEY)}): ${WEAK_KEY_WHY}`);
    }
    if (secretsFile.mode !== null && (secretsFile.mode & 0o077) !== 0) problems.push(`mode ${secretsFile.mode.toString(8)} lets other users read it (expected 600)`);
    const holds = names.length === 2 ? 'both keys' : names.join(', ');
    return [problems.length === 0 ? pass('secrets', `${tildify(secretsFile.path)} holds ${holds}, mode 600`) : fail('secrets', `${tildify(secretsFile.path)}: ${problems.join('; ')}.`)];
  },
};
