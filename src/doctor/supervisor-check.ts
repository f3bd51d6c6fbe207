/** doctor: what keeps the local proxy up (the tool's supervisor), and why it could not, when it could not. */
import { cli } from '../invocation.js';
import type { Paths } from '../paths.js';
import { describeFailure, readProxyFailure, runningSupervisor, wantsSupervisor } from '../runtime/supervisor.js';
import { fail, pass, warn, type Check } from '../verify/check.js';

export async function supervisorChecks(paths: Paths, proxyRunning: boolean): Promise<Check[]> {
  if (!(await wantsSupervisor(paths))) return [];
  const running = await runningSupervisor(paths);
  const failure = await readProxyFailure(paths);
  if (failure && running) return [fail('supervisor', `The supervisor (pid ${running.pid}): ${describeFailure(failure)}`, `Fix the cause above; the supervisor keeps trying (or \`${cli('start')}\` now).`)];
  if (running) return [pass('supervisor', `The supervisor (pid ${running.pid}) starts the proxy again if it exits without \`${cli('stop')}\``)];
  if (proxyRunning) return [warn('supervisor', 'No supervisor runs: if the proxy exits, it comes back only on Codex\'s next request.', `\`${cli('start')}\` starts one.`)];
  return [];
}
