/**
 * setup (the default command), also repair: inspect -> plan -> show or apply -> verify.
 * A re-run on a healthy machine plans no writes.
 */
import { applyOperations, type ApplyResult } from '../apply/apply.js';
import { CancelledError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { inspect } from '../inspect/inspect.js';
import type { Options } from '../options.js';
import { resolvePaths } from '../paths.js';
import { resolveAnswers, requireInteractiveTerminal } from '../plan/answers.js';
import { planChanges, type Operation } from '../plan/plan.js';
import { unifiedDiff } from '../ui/diff.js';
import type { Output } from '../ui/output.js';
import type { Prompts } from '../ui/prompts.js';
import { choosePort, prepareRuntime, runRuntime, type RuntimeReport } from '../runtime/runtime.js';

export interface CommandContext {
  out: Output;
  /** Lets the output layer mask secrets as soon as they are known. */
  addSecret(value: string | undefined): void;
  version: string;
}

export function describeOperation(op: Operation): { path: string; label: string; action: 'create' | 'update' } {
  return { path: op.path, label: op.label, action: op.before === null ? 'create' : 'update' };
}

export function renderDiff(op: Operation): string {
  if (op.secret) {
    return `--- ${op.before === null ? '/dev/null' : `a${op.path}`}\n+++ b${op.path}\n(contents hidden: this file holds secrets; it is written with mode 0600)\n`;
  }
  return unifiedDiff(op.path, op.before, op.after);
}

export async function runSetup(options: Options, ctx: CommandContext): Promise<number> {
  const { out } = ctx;
  requireInteractiveTerminal(options, process.stdin.isTTY === true);
  const ask: Prompts | null = options.nonInteractive ? null : (await import('../ui/prompts.js')).prompts;
  const paths = resolvePaths(options);
  const state = await inspect(paths);
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);

  const runtime = await prepareRuntime(options, state, out);
  for (const warning of runtime.warnings) out.warn(warning);
  const answers = await resolveAnswers(options, state, ask, runtime.route);
  if (options.start && !options.dryRun) answers.port = await choosePort(answers.port, paths, ask);
  ctx.addSecret(answers.zaiKey);
  ctx.addSecret(answers.masterKey);

  const plan = planChanges(state, answers);
  for (const problem of plan.problems) out.warn(problem);
  const changes = plan.operations.map(describeOperation);
  const summary = {
    command: 'setup',
    version: ctx.version,
    dryRun: options.dryRun,
    codex: { version: state.codex.version, profileShape: plan.profileShape },
    model: answers.model,
    endpoint: answers.apiBase,
    port: answers.port,
    paths: { codexConfig: paths.codexConfig, codexProfile: paths.codexProfile, bridgeConfig: paths.bridgeConfig, stateDir: paths.stateDir },
    changes,
    warnings: [...runtime.warnings, ...plan.problems],
  };

  if (options.dryRun) {
    if (plan.operations.length === 0) out.info('Nothing to change: the configuration is already current.');
    for (const op of plan.operations) out.raw(renderDiff(op));
    if (options.start) out.info('Dry run: no LiteLLM install, proxy start or validation was done.');
    out.result({ ok: true, ...summary, backups: [], proxy: null, validation: null });
    return ExitCode.ok;
  }

  if (ask && plan.operations.length > 0 && !options.yes) {
    out.info('The plan:');
    for (const change of changes) out.info(`  ${change.action === 'create' ? 'create' : 'update'}  ${change.path}  (${change.label})`);
    if (await ask.confirm('Show the diffs first?', false)) for (const op of plan.operations) out.raw(renderDiff(op));
    if (!(await ask.confirm('Apply these changes?', true))) throw new CancelledError();
  }

  const applied: ApplyResult = await applyOperations(plan.operations, paths);
  if (applied.written.length === 0) out.success('Configuration already current: nothing written.');
  for (const path of applied.written) out.success(`Wrote ${path}`);
  if (applied.backups.length > 0) out.info(`Backups of the previous files: ${applied.backups.map((b) => b.backup).join(', ')}`);

  let report: RuntimeReport | null = null;
  if (options.start) report = await runRuntime(options, runtime, answers, paths, out);

  out.result({
    ok: report === null || report.ok,
    ...summary,
    written: applied.written,
    backups: applied.backups,
    proxy: report?.proxy ?? null,
    validation: report?.validation ?? null,
  });
  return report === null || report.ok ? ExitCode.ok : report.exitCode;
}
