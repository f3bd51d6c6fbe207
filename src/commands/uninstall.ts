/**
 * uninstall: the same pipeline backwards. Each unit's undo (the proxy stops first, then exactly
 * what the tool added is removed, the default it replaced is put back), applied with backups.
 * Then the stored keys go (secrets.env and every backup holding a key) unless the user keeps
 * them, and, when asked, the venv. --purge also removes the state dir.
 */
import { stat } from 'node:fs/promises';
import { execute } from '../apply/apply.js';
import type { Context } from '../context.js';
import { CancelledError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readTextIfExists } from '../fs/read.js';
import { planPurge, purgeRefusal } from '../fs/purge.js';
import { inspect } from '../inspect/inspect.js';
import { tildify } from '../paths.js';
import { deleteOp, describeOperation, isFileOperation, type DeleteOperation, type Operation } from '../units/operations.js';
import { planUndo } from '../plan/plan.js';
import { backupsHolding, diskSize, venvSize } from './uninstall-leftovers.js';
import { cli } from '../invocation.js';
import { join } from 'node:path';
import { STATE_DIR_MARKER } from '../fs/state-dir.js';

/** The stored keys as delete operations, without backups (a backup of a key is a key): secrets.env and every backup holding a key. */
async function keyDeletes(paths: Context['paths'], keys: string[]): Promise<DeleteOperation[]> {
  const ops: DeleteOperation[] = [];
  for (const file of [paths.secrets, ...(await backupsHolding(paths, keys))]) {
    const text = await readTextIfExists(file).catch(() => null);
    ops.push(...deleteOp(file === paths.secrets ? 'stored keys' : 'a backup holding a key', file, text, true, { backup: false }));
  }
  return ops;
}

/** The proxy's and the supervisor's files: written while running, so removed by name after the proxy stopped. */
const RUN_FILES = ['proxy.log', 'proxy.log.1', 'proxy.pid', 'proxy-failure.json', 'supervisor.json', 'supervisor.log'] as const;

/**
 * The tool's own files in the state dir once the setup is undone: glm-bridge.yaml (backed up: it may
 * hold your additions), the callbacks file, state.json (deleted last, instead of kept), and the run files.
 * Only in a state dir the tool set up (its state.json is there).
 */
async function stateFileDeletes(state: Awaited<ReturnType<typeof inspect>>, undo: Operation[]): Promise<{ files: Operation[]; run: Operation[] }> {
  const { paths } = state;
  if (state.manifestFile.text === null) return { files: [], run: [] };
  const inUndo = new Set(undo.filter(isFileOperation).map((op) => op.path));
  const files: Operation[] = [
    ...(inUndo.has(paths.bridgeConfig) ? [] : deleteOp('LiteLLM proxy config', paths.bridgeConfig, state.bridge.text)),
    ...(inUndo.has(paths.bridgeHooks) ? [] : deleteOp('LiteLLM callbacks', paths.bridgeHooks, state.bridgeHooks.text, false, { backup: false })),
    ...deleteOp('glm-codex-setup state', paths.manifest, state.manifestFile.text, false, { backup: false }),
  ];
  const present = (await Promise.all(RUN_FILES.map(async (name) => ((await stat(join(paths.stateDir, name)).then(() => true, () => false)) ? join(paths.stateDir, name) : null)))).filter((f): f is string => f !== null);
  const run: Operation[] = present.length > 0 ? [{ kind: 'run', action: 'remove-run-files', files: present, label: `remove the proxy's log and run files (${RUN_FILES.slice(0, 2).join(', ')}, …)` }] : [];
  return { files, run };
}

export async function runUninstall(ctx: Context): Promise<number> {
  const { out, options, paths, prompts } = ctx;
  const purge = options.purge ? await planPurge(paths.stateDir) : null;
  const refusal = purge && purgeRefusal(purge);
  if (refusal) throw refusal;
  const state = await inspect(paths, 'skip');
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  // state.json goes instead of being rewritten: nothing of the tool's stays but what the README names.
  const undo = planUndo(state).filter((op) => !(isFileOperation(op) && op.path === paths.manifest));
  const own = await stateFileDeletes(state, undo);
  const changes = undo.filter(isFileOperation).map(describeOperation);
  const keys = Object.values(state.secrets).filter((value): value is string => typeof value === 'string' && value.length > 0);
  const keyOps = await keyDeletes(paths, keys);
  const venvBytes = await venvSize(paths);
  const stateDirExists = await stat(paths.stateDir).then(() => true, () => false);
  const venvHint = venvBytes === null ? null : `The LiteLLM venv (${tildify(paths.venv)}, ${diskSize(venvBytes)}) is kept for a later setup; \`${cli('uninstall --purge')}\` removes it with the rest of ${tildify(paths.stateDir)}.`;

  if (undo.length === 0 && own.files.length === 0 && keyOps.length === 0 && (!options.purge || !stateDirExists)) {
    out.info(`Nothing to remove: no setup of this tool found (${tildify(paths.stateDir)}, ${tildify(paths.codexConfig)}).`);
    if (options.purge) out.info(`Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
    if (venvHint && !options.purge) out.info(venvHint);
    out.result({ ok: true, command: 'uninstall', dryRun: options.dryRun, nothingToRemove: true, changes: [], purged: false });
    return ExitCode.ok;
  }
  if (ctx.confirm === 'no-terminal' && !options.dryRun) {
    throw usageError(
      `uninstall changes your files and there is no terminal to confirm on.`,
      `Run \`${cli(`uninstall${options.purge ? ' --purge' : ''} --yes`)}\` (or --non-interactive, or --json) to go ahead; --dry-run shows what it would do.`,
    );
  }
  let removeKeys = true;
  let removeVenv = false;
  if (prompts && ctx.confirm === 'ask' && !options.dryRun) {
    // Everything it will do, the state dir's own files included: the lines after it say "Removed" for each.
    const listed = [...undo, ...(options.purge ? [] : [...own.files, ...own.run])];
    const gone = `${tildify(paths.stateDir)} (state, secrets, venv, logs, backups)`;
    if (listed.length > 0) out.info(options.purge ? `Uninstall undoes, then deletes ${gone}:` : 'Uninstall does:');
    else if (options.purge) out.info(`Nothing of the setup is left to undo; uninstall --purge deletes ${gone}.`);
    for (const op of listed) {
      const c = describeOperation(op);
      out.info(c.path === null ? `  ${'run'.padEnd(6)}  ${c.label}` : `  ${c.action.padEnd(6)}  ${tildify(c.path)}  (${c.label})`);
    }
    if (!options.purge && keyOps.length > 0) {
      removeKeys = !(await prompts.confirm(`Keep your stored keys (${tildify(paths.secrets)}${keyOps.length > 1 ? ` and ${keyOps.length - 1} backup(s) holding them` : ''}) for a later setup?`, false));
    }
    if (!options.purge && venvBytes !== null) {
      removeVenv = await prompts.confirm(`Also delete the LiteLLM venv (${tildify(paths.venv)}, ${diskSize(venvBytes)})? A later setup then installs it again.`, true);
    }
    const what = options.purge ? ` and delete ${tildify(paths.stateDir)} (including its backups)` : '';
    const question = listed.length > 0 || !options.purge ? `Stop the proxy, undo these changes${what}?` : `Delete ${tildify(paths.stateDir)} (including its backups)?`;
    if (!(await prompts.confirm(question, false))) throw new CancelledError();
  }

  // The undo first (the proxy stops before its files go), then the keys, the venv, or the whole state dir.
  const ops: Operation[] = [
    ...undo,
    ...(purge ? [] : [...own.files, ...own.run]),
    ...(purge ? [] : removeKeys ? keyOps : []),
    ...(!purge && removeVenv ? [{ kind: 'run' as const, action: 'remove-venv' as const, venv: paths.venv, label: `remove the LiteLLM venv ${tildify(paths.venv)}` }] : []),
    ...(purge && purge.exists ? [{ kind: 'run' as const, action: 'purge-state-dir' as const, stateDir: paths.stateDir, label: `remove ${tildify(paths.stateDir)} (state, secrets, venv, logs, backups)` }] : []),
  ];
  const applied = await execute(ops, { paths, out, options, runtime: null, dryRun: options.dryRun });
  if (applied.dryRun) {
    if (purge && !purge.exists) out.info(`Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
    out.info('Dry run: nothing was stopped, changed or removed.');
    out.result({ ok: true, command: 'uninstall', dryRun: true, changes, purge: options.purge, wouldRemoveKeys: purge ? [] : keyOps.map((op) => op.path) });
    return ExitCode.ok;
  }
  const keysRemoved = keyOps.filter((op) => applied.written.includes(op.path)).map((op) => op.path);
  for (const op of [...undo, ...(purge ? [] : own.files)].filter(isFileOperation)) out.success(`${op.kind === 'delete' ? 'Removed' : 'Restored'} ${tildify(op.path)}`);
  const purged = applied.purged === true;
  if (purge) {
    if (purged) out.success(`Removed ${tildify(paths.stateDir)}`);
    else if ((applied.purgeKept ?? []).length > 0) {
      const kept = applied.purgeKept!;
      const shown = kept.slice(0, 8).join(', ') + (kept.length > 8 ? ` and ${kept.length - 8} more` : '');
      out.warn(`Removed the tool's files from ${tildify(paths.stateDir)}; kept what glm-codex-setup did not make there: ${shown}. Delete them yourself if you do not need them.`);
    } else out.info(purge.exists ? `Removed the tool's files from ${tildify(paths.stateDir)}; the folder stays (something else appeared in it).` : `Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
  } else {
    if (keysRemoved.length > 0) out.success(`Removed the stored keys: ${keysRemoved.map((f) => tildify(f)).join(', ')}`);
    else if (!removeKeys) out.info(`Your keys stay in ${tildify(paths.secrets)} (mode 0600).`);
    if (!removeVenv && venvHint) out.info(venvHint);
    if (applied.backups.length > 0) {
      out.info(`Backups of your own files are kept in ${tildify(paths.backups)} (with the ${STATE_DIR_MARKER} marker that lets \`${cli('uninstall --purge')}\` remove them and ${tildify(paths.stateDir)}).`);
    }
  }
  const migrated = state.manifest.migratedProfiles ?? [];
  if (migrated.length > 0) out.info(`Your profiles moved out of config.toml stay where they are (they are yours, and Codex refuses them in config.toml): ${migrated.map((f) => tildify(f)).join(', ')}.`);
  const backups = options.purge ? [] : applied.backups.filter((b) => !keysRemoved.includes(b.backup));
  out.result({ ok: true, command: 'uninstall', changes, backups, keysRemoved, venvRemoved: purged || removeVenv, purged });
  return ExitCode.ok;
}
