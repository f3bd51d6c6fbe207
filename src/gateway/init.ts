/**
 * `gateway init DIR`: plans the bundle for an empty (or new) folder; apply/ writes it. With --force into a used one,
 * it backs up each file it replaces, keeps every other file, and keeps the secrets of an existing
 * .env (a new salt key or Postgres password would lock the gateway out of its own database).
 */
import { readdir, stat } from 'node:fs/promises';
import { readRegularText } from '../fs/read.js';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import {
  GATEWAY_DEFAULT_API_BASE,
  generateGatewaySecrets,
  missingEnvLines,
  parseEnvFile,
  renderCompose,
  renderEnvFile,
  renderGatewayConfig,
  renderOperatorReadme,
  type GatewayFile,
} from './bundle.js';

export const GATEWAY_BACKUPS_DIR = '.glm-codex-backups';

export interface BundleWrite {
  name: GatewayFile;
  path: string;
  before: string | null;
  after: string;
  /** 0600 and never shown in a diff (.env), else 0644. */
  secret: boolean;
}

export interface GatewayInitPlan {
  dir: string;
  /** The Z.ai Chat Completions base the models are routed to. */
  apiBase: string;
  /** What happens to each bundle file. */
  files: Record<GatewayFile, 'created' | 'replaced' | 'unchanged' | 'completed'>;
  /** The files that change, .env first: if it cannot be written, no half bundle points at secrets that do not exist. The command hands them to apply/ as writes (backups in DIR/.glm-codex-backups). */
  writes: BundleWrite[];
  /** The existing .env's mode when it lets others read it (it is left as it is). */
  envModeWarning: string | null;
}

async function readIfExists(path: string): Promise<string | null> {
  return readRegularText(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}

/** What `gateway init DIR` writes. Reads only; fresh secrets are made here, and shown masked by --dry-run. */
export async function planGatewayBundle(dirInput: string, options: { force: boolean; apiBase?: string | undefined }): Promise<GatewayInitPlan> {
  const dir = resolve(dirInput);
  const entries = await listFolder(dir);
  if (entries.length > 0 && !options.force) {
    throw new UserError('gateway-dir-not-empty', `${dir} is not empty (${describe(entries)}); nothing was written.`, {
      exitCode: ExitCode.usage,
      fix: `Pick a new or empty folder, or add --force to rewrite the bundle's files there (each replaced file is backed up to ${GATEWAY_BACKUPS_DIR}/, other files stay, the secrets in an existing .env are kept).`,
    });
  }
  const apiBase = options.apiBase ?? GATEWAY_DEFAULT_API_BASE;
  const files = {} as GatewayInitPlan['files'];
  const writes: BundleWrite[] = [];

  const replace = async (name: GatewayFile, content: string, secret: boolean, completed = false) => {
    const path = join(dir, name);
    const before = await readIfExists(path);
    if (before !== content) writes.push({ name, path, before, after: content, secret });
    files[name] = before === content ? 'unchanged' : before === null ? 'created' : completed ? 'completed' : 'replaced';
  };

  const envPath = join(dir, '.env');
  const existingEnv = await readIfExists(envPath);
  let envModeWarning: string | null = null;
  if (existingEnv === null) {
    await replace('.env', renderEnvFile(generateGatewaySecrets()), true);
  } else {
    const missing = missingEnvLines(parseEnvFile(existingEnv));
    if (missing.length === 0) {
      files['.env'] = 'unchanged';
      const mode = (await stat(envPath)).mode & 0o777;
      if (mode & 0o077) envModeWarning = `${envPath} has mode ${mode.toString(8)}: others can read the gateway's secrets (chmod 600 ${envPath}).`;
    } else {
      await replace('.env', `${existingEnv}${existingEnv.endsWith('\n') || existingEnv === '' ? '' : '\n'}${missing.join('\n')}\n`, true, true);
    }
  }
  await replace('config.yaml', renderGatewayConfig(apiBase), false);
  await replace('compose.yaml', renderCompose(), false);
  await replace('README.md', renderOperatorReadme(apiBase), false);
  return { dir, apiBase, files, writes, envModeWarning };
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      throw new UserError('gateway-dir-not-folder', `${dir} exists and is not a folder; nothing was written.`, {
        exitCode: ExitCode.usage,
        fix: 'Give the path of a new or empty folder.',
      });
    }
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function describe(entries: string[]): string {
  const shown = entries.slice(0, 3).join(', ');
  return entries.length > 3 ? `${shown} and ${entries.length - 3} more` : shown;
}
