/**
 * The cheap question asked on every Codex start: is our proxy running on this port and ready?
 * Only node:http and the pid file, nothing heavy to load: the auth command answers in the time
 * Node takes to start.
 */
import { request } from 'node:http';
import type { Paths } from '../paths.js';
import { findPortHolder, socketIsThisUsers } from './ports.js';
import { isOwnProxyPid, proxyProcessState } from './proxy.js';

/** One GET /health/readiness; true on 200 within the timeout. */
export function readinessOnce(port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/readiness', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200));
      res.once('error', () => resolve(false));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

/**
 * Our proxy runs on `port` and answers ready: its pid, else null. Ours means the pid file names it, or,
 * for a proxy a service manager started (no pid file of ours), the process listening on the port runs
 * LiteLLM with our glm-bridge.yaml and this port.
 */
export async function readyProxyPid(paths: Paths, port: number): Promise<number | null> {
  const state = await proxyProcessState(paths);
  if (state.kind === 'running' && state.record.port === port) return (await readinessOnce(port)) ? state.record.pid : null;
  if (!(await readinessOnce(port))) return null;
  return managedProxyPid(paths, port);
}

/** The pid listening on `port` when it runs, as this user, this setup's LiteLLM with our glm-bridge.yaml on that port (ready or not). */
export async function managedProxyPid(paths: Paths, port: number): Promise<number | null> {
  const holder = await findPortHolder(port);
  if (!holder?.pid || !holder.command) return null;
  const args = holder.command.split(' ');
  const ours = args.some((arg) => arg.includes('litellm')) && args.includes(paths.bridgeConfig) && args[args.indexOf('--port') + 1] === String(port);
  return ours && socketIsThisUsers(holder) && (await isOwnProxyPid(paths, holder.pid)) ? holder.pid : null;
}
