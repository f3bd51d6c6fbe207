/**
 * uninstall: the same pipeline backwards. Stop the proxy, then plan the removal of exactly what
 * the tool added (provider table, profile, legacy selector, rc blocks, key files, the default it
 * replaced) and apply it with backups. --purge also removes the state dir.
 */
import { rm } from 'node:fs/promises';
import { applyOperations } from '../apply/apply.js';
import { isOwnLegacyProfile } from '../config/codex-config.js';
import { renderManifest } from '../config/manifest.js';
import { removeBlock } from '../config/shell-env.js';
import { getIn } from '../config/toml-data.js';
import { editToml, type TomlEdit } from '../config/toml-edit.js';
import { parseTomlData, splitBom } from '../config/toml-syntax.js';
import { CancelledError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { inspect, type SetupState } from '../inspect/inspect.js';
import type { Options } from '../options.js';
import { PROFILE_NAME, PROVIDER_ID, resolvePaths, tildify } from '../paths.js';
import type { Operation } from '../plan/plan.js';
import { stopProxies } from '../runtime/runtime.js';
import { describeOperation, renderDiff, type CommandContext } from './setup.js';

export function planUninstall(state: SetupState): Operation[] {
  const ops: Operation[] = [];
  const created = new Set(state.manifest.createdFiles ?? []);
  const { paths } = state;

  const configText = state.codexConfig.text;
  if (configText !== null) {
    const data = parseTomlData(splitBom(configText).body, paths.codexConfig);
    const edits: TomlEdit[] = [{ op: 'delete-table', path: ['model_providers', PROVIDER_ID] }];
    if (isOwnLegacyProfile(data)) edits.push({ op: 'delete-table', path: ['profiles', PROFILE_NAME] });
    if (getIn(data, ['profile']) === PROFILE_NAME) edits.push({ op: 'delete-key', path: ['profile'] });
    if (getIn(data, ['model_provider']) === PROVIDER_ID) {
      const previous = state.manifest.previousDefault ?? { model: null, model_provider: null };
      for (const key of ['model_provider', 'model'] as const) {
        const value = previous[key];
        edits.push(value === null ? { op: 'delete-key', path: [key] } : { op: 'set', path: [key], value });
      }
    }
    const after = editToml(configText, edits, paths.codexConfig).text;
    if (created.has(paths.codexConfig) && after.trim() === '') {
      ops.push({ kind: 'delete', path: paths.codexConfig, label: 'Codex config (created by the tool, now empty)', before: configText, secret: false });
    } else if (after !== configText) {
      ops.push({ kind: 'write', path: paths.codexConfig, label: 'Codex config', before: configText, after, secret: false, newFileMode: 0o644 });
    }
  }

  const profile = state.codexProfile.text;
  if (profile !== null) {
    const data = (() => {
      try {
        return parseTomlData(splitBom(profile).body, paths.codexProfile);
      } catch {
        return null;
      }
    })();
    if (created.has(paths.codexProfile) || data?.model_provider === PROVIDER_ID) {
      ops.push({ kind: 'delete', path: paths.codexProfile, label: 'Codex profile "glm"', before: profile, secret: false });
    }
  }

  for (const rc of state.rcFiles) {
    if (rc.text === null) continue;
    const after = removeBlock(rc.text);
    if (after === rc.text) continue;
    if (created.has(rc.path) && after.trim() === '') ops.push({ kind: 'delete', path: rc.path, label: `${rc.shell} startup file (created by the tool)`, before: rc.text, secret: false });
    else ops.push({ kind: 'write', path: rc.path, label: `${rc.shell} startup file`, before: rc.text, after, secret: false, newFileMode: 0o644 });
  }
  for (const file of [state.keyEnvFiles.sh, state.keyEnvFiles.fish]) {
    if (file.text !== null) ops.push({ kind: 'delete', path: file.path, label: 'proxy key for shells', before: file.text, secret: true });
  }
  if (state.manifestFile.text !== null) {
    // Keep the last answers for a later setup; forget what the tool owned, it is gone now.
    const { model, apiBase, port, litellmPython } = state.manifest;
    const after = renderManifest({ version: 1, model, apiBase, port, ...(litellmPython ? { litellmPython } : {}) });
    if (after !== state.manifestFile.text) ops.push({ kind: 'write', path: paths.manifest, label: 'glm-codex-setup state', before: state.manifestFile.text, after, secret: false, newFileMode: 0o600 });
  }
  return ops;
}

export async function runUninstall(options: Options, ctx: CommandContext): Promise<number> {
  const { out } = ctx;
  const paths = resolvePaths(options);
  const state = await inspect(paths);
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const ops = planUninstall(state);

  if (options.dryRun) {
    for (const op of ops) out.raw(renderDiff(op));
    if (options.purge) out.info(`Would remove ${tildify(paths.stateDir)} (state, secrets, venv, logs, backups).`);
    out.result({ ok: true, command: 'uninstall', dryRun: true, changes: ops.map(describeOperation), purge: options.purge });
    return ExitCode.ok;
  }
  if (!options.nonInteractive && !options.yes && process.stdin.isTTY) {
    const { prompts } = await import('../ui/prompts.js');
    for (const op of ops) out.info(`  ${describeOperation(op).action}  ${tildify(op.path)}  (${op.label})`);
    const what = options.purge ? ` and delete ${tildify(paths.stateDir)} (including its backups)` : '';
    if (!(await prompts.confirm(`Stop the proxy, undo these changes${what}?`, false))) throw new CancelledError();
  }

  for (const pid of (await stopProxies(paths)).stopped) out.success(`Stopped the proxy (pid ${pid})`);

  const applied = await applyOperations(ops, paths);
  for (const op of ops) out.success(`${describeOperation(op).action === 'delete' ? 'Removed' : 'Restored'} ${tildify(op.path)}`);
  if (options.purge) {
    await rm(paths.stateDir, { recursive: true, force: true });
    out.success(`Removed ${tildify(paths.stateDir)}`);
  } else if (applied.backups.length > 0) {
    out.info(`Backups are kept in ${tildify(paths.backups)}; \`glm-codex-setup uninstall --purge\` removes them with the rest of ${tildify(paths.stateDir)}.`);
  }
  out.result({ ok: true, command: 'uninstall', changes: ops.map(describeOperation), backups: options.purge ? [] : applied.backups, purged: options.purge });
  return ExitCode.ok;
}
