/**
 * `glm-codex-setup supervise --state-dir DIR`: the proxy's supervisor (see runtime/supervisor.ts), started
 * detached by setup and `start`. Not in --help: it is for the tool, not for people. Its log lines go to
 * supervisor.log in the state dir.
 */
import { parseManifest } from '../config/manifest.js';
import { readTextIfExists } from '../fs/read.js';
import { DEFAULT_PORT } from '../options.js';
import { ensureProxyOnDemand } from '../runtime/proxy-on-demand.js';
import { supervise } from '../runtime/supervisor.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';

export async function runSupervise(ctx: Pick<Context, 'paths'>): Promise<number> {
  const { paths } = ctx;
  await supervise(paths, {
    async start() {
      const manifest = parseManifest(await readTextIfExists(paths.manifest));
      await ensureProxyOnDemand({ paths, port: manifest.port ?? DEFAULT_PORT, manifest });
    },
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  return ExitCode.ok;
}
