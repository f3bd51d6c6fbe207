/**
 * uninstall: the same pipeline backwards. Each unit's undo (the proxy stops first, then exactly
 * what the tool added is removed, the default it replaced is put back), applied with backups.
 * Then the stored keys go (secrets.env and every backup holding a key) unless the user keeps
 * them, and, when asked, the venv. --purge also removes the state dir.
 */
import { rm, stat } from 'node:fs/promises';
import { applyOperations } from '../apply/apply.js';
import type { Context } from '../context.js';
import { CancelledError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { removeLeftoverTempFiles, toolFiles } from '../fs/leftovers.js';
import { executePurge, planPurge, purgeRefusal } from '../fs/purge.js';
import { inspect } from '../inspect/inspect.js';
import { tildify } from '../paths.js';
import { describeOperation, isFileOperation, renderDiff } from '../plan/operations.js';
import { planUndo } from '../plan/plan.js';
import { backupsHolding, megabytes, removeStoredKeys, venvSize } from './uninstall-leftovers.js';
import { cli } from '../invocation.js';

export async function runUninstall(ctx: Context): Promise<number> {
  const { out, options, paths, prompts } = ctx;
  const purge = options.purge ? await planPurge(paths.stateDir) : null;
  const refusal = purge && purgeRefusal(purge);
  if (refusal) throw refusal;
  const state = await inspect(paths, 'skip');
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const ops = planUndo(state);
  const changes = ops.filter(isFileOperation).map(describeOperation);
  const keys = Object.values(state.secrets).filter((value): value is string => typeof value === 'string' && value.length > 0);
  const keyFiles = [...(state.secretsFile.text !== null ? [paths.secrets] : []), ...(await backupsHolding(paths, keys))];
  const venvBytes = await venvSize(paths);
  const stateDirExists = await stat(paths.stateDir).then(() => true, () => false);
  const venvHint = venvBytes === null ? null : `The LiteLLM venv (${tildify(paths.venv)}, ${megabytes(venvBytes)}) is kept for a later setup; \`${cli('uninstall --purge')}\` removes it with the rest of ${tildify(paths.stateDir)}.`;

  if (ops.length === 0 && keyFiles.length === 0 && (!options.purge || !stateDirExists)) {
    out.info(`Nothing to remove: no setup of this tool found (${tildify(paths.stateDir)}, ${tildify(paths.codexConfig)}).`);
    if (options.purge) out.info(`Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
    if (venvHint && !options.purge) out.info(venvHint);
    out.result({ ok: true, command: 'uninstall', dryRun: options.dryRun, nothingToRemove: true, changes: [], purged: false });
    return ExitCode.ok;
  }
  if (options.dryRun) {
    for (const op of ops) out.raw(renderDiff(op));
    if (purge) out.info(purge.exists ? `Would remove ${tildify(paths.stateDir)} (state, secrets, venv, logs, backups).` : `Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
    else if (keyFiles.length > 0) out.info(`Would remove the stored keys: ${keyFiles.map((f) => tildify(f)).join(', ')}.`);
    out.result({ ok: true, command: 'uninstall', dryRun: true, changes, purge: options.purge });
    return ExitCode.ok;
  }
  if (ctx.confirm === 'no-terminal') {
    throw usageError(
      `uninstall changes your files and there is no terminal to confirm on.`,
      `Run \`${cli(`uninstall${options.purge ? ' --purge' : ''} --yes`)}\` (or --non-interactive, or --json) to go ahead; --dry-run shows what it would do.`,
    );
  }
  let removeKeys = true;
  let removeVenv = false;
  if (prompts && ctx.confirm === 'ask') {
    for (const op of ops) {
      const c = describeOperation(op);
      out.info(c.path === null ? `  run  ${c.label}` : `  ${c.action}  ${tildify(c.path)}  (${c.label})`);
    }
    if (!options.purge && keyFiles.length > 0) {
      removeKeys = !(await prompts.confirm(`Keep your stored keys (${tildify(paths.secrets)}${keyFiles.length > 1 ? ` and ${keyFiles.length - 1} backup(s) holding them` : ''}) for a later setup?`, false));
    }
    if (!options.purge && venvBytes !== null) {
      removeVenv = await prompts.confirm(`Also delete the LiteLLM venv (${tildify(paths.venv)}, ${megabytes(venvBytes)})? A later setup then installs it again.`, true);
    }
    const what = options.purge ? ` and delete ${tildify(paths.stateDir)} (including its backups)` : '';
    if (!(await prompts.confirm(`Stop the proxy, undo these changes${what}?`, false))) throw new CancelledError();
  }

  const applied = await applyOperations(ops, { paths, out, options, runtime: null });
  await removeLeftoverTempFiles(toolFiles(paths, state.rcFiles.map((rc) => rc.path)));
  for (const op of ops.filter(isFileOperation)) out.success(`${op.kind === 'delete' ? 'Removed' : 'Restored'} ${tildify(op.path)}`);
  let keysRemoved: string[] = [];
  const finalPurge = purge ? await planPurge(paths.stateDir) : null;
  const purged = finalPurge ? await executePurge(finalPurge) : false;
  if (purge) {
    if (purged) out.success(`Removed ${tildify(paths.stateDir)}`);
    else if (finalPurge && finalPurge.kept.length > 0) {
      const shown = finalPurge.kept.slice(0, 8).join(', ') + (finalPurge.kept.length > 8 ? ` and ${finalPurge.kept.length - 8} more` : '');
      out.warn(`Removed the tool's files from ${tildify(paths.stateDir)}; kept what glm-codex-setup did not make there: ${shown}. Delete them yourself if you do not need them.`);
    } else out.info(purge.exists ? `Removed the tool's files from ${tildify(paths.stateDir)}; the folder stays (something else appeared in it).` : `Nothing to purge: ${tildify(paths.stateDir)} does not exist.`);
  } else {
    // After the undo: its own backups (of the key files for shells) may hold a key too.
    if (removeKeys) {
      keysRemoved = await removeStoredKeys(paths, keys);
      if (keysRemoved.length > 0) out.success(`Removed the stored keys: ${keysRemoved.map((f) => tildify(f)).join(', ')}`);
    } else out.info(`Your keys stay in ${tildify(paths.secrets)} (mode 0600).`);
    if (removeVenv) {
      await rm(paths.venv, { recursive: true, force: true });
      out.success(`Removed ${tildify(paths.venv)}`);
    } else if (venvHint) out.info(venvHint);
    if (applied.backups.length > 0) {
      out.info(`Backups of your own files are kept in ${tildify(paths.backups)}; \`${cli('uninstall --purge')}\` removes them with the rest of ${tildify(paths.stateDir)}.`);
    }
  }
  const backups = options.purge ? [] : applied.backups.filter((b) => !keysRemoved.includes(b.backup));
  out.result({ ok: true, command: 'uninstall', changes, backups, keysRemoved, venvRemoved: purged || removeVenv, purged });
  return ExitCode.ok;
}
