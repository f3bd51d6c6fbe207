/**
 * uninstall: the same pipeline backwards. Each unit's undo (the proxy stops first, then exactly
 * what the tool added is removed, the default it replaced is put back), applied with backups.
 * --purge also removes the state dir.
 */
import { applyOperations } from '../apply/apply.js';
import type { Context } from '../context.js';
import { CancelledError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { removeLeftoverTempFiles, toolFiles } from '../fs/leftovers.js';
import { executePurge, planPurge, purgeRefusal } from '../fs/purge.js';
import { inspect } from '../inspect/inspect.js';
import { tildify } from '../paths.js';
import { describeOperation, isFileOperation, renderDiff } from '../plan/operations.js';
import { planUndo } from '../plan/plan.js';

export async function runUninstall(ctx: Context): Promise<number> {
  const { out, options, paths, prompts } = ctx;
  const purge = options.purge ? await planPurge(paths.stateDir) : null;
  const refusal = purge && purgeRefusal(purge);
  if (refusal) throw refusal;
  const state = await inspect(paths, 'skip');
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const ops = planUndo(state);
  const changes = ops.filter(isFileOperation).map(describeOperation);

  if (options.dryRun) {
    for (const op of ops) out.raw(renderDiff(op));
    if (purge) out.info(purge.exists ? `Would remove ${tildify(paths.stateDir)} (state, secrets, venv, logs, backups).` : `Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
    out.result({ ok: true, command: 'uninstall', dryRun: true, changes, purge: options.purge });
    return ExitCode.ok;
  }
  if (prompts && !options.yes) {
    for (const op of ops) {
      const c = describeOperation(op);
      out.info(c.path === null ? `  run  ${c.label}` : `  ${c.action}  ${tildify(c.path)}  (${c.label})`);
    }
    const what = options.purge ? ` and delete ${tildify(paths.stateDir)} (including its backups)` : '';
    if (!(await prompts.confirm(`Stop the proxy, undo these changes${what}?`, false))) throw new CancelledError();
  }

  const applied = await applyOperations(ops, { paths, out, options, runtime: null });
  await removeLeftoverTempFiles(toolFiles(paths, state.rcFiles.map((rc) => rc.path)));
  for (const op of ops.filter(isFileOperation)) out.success(`${op.kind === 'delete' ? 'Removed' : 'Restored'} ${tildify(op.path)}`);
  const purged = purge ? await executePurge(await planPurge(paths.stateDir)) : false;
  if (purge) {
    if (purged) out.success(`Removed ${tildify(paths.stateDir)}`);
    else out.info(purge.exists ? `Removed the tool's files from ${tildify(paths.stateDir)}; the folder stays (something else appeared in it).` : `Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
  } else if (applied.backups.length > 0) {
    out.info(`Backups are kept in ${tildify(paths.backups)}; \`glm-codex-setup uninstall --purge\` removes them with the rest of ${tildify(paths.stateDir)}.`);
  }
  out.result({ ok: true, command: 'uninstall', changes, backups: options.purge ? [] : applied.backups, purged });
  return ExitCode.ok;
}
