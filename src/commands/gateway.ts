/**
 * The operator's side of a team gateway: `gateway init DIR` writes the compose bundle,
 * `gateway key create` asks the running gateway for a developer's key.
 *
 * The new key is a secret: it is never part of --json. It goes to stderr (shown once), or with
 * --out FILE into a new file with mode 0600; with --json, --out is required, so a script that
 * parses stdout and logs stderr never records the key.
 */
import { resolve } from 'node:path';
import { cli } from '../invocation.js';
import { UserError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { GATEWAY_FILES, GATEWAY_LITELLM_IMAGE } from '../gateway/bundle.js';
import { GATEWAY_BACKUPS_DIR, planGatewayBundle } from '../gateway/init.js';
import { execute } from '../apply/apply.js';
import type { RunOperation, WriteOperation } from '../units/operations.js';
import { join } from 'node:path';
import { DEFAULT_GATEWAY_ADMIN_URL, DEFAULT_KEY_TIMEOUT_MS, findMasterKey, keyAliasFor } from '../gateway/key-create.js';
import type { GatewayOptions } from '../gateway/options.js';
import type { Context } from '../context.js';
import type { Options } from '../options.js';
import { resolveEndpoint } from '../questions.js';
import { pathExists } from '../system.js';

export const DEVELOPER_KEY_FILE = '~/.glm-codex-gateway-key';

export async function runGateway(ctx: Context): Promise<number> {
  const { options } = ctx;
  const gateway = options.gateway;
  if (!gateway) throw usageError('gateway: what to do is missing.', `Usage: ${cli('gateway init DIR')} | gateway key create --user NAME`);
  return gateway.action === 'init' ? runInit(gateway, options, ctx) : runKeyCreate(gateway, options, ctx);
}

async function runInit(gateway: Extract<GatewayOptions, { action: 'init' }>, options: Options, ctx: Context): Promise<number> {
  const result = await planGatewayBundle(gateway.dir, { force: gateway.force, apiBase: options.given.endpoint === undefined ? undefined : resolveEndpoint(options.given.endpoint) });
  const { out } = ctx;
  const operations: WriteOperation[] = result.writes.map((w) => ({ kind: 'write', path: w.path, label: `gateway bundle: ${w.name}`, before: w.before, after: w.after, secret: w.secret, newFileMode: w.secret ? 0o600 : 0o644 }));
  const applied = await execute(operations, { paths: ctx.paths, out, options, runtime: null, dryRun: options.dryRun }, { kind: 'folder', backups: join(result.dir, GATEWAY_BACKUPS_DIR) });
  const would = applied.dryRun ? 'would be ' : '';
  for (const name of GATEWAY_FILES) out.success(`${name}: ${result.files[name] === 'unchanged' ? '' : would}${result.files[name]}`);
  for (const record of applied.backups) out.info(`backed up ${record.original} -> ${record.backup}`);
  if (result.envModeWarning) out.warn(result.envModeWarning);
  if (applied.dryRun) {
    out.info(`Dry run: nothing was written to ${result.dir}.`);
    out.result({ ok: true, command: 'gateway', action: 'init', dryRun: true, dir: result.dir, image: GATEWAY_LITELLM_IMAGE, apiBase: result.apiBase, files: result.files, backups: [] });
    return ExitCode.ok;
  }
  out.info(`The gateway bundle is in ${result.dir} (LiteLLM image ${GATEWAY_LITELLM_IMAGE}; models routed to ${result.apiBase}).`);
  out.info('Next: paste your Z.ai key into .env (ZAI_API_KEY=), run `docker compose up -d` there, and read README.md');
  out.info('(exposing it behind TLS, a key per developer, backups, scaling out). Never change LITELLM_SALT_KEY after the first start.');
  out.result({
    ok: true,
    command: 'gateway',
    action: 'init',
    dir: result.dir,
    image: GATEWAY_LITELLM_IMAGE,
    apiBase: result.apiBase,
    files: result.files,
    backups: applied.backups,
  });
  return ExitCode.ok;
}

async function runKeyCreate(gateway: Extract<GatewayOptions, { action: 'key-create' }>, options: Options, ctx: Context): Promise<number> {
  const { out } = ctx;
  if (options.json && gateway.out === undefined) {
    throw usageError('gateway key create --json needs --out FILE: the new key is never part of the JSON output.', 'Add --out FILE (written with mode 0600), or leave out --json to see the key once on the terminal.');
  }
  const outFile = gateway.out === undefined ? undefined : resolve(gateway.out);
  if (outFile && !gateway.force && (await pathExists(outFile))) {
    throw new UserError('gateway-out-exists', `${outFile} already exists; no key was created.`, {
      exitCode: ExitCode.usage,
      fix: 'Name a new file with --out, or add --force to replace it.',
    });
  }
  const { masterKey, from } = await findMasterKey({ dir: gateway.dir, cwd: process.cwd(), env: process.env });
  ctx.addSecret(masterKey);
  const gatewayUrl = gateway.gatewayUrl ?? DEFAULT_GATEWAY_ADMIN_URL;
  const timeoutMs = parseTimeout(process.env.GLM_CODEX_GATEWAY_TIMEOUT);
  const create: RunOperation = {
    kind: 'run',
    action: 'create-gateway-key',
    gatewayUrl,
    masterKey,
    user: gateway.user,
    budget: gateway.budget,
    models: gateway.models,
    keyAlias: keyAliasFor(gateway.user),
    timeoutMs,
    out: outFile ?? null,
    label: `create a key for ${gateway.user} at ${gatewayUrl} (POST /key/generate${gateway.budget === undefined ? '' : `, budget $${gateway.budget}`}; master key from ${from})${outFile ? `, and write it to ${outFile} (mode 0600)` : ''}`,
  };
  if (options.dryRun) {
    await execute([create], { paths: ctx.paths, out, options, runtime: null, dryRun: true });
    out.info('Dry run: no key was created and no file was written.');
    out.result({ ok: true, command: 'gateway', action: 'key-create', dryRun: true, user: gateway.user, gatewayUrl, keyFile: outFile ?? null });
    return ExitCode.ok;
  }
  out.step(`Creating a key for ${gateway.user} at ${gatewayUrl} (master key from ${from})`);
  const applied = await execute([create], { paths: ctx.paths, out, options, runtime: null, dryRun: false }, { kind: 'folder', backups: join(ctx.paths.stateDir, 'backups') });
  const created = applied.gatewayKey!;

  if (outFile) {
    out.success(`Key for ${created.user} written to ${outFile} (mode 0600). It is not shown anywhere else.`);
  } else {
    // Straight to stderr, once: never through --json, never to stdout (which scripts tend to keep).
    process.stderr.write(`\nNew key for ${created.user} (shown only now):\n\n  ${created.key}\n\n`);
  }
  const budget = created.maxBudget === null ? 'no budget' : `budget $${created.maxBudget}`;
  const models = created.models.length === 0 ? 'every model of the gateway' : created.models.join(', ');
  out.success(`alias ${created.keyAlias}; ${budget}; ${models}${created.expires ? `; expires ${created.expires}` : ''}`);
  const command = developerCommand(gatewayUrl);
  out.info(`Send the key to ${created.user} privately. They save it in a file only they can read:`);
  out.info(`  (umask 077; cat > ${DEVELOPER_KEY_FILE})     # paste the key, Enter, Ctrl-D`);
  out.info('and run:');
  out.info(`  ${command}`);
  if (gateway.gatewayUrl === undefined) out.info(`(${DEFAULT_GATEWAY_ADMIN_URL} is this host's loopback: give developers the gateway's public https:// address instead.)`);
  out.result({
    ok: true,
    command: 'gateway',
    action: 'key-create',
    user: created.user,
    keyAlias: created.keyAlias,
    maxBudget: created.maxBudget,
    models: created.models,
    expires: created.expires,
    gatewayUrl,
    keyFile: outFile ?? null,
    developerCommand: command,
  });
  return ExitCode.ok;
}

export function developerCommand(gatewayUrl: string): string {
  return `${cli()} --mode gateway --gateway-url ${gatewayUrl} --gateway-key-file ${DEVELOPER_KEY_FILE}`;
}

const MAX_KEY_TIMEOUT_S = 3600;

function parseTimeout(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_KEY_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`GLM_CODEX_GATEWAY_TIMEOUT: "${value}" is not a number of seconds.`);
  // Timers hold at most 2^31-1 ms; an hour is already far beyond any answer worth waiting for.
  if (seconds > MAX_KEY_TIMEOUT_S) throw usageError(`GLM_CODEX_GATEWAY_TIMEOUT: ${value} seconds is too long (at most ${MAX_KEY_TIMEOUT_S}).`, `set GLM_CODEX_GATEWAY_TIMEOUT to a number of seconds from 1 to ${MAX_KEY_TIMEOUT_S}.`);
  return Math.round(seconds * 1000);
}
