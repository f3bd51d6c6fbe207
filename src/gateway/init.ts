/**
 * `gateway init DIR`: writes the bundle into an empty (or new) folder. With --force into a used one,
 * it backs up each file it replaces, keeps every other file, and keeps the secrets of an existing
 * .env (a new salt key or Postgres password would lock the gateway out of its own database).
 */
import { readRegularText } from '../fs/read.js';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { backupFile, backupRunDir, type BackupRecord } from '../fs/backup.js';
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

export interface GatewayInitResult {
  dir: string;
  /** The Z.ai Chat Completions base the models are routed to. */
  apiBase: string;
  /** What happened to each bundle file. */
  files: Record<GatewayFile, 'created' | 'replaced' | 'unchanged' | 'completed'>;
  backups: BackupRecord[];
  /** The existing .env's mode when it lets others read it (it was left as it is). */
  envModeWarning: string | null;
}

export async function initGatewayBundle(dirInput: string, options: { force: boolean; apiBase?: string | undefined; now?: Date }): Promise<GatewayInitResult> {
  const dir = resolve(dirInput);
  const entries = await listFolder(dir);
  if (entries.length > 0 && !options.force) {
    throw new UserError('gateway-dir-not-empty', `${dir} is not empty (${describe(entries)}); nothing was written.`, {
      exitCode: ExitCode.usage,
      fix: `Pick a new or empty folder, or add --force to rewrite the bundle's files there (each replaced file is backed up to ${GATEWAY_BACKUPS_DIR}/, other files stay, the secrets in an existing .env are kept).`,
    });
  }
  const apiBase = options.apiBase ?? GATEWAY_DEFAULT_API_BASE;
  const runDir = backupRunDir(join(dir, GATEWAY_BACKUPS_DIR), options.now);
  const backups: BackupRecord[] = [];
  const files = {} as GatewayInitResult['files'];

  const replace = async (name: GatewayFile, content: string, mode: number) => {
    const path = join(dir, name);
    const before = await readRegularText(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (before === content) {
      files[name] = 'unchanged';
      return;
    }
    if (before !== null) {
      const record = await backupFile(path, runDir);
      if (record) backups.push(record);
    }
    await writeFileAtomic(path, content, mode === 0o600 ? { newFileMode: mode, forceMode: mode } : { newFileMode: mode });
    files[name] = before === null ? 'created' : 'replaced';
  };

  // .env first: if it cannot be written, no half bundle points at secrets that do not exist.
  const envPath = join(dir, '.env');
  const existingEnv = await readRegularText(envPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  let envModeWarning: string | null = null;
  if (existingEnv === null) {
    await replace('.env', renderEnvFile(generateGatewaySecrets()), 0o600);
  } else {
    const missing = missingEnvLines(parseEnvFile(existingEnv));
    if (missing.length === 0) {
      files['.env'] = 'unchanged';
      const mode = (await stat(envPath)).mode & 0o777;
      if (mode & 0o077) envModeWarning = `${envPath} has mode ${mode.toString(8)}: others can read the gateway's secrets (chmod 600 ${envPath}).`;
    } else {
      await replace('.env', `${existingEnv}${existingEnv.endsWith('\n') || existingEnv === '' ? '' : '\n'}${missing.join('\n')}\n`, 0o600);
      files['.env'] = 'completed';
    }
  }
  await replace('config.yaml', renderGatewayConfig(apiBase), 0o644);
  await replace('compose.yaml', renderCompose(), 0o644);
  await replace('README.md', renderOperatorReadme(apiBase), 0o644);
  return { dir, apiBase, files, backups, envModeWarning };
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
