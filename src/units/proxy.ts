/**
 * The local LiteLLM proxy: a LiteLLM that bridges (installed into the state dir's venv when none
 * is found) and the running process. Both are `run` operations; apply/actions.ts carries them out.
 */
import type { LocalAnswers } from './answers.js';
import type { Operation } from './operations.js';
import { tildify } from '../paths.js';
import { VENV_DISK_COST } from '../runtime/litellm-versions.js';
import { ADOPTED_HASH, configHash } from '../runtime/proxy.js';
import { fail, pass, type Check } from '../verify/check.js';
import type { Unit } from './types.js';
import { cli } from '../invocation.js';

export const proxyUnit: Unit<LocalAnswers> = {
  id: 'proxy',
  runsAfter: ['secrets', 'bridge', 'manifest'] /* it starts on the files; state.json is written before a command that may fail */,
  plan({ state, answers, runtime, options }) {
    if (!options.start || runtime === null) return [];
    const ops: Operation[] = [];
    if (runtime.needsInstall) {
      const reason = runtime.found.length === 0 ? 'not installed' : `found ${runtime.found.map((f) => `${f.version} (${f.verdict.kind})`).join(', ')}, none bridges`;
      const version = runtime.version;
      ops.push({ kind: 'run', action: 'install-litellm', venv: state.paths.venv, version, reason, label: `install LiteLLM ${version} into ${tildify(state.paths.venv)} (${reason}; ${VENV_DISK_COST} of disk)` });
    }
    ops.push({ kind: 'run', action: 'ensure-proxy', port: answers.port, label: `start the proxy on 127.0.0.1:${answers.port} (reused when it already runs this configuration), then validate` });
    return ops;
  },
  undo(state) {
    const { proxy } = state;
    return proxy.kind === 'running' ? [{ kind: 'run', action: 'stop-proxy', pid: proxy.record.pid, label: `stop the proxy (pid ${proxy.record.pid})` }] : [];
  },
  check({ state, answers, litellm, proxy, ready }) {
    const checks: Check[] = [];
    for (const found of litellm) {
      if (found.verdict.kind === 'compromised') {
        checks.push(fail('litellm-security', `LiteLLM ${found.version} (${found.python}) is a compromised release (credential stealer).`, `Uninstall it, rotate your keys, and run ${cli()} to install a safe LiteLLM.`));
      }
    }
    const usable = litellm.find((f) => f.verdict.kind === 'bridges' && f.proxyExtras);
    if (usable) checks.push(pass('litellm', `LiteLLM ${usable.version} (${usable.source}) bridges`));
    else {
      const seen = litellm.map((f) => `${f.version} (${f.verdict.kind}${f.proxyExtras ? '' : ', no proxy extras'})`).join(', ');
      checks.push(fail('litellm', seen ? `No LiteLLM that bridges: found ${seen}.` : `LiteLLM is not installed (the venv in ${tildify(state.paths.venv)} is missing or broken).`));
    }

    const { port } = answers;
    if (proxy.kind === 'none') checks.push(fail('proxy', 'The proxy is not running.', `${cli('start')} (or ${cli()} to repair)`));
    else if (proxy.kind === 'stale') checks.push(fail('proxy', `The proxy is not running (stale pid file: pid ${proxy.record.pid} is gone or is another program).`, `${cli('start')}`));
    else {
      const { record } = proxy;
      const bridgeText = state.bridge.text;
      if (record.port !== port) checks.push(fail('proxy', `The proxy runs on port ${record.port}, but Codex is configured for ${port}.`));
      else if (!ready) checks.push(fail('proxy', `The proxy (pid ${record.pid}) does not answer on 127.0.0.1:${record.port}.`, `${cli('stop')} && ${cli('start')}; see ${cli('logs')}`));
      else if (record.configHash === ADOPTED_HASH) {
        checks.push(fail('proxy', `The proxy (pid ${record.pid}) was started by a run that did not finish (it had no pid file): what configuration it loaded is unknown.`, `Re-run ${cli()}: it restarts the proxy with the files as they are (${cli('start')} does the same once every file loads).`));
      } else if (usable && bridgeText !== null && record.configHash !== configHash(bridgeText, state.secrets, usable.launcher)) {
        checks.push(fail('proxy', `The proxy (pid ${record.pid}) runs an older configuration than the files describe.`, `Re-run ${cli()}: it repairs any file the proxy cannot load, then restarts it (${cli('start')} only restarts it, and refuses while a file is broken).`));
      } else checks.push(pass('proxy', `The proxy is running (pid ${record.pid}) and ready on 127.0.0.1:${record.port}`));
    }
    return checks;
  },
};
