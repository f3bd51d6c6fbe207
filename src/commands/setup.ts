/**
 * setup (the default command), also repair: inspect -> plan -> show or apply -> verify.
 * A re-run on a healthy machine plans no writes.
 */
import { applyOperations, type ApplyResult } from '../apply/apply.js';
import { profileShapeFor } from '../config/codex-config.js';
import type { Context } from '../context.js';
import { CancelledError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { inspectWith, type SetupState } from '../inspect/inspect.js';
import type { Mode } from '../modes/types.js';
import { tildify } from '../paths.js';
import { CODING_PLAN_NOTE, nonInteractiveCommand, requireInteractiveTerminal, resolveAnswers, resolveMode } from '../plan/answers.js';
import { describeOperation, isFileOperation, renderDiff } from '../plan/operations.js';
import { planChanges } from '../plan/plan.js';
import { endpointWarnings } from '../config/endpoint-warnings.js';
import { lockForSetup } from '../fs/run-locks.js';
import { prepareRuntime, type RuntimePlan } from '../runtime/runtime.js';
import type { VerifyReport } from '../verify/types.js';

function preflight(state: SetupState, runtime: RuntimePlan | null, start: boolean, mode: Mode): string[] {
  const lines = [`Node ${process.versions.node}`, `Mode: ${mode.id} (GLM ${mode.title})`];
  const { codex } = state;
  lines.push(
    codex.version
      ? `Codex ${codex.version}: the profile goes ${profileShapeFor(codex.version) === 'file' ? 'into glm.config.toml' : 'into [profiles.glm] in config.toml'}`
      : 'Codex not installed (the configuration is written anyway)',
  );
  if (start && runtime) {
    lines.push(runtime.python ? `Python ${runtime.python.version} (${runtime.python.executable})` : runtime.chosen ? `Python: not needed (LiteLLM is installed)` : 'Python: not found');
    if (runtime.found.length === 0) lines.push('LiteLLM not installed: it will be installed into the state dir');
    for (const found of runtime.found) {
      const verdict = found.verdict.kind === 'bridges' ? 'bridges' : found.verdict.kind === 'compromised' ? 'COMPROMISED: will not be run' : found.verdict.kind === 'too-old' ? 'too old to bridge Codex (needs 1.83.14 or newer)' : 'unknown version';
      lines.push(`LiteLLM ${found.version} (${found.source}): ${verdict}${found.proxyExtras ? '' : ', without the proxy extras'}`);
    }
  }
  const existing = [state.codexConfig, state.bridge, state.secretsFile].filter((f) => f.text !== null).length;
  lines.push(state.manifestFile.text === null ? (existing > 0 ? 'Existing setup: Codex config found, no GLM setup yet' : 'Existing setup: none') : `Existing setup: found in ${tildify(state.paths.stateDir)} (it will be checked and repaired)`);
  return lines;
}

async function offerCodexInstall(ctx: Pick<Context, 'prompts' | 'out'>): Promise<void> {
  const { prompts, out } = ctx;
  const command = 'npm install -g @openai/codex';
  if (!prompts) {
    out.warn(`Codex is not installed; the configuration is written anyway. Install it with: ${command}`);
    return;
  }
  if (!(await prompts.confirm(`Codex is not installed. Install it now with \`${command}\`?`, true))) {
    out.info(`Install it later with: ${command}`);
    return;
  }
  const { execa } = await import('execa');
  const result = await execa('npm', ['install', '-g', '@openai/codex'], { stdio: 'inherit', reject: false });
  if (result.exitCode === 0) out.success('Installed Codex.');
  else out.warn(`The install failed (exit ${result.exitCode}); run it yourself: ${command}`);
}

/** Looks for Python and LiteLLM while Codex is asked for its version; used only when the mode runs LiteLLM here. */
function runtimeLookup(ctx: Context, files: Pick<SetupState, 'paths' | 'manifest'>): () => Promise<RuntimePlan> {
  const settled = prepareRuntime(ctx.options, files).then(
    (plan) => ({ plan }),
    (error: unknown) => ({ error }),
  );
  return async () => {
    const result = await settled;
    if ('error' in result) throw result.error;
    return result.plan;
  };
}

export async function runSetup(ctx: Context): Promise<number> {
  const { out, options, paths, prompts } = ctx;
  requireInteractiveTerminal(options, process.stdin.isTTY === true);
  const clack = prompts ? await import('@clack/prompts') : null;
  clack?.intro(`glm-codex-setup ${ctx.version}: GLM models in Codex`);

  // Held from the first read to the last write, so a concurrent run plans from what this one wrote.
  const releaseSetupLocks = options.dryRun ? null : await lockForSetup(paths);
  const [state, lookup] = await inspectWith(paths, async (files) => {
    const maybeLocal = (options.given.mode ?? files.manifest.mode ?? 'local') === 'local';
    return maybeLocal ? runtimeLookup(ctx, files) : null;
  });
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const mode = await resolveMode(ctx, state);
  const runtime = mode.localRuntime ? await (lookup ?? runtimeLookup(ctx, state))() : null;
  const checks = preflight(state, runtime, options.start, mode);
  if (clack) clack.note(checks.join('\n'), 'Preflight');
  else for (const line of checks) out.step(line);
  for (const warning of runtime?.warnings ?? []) out.warn(warning);
  if (!state.codex.version && !options.dryRun) await offerCodexInstall(ctx);

  if (prompts && mode.id === 'local' && !options.given.endpoint && !state.manifest.apiBase) out.info(CODING_PLAN_NOTE);
  const { answers, draft } = await resolveAnswers(ctx, state, mode, runtime);
  for (const value of Object.values(mode.secrets(answers))) ctx.addSecret(value);
  const provider = mode.provider(answers, paths);
  for (const warning of endpointWarnings(provider.baseUrl)) out.warn(warning);

  const plan = planChanges(state, mode, answers, { forceRebuild: options.forceRebuild, start: options.start }, runtime);
  for (const problem of plan.problems) out.warn(problem);
  for (const repair of plan.repairs) out.warn(`Repair: ${repair}`);
  const fileOps = plan.operations.filter(isFileOperation);
  const changes = fileOps.map(describeOperation);
  const summary = {
    command: 'setup',
    version: ctx.version,
    dryRun: options.dryRun,
    mode: mode.id,
    codex: { version: state.codex.version, profileShape: plan.profileShape },
    ...mode.remember(answers),
    provider: { id: provider.id, baseUrl: provider.baseUrl },
    paths: { codexConfig: paths.codexConfig, codexProfile: paths.codexProfile, bridgeConfig: paths.bridgeConfig, stateDir: paths.stateDir },
    changes,
    commands: plan.operations.filter((op) => op.kind === 'run').map((op) => op.label),
    warnings: [...(runtime?.warnings ?? []), ...plan.problems],
    repairs: plan.repairs,
  };

  if (options.dryRun) {
    if (fileOps.length === 0) out.info('Nothing to change: the configuration is already current.');
    for (const op of plan.operations) out.raw(renderDiff(op));
    if (options.start) out.info('Dry run: nothing was installed, started or validated.');
    out.result({ ok: true, ...summary, backups: [], proxy: null, validation: null, codexCheck: null });
    return ExitCode.ok;
  }

  const installs = plan.operations.some((op) => op.kind === 'run' && op.action === 'install-litellm');
  if (prompts && (fileOps.length > 0 || installs) && !options.yes) {
    const list = plan.operations.map((op) => {
      const c = describeOperation(op);
      return c.path === null ? `run     ${c.label}` : `${c.action}  ${tildify(c.path)}  (${c.label})`;
    });
    clack?.note(list.join('\n'), 'The plan');
    if (await prompts.confirm('Show the diffs first?', false)) for (const op of fileOps) out.raw(renderDiff(op));
    if (!(await prompts.confirm('Apply these changes?', true))) throw new CancelledError();
  }

  const applied: ApplyResult = await applyOperations(plan.operations, { paths, out, options, runtime });
  await releaseSetupLocks?.();
  if (applied.written.length === 0) out.success('Configuration already current: nothing written.');
  for (const path of applied.written) out.success(`Wrote ${tildify(path)}`);

  let report: VerifyReport | null = null;
  if (options.start) report = await mode.verify({ answers, provider, paths, out, codexBin: state.codex.bin });
  const ok = report === null || report.ok;

  const outro = [
    applied.backups.length > 0 ? `Backups of the files before this run: ${tildify(applied.backups[0]!.backup.replace(/\/[^/]+$/, ''))}` : null,
    answers.shellRc ? 'Open a new terminal (the key is loaded from your shell startup files), then:' : `In each terminal, first run: . ${tildify(state.keyEnvFiles.sh.path)}   then:`,
    `  codex --profile ${provider.profile}`,
    `Next time without questions: ${nonInteractiveCommand(mode, draft, options.start ? [] : ['--no-start'])}`,
  ].filter((line): line is string => line !== null);
  if (ok) {
    if (clack) clack.outro(outro.join('\n'));
    else for (const line of outro) out.info(line);
  }

  out.result({
    ok,
    ...summary,
    written: applied.written,
    backups: applied.backups,
    proxy: applied.proxy,
    stopped: applied.stopped,
    validation: report?.validation ?? null,
    codexCheck: report?.codex ?? null,
  });
  return ok ? ExitCode.ok : report!.exitCode;
}
