/**
 * `gateway key create`: one developer's virtual key from the gateway's `POST /key/generate`
 * (LiteLLM's GenerateKeyRequest: user_id, key_alias, max_budget, models, metadata), authorised by the
 * master key, under one total deadline. Failures become messages that name the cause and the fix.
 */

import { readRegularText } from '../fs/read.js';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseEnvFile } from './bundle.js';
import { ANSWER_CAPS, AnswerTooLargeError, isPrintableToken, readCapped } from '../net/read-capped.js';

export const DEFAULT_GATEWAY_ADMIN_URL = 'http://127.0.0.1:4000';
export const DEFAULT_KEY_TIMEOUT_MS = 30_000;

export interface KeyCreateRequest {
  gatewayUrl: string;
  masterKey: string;
  user: string;
  budget: number | undefined;
  models: string[] | undefined;
  keyAlias: string;
  timeoutMs?: number;
}

export interface CreatedKey {
  key: string;
  keyAlias: string;
  user: string;
  maxBudget: number | null;
  /** Empty: every model of the gateway. */
  models: string[];
  expires: string | null;
}

export interface MasterKeySource {
  masterKey: string;
  /** `LITELLM_MASTER_KEY` or the .env file it came from. */
  from: string;
}

/** The master key: env LITELLM_MASTER_KEY, else the bundle's .env (--dir, else the current folder). Never a flag value. */
export async function findMasterKey(options: { dir: string | undefined; cwd: string; env: NodeJS.ProcessEnv }): Promise<MasterKeySource> {
  const fromEnv = options.env.LITELLM_MASTER_KEY?.trim();
  if (fromEnv) return { masterKey: fromEnv, from: 'LITELLM_MASTER_KEY' };
  const envFile = join(resolve(options.cwd, options.dir ?? '.'), '.env');
  let text: string | null = null;
  try {
    text = await readRegularText(envFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || options.dir !== undefined) {
      throw new UserError('gateway-master-key-missing', `Could not read ${envFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
        exitCode: ExitCode.usage,
        fix: 'Give the folder `gateway init` wrote with --dir DIR, or set LITELLM_MASTER_KEY in the environment.',
      });
    }
  }
  const value = text === null ? undefined : parseEnvFile(text).get('LITELLM_MASTER_KEY');
  if (!value) {
    throw new UserError('gateway-master-key-missing', text === null ? 'No master key: LITELLM_MASTER_KEY is not set and there is no .env in this folder.' : `${envFile} has no LITELLM_MASTER_KEY.`, {
      exitCode: ExitCode.usage,
      fix: 'Run this in the folder `gateway init` wrote (or pass --dir DIR), or set LITELLM_MASTER_KEY in the environment. The master key is never accepted as a flag value.',
    });
  }
  return { masterKey: value, from: envFile };
}

/** `alice-20261127T101500Z`: LiteLLM wants aliases unique, and rotation deletes the old key by its alias. */
export function keyAliasFor(user: string, now = new Date()): string {
  return `${user}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export function keyRequestBody(req: Pick<KeyCreateRequest, 'user' | 'budget' | 'models' | 'keyAlias'>): Record<string, unknown> {
  return {
    user_id: req.user,
    key_alias: req.keyAlias,
    ...(req.budget === undefined ? {} : { max_budget: req.budget }),
    ...(req.models === undefined ? {} : { models: req.models }),
    metadata: { created_by: 'glm-codex-setup' },
  };
}

export async function createGatewayKey(req: KeyCreateRequest): Promise<CreatedKey> {
  const url = `${req.gatewayUrl}/key/generate`;
  const timeoutMs = req.timeoutMs ?? DEFAULT_KEY_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${req.masterKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(keyRequestBody(req)),
      signal,
    });
    status = response.statusCode;
    text = await readCapped(response.body, ANSWER_CAPS.gatewayKey);
  } catch (error) {
    if (error instanceof AnswerTooLargeError) throw unexpected(req.gatewayUrl, error.message);
    throw networkError(req.gatewayUrl, error, signal.aborted, timeoutMs);
  }
  if (status !== 200) {
    // LiteLLM without a database answers 500 "DB not connected", or a bare "Internal Server Error" when
    // its error handler trips over the missing prisma module (1.108.7 from PyPI): readiness tells which.
    const noDatabase = status >= 500 && !/DB not connected/i.test(text) ? await readinessSaysNoDatabase(req.gatewayUrl, signal) : false;
    throw httpError(req.gatewayUrl, status, noDatabase ? `DB not connected (/health/readiness: "db":"Not connected")` : text, req.masterKey);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw unexpected(req.gatewayUrl, `answered 200 with something that is not JSON (${snippet(text, req.masterKey)})`);
  }
  const key = body.key;
  if (typeof key !== 'string' || !key.startsWith('sk-')) throw unexpected(req.gatewayUrl, 'answered 200 without a key in the body');
  // Printed and stored as it is: only printable ASCII of a sane length (no escape codes, no forged lines).
  if (!isPrintableToken(key)) throw unexpected(req.gatewayUrl, `answered 200 with a key that is not printable ASCII of at most 512 characters (${(key as string).length} characters); it was not printed or stored`);
  const shown = (value: unknown) => (isPrintableToken(value, 200) ? value : undefined);
  return {
    key,
    keyAlias: shown(body.key_alias) ?? req.keyAlias,
    user: shown(body.user_id) ?? req.user,
    maxBudget: typeof body.max_budget === 'number' && Number.isFinite(body.max_budget) ? body.max_budget : (req.budget ?? null),
    models: Array.isArray(body.models) ? body.models.filter((m): m is string => isPrintableToken(m, 200)).slice(0, 100) : (req.models ?? []),
    expires: shown(body.expires) ?? null,
  };
}

async function readinessSaysNoDatabase(gatewayUrl: string, signal: AbortSignal): Promise<boolean> {
  try {
    const response = await request(`${gatewayUrl}/health/readiness`, { method: 'GET', signal });
    const body = parse(await readCapped(response.body, ANSWER_CAPS.health));
    return typeof body?.db === 'string' && /not connected/i.test(body.db);
  } catch {
    return false;
  }
}

function networkError(gatewayUrl: string, error: unknown, timedOut: boolean, timeoutMs: number): UserError {
  if (timedOut) {
    return new UserError('gateway-timeout', `The gateway at ${gatewayUrl} did not answer /key/generate within ${Math.round(timeoutMs / 1000)} s.`, {
      exitCode: ExitCode.proxy,
      fix: 'Check that it is up (`docker compose ps`, `curl URL/health/readiness`) and that its database is healthy; then run again.',
    });
  }
  const code = (error as { code?: string }).code ?? '';
  const reason =
    code === 'ECONNREFUSED'
      ? 'nothing listens there (connection refused)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET'
          ? 'the connection was closed before an answer'
          : /certificate|TLS|SSL/i.test(String((error as Error).message))
            ? `TLS failed (${(error as Error).message})`
            : `${code || 'network error'}: ${(error as Error).message}`;
  return new UserError('gateway-unreachable', `Could not reach the gateway at ${gatewayUrl}: ${reason}.`, {
    exitCode: ExitCode.proxy,
    fix: 'Start it (`docker compose up -d` in the bundle folder) or pass the right address with --gateway-url (default http://127.0.0.1:4000, where compose publishes it).',
  });
}

function httpError(gatewayUrl: string, status: number, text: string, masterKey: string): UserError {
  const message = litellmMessage(text);
  const type = litellmType(text);
  if (/DB not connected|prisma_client is None/i.test(text)) {
    return new UserError('gateway-no-database', `The gateway at ${gatewayUrl} has no database (${status} on /key/generate; ${/readiness/.test(text) ? 'its /health/readiness says "db":"Not connected"' : 'it says "DB not connected"'}): virtual keys live in Postgres.`, {
      exitCode: ExitCode.validation,
      fix: 'Run the gateway from the bundle (`docker compose up -d`: LiteLLM with DATABASE_URL and Postgres), and check `curl URL/health/readiness` shows "db":"connected".',
    });
  }
  if (type === 'no_db_connection') {
    return new UserError('gateway-bad-master-key', `The gateway at ${gatewayUrl} refused the master key: it runs without a database, so it accepts only its own master key (${status} no_db_connection).`, {
      exitCode: ExitCode.validation,
      fix: 'Use the LITELLM_MASTER_KEY this gateway was started with; and give it a database (the bundle\'s compose.yaml) to create keys.',
    });
  }
  if (status === 401 || status === 403) {
    return new UserError('gateway-bad-master-key', `The gateway at ${gatewayUrl} refused the master key (${status}${message ? `: ${snippet(message, masterKey)}` : ''}).`, {
      exitCode: ExitCode.validation,
      fix: 'Use the LITELLM_MASTER_KEY from the .env the gateway runs with (a developer key cannot create keys); after changing .env, restart with `docker compose up -d`.',
    });
  }
  if (status === 404) {
    return new UserError('gateway-not-litellm', `${gatewayUrl}/key/generate does not exist (404): this is not a LiteLLM proxy's address.`, {
      exitCode: ExitCode.validation,
      fix: 'Pass the gateway\'s base URL with --gateway-url (e.g. https://llm.example.com, without /v1).',
    });
  }
  return new UserError('gateway-key-failed', `The gateway at ${gatewayUrl} did not create the key: ${status}${message ? ` ${snippet(message, masterKey)}` : ''}.`, {
    exitCode: ExitCode.validation,
    fix: status >= 500 ? 'Look at the gateway\'s log (`docker compose logs litellm`), then run again.' : 'Fix what the message names (an alias already used, an unknown model in --models), then run again.',
  });
}

function unexpected(gatewayUrl: string, what: string): UserError {
  return new UserError('gateway-unexpected', `The gateway at ${gatewayUrl} ${what}.`, {
    exitCode: ExitCode.validation,
    fix: 'Check that --gateway-url is the LiteLLM proxy itself, not a login page or another service in front of it.',
  });
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** LiteLLM's errors: {"error":{"message","type","code"}} or FastAPI's {"detail":{"error":...}} / {"detail":"..."}. */
function litellmMessage(text: string): string | null {
  const body = parse(text);
  if (!body) return text.trim() ? text.trim() : null;
  const error = body.error as Record<string, unknown> | string | undefined;
  if (typeof error === 'string') return error;
  if (error && typeof error.message === 'string') return error.message;
  const detail = body.detail as Record<string, unknown> | string | undefined;
  if (typeof detail === 'string') return detail;
  if (detail && typeof detail.error === 'string') return detail.error;
  return null;
}

function litellmType(text: string): string | null {
  const error = parse(text)?.error as Record<string, unknown> | undefined;
  return error && typeof error === 'object' && typeof error.type === 'string' ? error.type : null;
}

/** At most 200 characters, without the master key. */
function snippet(text: string, masterKey: string): string {
  const clean = text.split(masterKey).join('sk-…(redacted)').replace(/\s+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
