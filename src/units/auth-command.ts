/**
 * Codex's auth command (Codex >= 0.160): a private copy of this tool in the state dir (`app/`), run as
 * `node <state dir>/app/bin/glm-codex-setup.js auth-token --state-dir <state dir>`. It prints the key
 * Codex sends (and starts the local proxy when it is down), so Codex needs no environment variable:
 * the IDE extension, the desktop app, a service or any shell get the key. The provider table that
 * names the command is the codex-config unit's.
 */
import { runAuthCommand } from '../verify/auth-command-check.js';
import type { Answers } from './answers.js';
import type { Operation } from './operations.js';
import { tildify } from '../paths.js';
import { appCopyDir } from '../fs/app-copy.js';
import { fail, pass, warn, type Check } from '../verify/check.js';
import type { Unit } from './types.js';

export const authCommandUnit: Unit<Answers> = {
  id: 'auth-command',
  plan({ state, provider }) {
    if (!provider.auth.command || state.appCopy === 'current') return [];
    const dir = appCopyDir(state.paths.stateDir);
    return [{ kind: 'run', action: 'install-app-copy', stateDir: state.paths.stateDir, label: `copy the tool into ${tildify(dir)} for Codex's auth command` }];
  },
  undo(state) {
    if (state.appCopy === 'missing') return [];
    return [{ kind: 'run', action: 'remove-app-copy', stateDir: state.paths.stateDir, label: `remove ${tildify(appCopyDir(state.paths.stateDir))}` } satisfies Operation];
  },
  async check({ state, mode, answers, provider, proxy }) {
    const table = provider.auth.command;
    if (!table) return [];
    const checks: Check[] = [];
    if (state.appCopy !== 'current') {
      checks.push(fail('auth-command', `${tildify(appCopyDir(state.paths.stateDir))} is ${state.appCopy === 'missing' ? 'missing' : 'not this version of the tool'}: Codex's auth command ${state.appCopy === 'missing' ? 'cannot run' : 'runs an older copy'}.`));
      if (state.appCopy === 'missing') return checks;
    }
    // Run as Codex runs it: no shell, an empty environment. The local proxy is not started by doctor.
    if (mode.localRuntime && !(proxy.kind === 'running')) {
      checks.push(warn('auth-command', 'The auth command was not run: the proxy is down (Codex\'s next start runs it, and it starts the proxy).'));
      return checks;
    }
    const run = await runAuthCommand(table, {});
    const expected = mode.codexKey(answers).value;
    if (run.exitCode === 0 && run.token === expected) checks.push(pass('auth-command', `Codex's auth command prints ${mode.codexKey(answers).what} (${run.durationMs} ms, no environment)`));
    else if (run.exitCode === 0) checks.push(fail('auth-command', `Codex's auth command prints another key than ${mode.codexKey(answers).what}.`));
    else checks.push(fail('auth-command', `Codex's auth command fails${run.timedOut ? ' (timed out)' : ''}: ${run.stderr || `exit code ${String(run.exitCode)}`}`));
    return checks;
  },
};
