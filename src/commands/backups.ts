/** backups: list what the tool saved; restore: put one backup's files back (backing up the current ones first). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execute } from '../apply/apply.js';
import { UserError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readRegularText, readTextIfExists } from '../fs/read.js';
import { keyEnvFiles, rcTargets } from '../config/shell-env.js';
import { toolFiles } from '../fs/leftovers.js';
import { autostartPath } from '../config/autostart.js';
import { homedir } from 'node:os';
import { tildify } from '../paths.js';
import type { WriteOperation } from '../units/operations.js';
import type { Context } from '../context.js';
import { cli } from '../invocation.js';

interface BackupRun {
  name: string;
  files: { backup: string; original: string }[];
}

async function listRuns(backupsDir: string): Promise<BackupRun[]> {
  const names = (await readdir(backupsDir).catch(() => [] as string[])).filter((n) => /^\d{8}T\d{6}Z$/.test(n)).sort();
  const runs: BackupRun[] = [];
  for (const name of names) {
    const index = await readRegularText(join(backupsDir, name, 'INDEX')).catch(() => '');
    const files = index
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [file, original] = line.split('\t');
        return { backup: join(backupsDir, name, file!), original: original! };
      });
    runs.push({ name, files });
  }
  return runs;
}

export async function runBackups(ctx: Context): Promise<number> {
  const { options, paths } = ctx;
  const runs = await listRuns(paths.backups);
  if (runs.length === 0) ctx.out.info(`No backups in ${tildify(paths.backups)}.`);
  for (const run of runs) {
    ctx.out.info(run.name);
    for (const file of run.files) ctx.out.info(`  ${tildify(file.original)}  <-  ${tildify(file.backup)}`);
  }
  ctx.out.result({ ok: true, command: 'backups', backups: runs });
  return ExitCode.ok;
}

/** Every file the tool writes (what a backup run may hold): its configs and keys, the shell files, the login service. */
export async function restorableTargets(paths: Context['paths']): Promise<Set<string>> {
  const home = process.env.HOME ?? homedir();
  const rc = (await rcTargets(home)).map((target) => target.path);
  return new Set([...toolFiles(paths, rc), paths.catalog, autostartPath(paths), join(home, '.zshenv'), join(home, '.config', 'fish', 'conf.d', 'glm-codex-setup.fish')]);
}

export async function runRestore(ctx: Context): Promise<number> {
  const { options, paths } = ctx;
  const runs = await listRuns(paths.backups);
  const run = options.target ? runs.find((r) => r.name === options.target) : runs[runs.length - 1];
  if (!run) {
    throw new UserError('no-backup', options.target ? `No backup named ${options.target} in ${paths.backups}.` : `No backups in ${paths.backups}.`, {
      exitCode: ExitCode.usage,
      fix: `List them with \`${cli()} backups\`.`,
    });
  }
  // An INDEX is a file in the state dir: it may only put back files the tool itself writes, from copies inside the run.
  const allowed = await restorableTargets(paths);
  const strangers = run.files.filter((file) => !allowed.has(file.original) || !/^[^/\\]+$/.test(file.backup.slice(join(paths.backups, run.name).length + 1)) || file.backup.includes('..'));
  if (strangers.length > 0) {
    throw new UserError('no-backup', `Backup ${run.name} names files glm-codex-setup never writes (${strangers.slice(0, 5).map((f) => f.original).join(', ')}); nothing was restored.`, {
      exitCode: ExitCode.config,
      fix: `Check ${join(paths.backups, run.name, 'INDEX')}: it may have been changed. Copy the files back by hand if you trust them.`,
    });
  }
  const ops: WriteOperation[] = [];
  // Files that hold keys come back 0600, whatever the backup's mode.
  const secretFiles = new Set([paths.secrets, ...Object.values(keyEnvFiles(paths.stateDir))]);
  for (const file of run.files) {
    const content = await readRegularText(file.backup);
    const current = await readTextIfExists(file.original);
    if (current === content) continue;
    const secret = secretFiles.has(file.original);
    ops.push({ kind: 'write', path: file.original, label: `restore from ${run.name}`, before: current, after: content, secret, newFileMode: secret ? 0o600 : 0o644 });
  }
  const applied = await execute(ops, { paths, out: ctx.out, options, runtime: null, dryRun: options.dryRun });
  for (const path of applied.written) ctx.out.success(`Restored ${tildify(path)} from ${run.name}`);
  if (ops.length === 0) ctx.out.info(`Nothing to restore: the files already match backup ${run.name}.`);
  else if (applied.dryRun) ctx.out.info(`Dry run: would restore ${ops.map((op) => tildify(op.path)).join(', ')} from ${run.name}; nothing was changed.`);
  ctx.out.result({ ok: true, command: 'restore', dryRun: applied.dryRun, backup: run.name, restored: applied.written, wouldRestore: applied.dryRun ? ops.map((op) => op.path) : [], backups: applied.backups });
  return ExitCode.ok;
}
