/**
 * setup (the default command), also repair: inspect -> plan -> show or apply -> verify.
 * A re-run on a healthy machine plans no writes.
 */
import { applyOperations, type ApplyResult } from '../apply/apply.js';
import { CancelledError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { inspectWith, type SetupState } from '../inspect/inspect.js';
import { profileShapeFor } from '../config/codex-config.js';
import { ENDPOINTS, type Options } from '../options.js';
import { resolvePaths, tildify } from '../paths.js';
import { CODING_PLAN_NOTE, resolveAnswers, requireInteractiveTerminal } from '../plan/answers.js';
import { planChanges, type Answers, type Operation } from '../plan/plan.js';
import { endpointWarnings } from '../config/endpoint-warnings.js';
import { lockForSetup } from '../fs/run-locks.js';
import { choosePort, prepareRuntime, runRuntime, type RuntimePlan, type RuntimeReport } from '../runtime/runtime.js';
import { unifiedDiff } from '../ui/diff.js';
import type { Output } from '../ui/output.js';
import type { Prompts } from '../ui/prompts.js';

export interface CommandContext {
  out: Output;
  /** Lets the output layer mask secrets as soon as they are known. */
  addSecret(value: string | undefined): void;
  version: string;
}

export function describeOperation(op: Operation): { path: string; label: string; action: 'create' | 'update' | 'delete' } {
  return { path: op.path, label: op.label, action: op.kind === 'delete' ? 'delete' : op.before === null ? 'create' : 'update' };
}

export function renderDiff(op: Operation): string {
  if (op.kind === 'delete') return `--- a${op.path}\n+++ /dev/null\n(deleted${op.secret ? '' : `: ${op.before.split('\n').length} lines`})\n`;
  if (op.secret) {
    return `--- ${op.before === null ? '/dev/null' : `a${op.path}`}\n+++ b${op.path}\n(contents hidden: this file holds secrets; it is written with mode 0600)\n`;
  }
  return unifiedDiff(op.path, op.before, op.after);
}

function preflight(state: SetupState, runtime: RuntimePlan, options: Options): string[] {
  const lines = [`Node ${process.versions.node}`];
  const { codex } = state;
  lines.push(
    codex.version
      ? `Codex ${codex.version}: the profile goes ${profileShapeFor(codex.version) === 'file' ? 'into glm.config.toml' : 'into [profiles.glm] in config.toml'}`
      : 'Codex not installed (the configuration is written anyway)',
  );
  if (options.start) {
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

function nonInteractiveCommand(answers: Answers, options: Options): string {
  const endpoint = Object.entries(ENDPOINTS).find(([, url]) => url === answers.apiBase)?.[0] ?? answers.apiBase;
  const parts = ['glm-codex-setup', '--non-interactive', '--endpoint', endpoint, '--model', answers.model, '--port', String(answers.port)];
  if (answers.makeDefault === true) parts.push('--make-default');
  if (!answers.shellRc) parts.push('--no-shell-rc');
  if (!options.start) parts.push('--no-start');
  return parts.join(' ');
}

async function offerCodexInstall(ask: Prompts | null, out: Output): Promise<void> {
  const command = 'npm install -g @openai/codex';
  if (!ask) {
    out.warn(`Codex is not installed; the configuration is written anyway. Install it with: ${command}`);
    return;
  }
  if (!(await ask.confirm(`Codex is not installed. Install it now with \`${command}\`?`, true))) {
    out.info(`Install it later with: ${command}`);
    return;
  }
  const { execa } = await import('execa');
  const result = await execa('npm', ['install', '-g', '@openai/codex'], { stdio: 'inherit', reject: false });
  if (result.exitCode === 0) out.success('Installed Codex.');
  else out.warn(`The install failed (exit ${result.exitCode}); run it yourself: ${command}`);
}

export async function runSetup(options: Options, ctx: CommandContext): Promise<number> {
  const { out } = ctx;
  requireInteractiveTerminal(options, process.stdin.isTTY === true);
  const clack = options.nonInteractive ? null : await import('@clack/prompts');
  const ask: Prompts | null = options.nonInteractive ? null : (await import('../ui/prompts.js')).prompts;
  clack?.intro(`glm-codex-setup ${ctx.version}: GLM models in Codex, through a local LiteLLM proxy`);

  const paths = resolvePaths(options);
  // Held from the first read to the last write, so a concurrent run plans from what this one wrote.
  const releaseSetupLocks = options.dryRun ? null : await lockForSetup(paths);
  const [state, runtime] = await inspectWith(paths, (files) => prepareRuntime(options, files));
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  const checks = preflight(state, runtime, options);
  if (clack) clack.note(checks.join('\n'), 'Preflight');
  else for (const line of checks) out.step(line);
  for (const warning of runtime.warnings) out.warn(warning);
  if (!state.codex.version && !options.dryRun) await offerCodexInstall(ask, out);

  if (ask && !options.endpoint && !state.manifest.apiBase) out.info(CODING_PLAN_NOTE);
  const answers = await resolveAnswers(options, state, ask);
  if (runtime.chosen?.source === 'python') answers.litellmPython = runtime.chosen.python;
  ctx.addSecret(answers.zaiKey);
  for (const warning of endpointWarnings(answers.apiBase)) out.warn(warning);
  ctx.addSecret(answers.masterKey);
  if (options.start && !options.dryRun) answers.port = await choosePort(answers.port, paths, ask);

  const plan = planChanges(state, answers, { forceRebuild: options.forceRebuild });
  for (const problem of plan.problems) out.warn(problem);
  for (const repair of plan.repairs) out.warn(`Repair: ${repair}`);
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
    repairs: plan.repairs,
  };

  if (options.dryRun) {
    if (plan.operations.length === 0) out.info('Nothing to change: the configuration is already current.');
    for (const op of plan.operations) out.raw(renderDiff(op));
    if (options.start) out.info('Dry run: no LiteLLM install, proxy start or validation was done.');
    out.result({ ok: true, ...summary, backups: [], proxy: null, validation: null, codexCheck: null });
    return ExitCode.ok;
  }

  if (ask && plan.operations.length > 0 && !options.yes) {
    const list = changes.map((c) => `${c.action}  ${tildify(c.path)}  (${c.label})`);
    if (runtime.needsInstall && options.start) list.push(`install LiteLLM into ${tildify(paths.venv)}`);
    if (options.start) list.push(`start the proxy on 127.0.0.1:${answers.port}, then validate`);
    clack?.note(list.join('\n'), 'The plan');
    if (await ask.confirm('Show the diffs first?', false)) for (const op of plan.operations) out.raw(renderDiff(op));
    if (!(await ask.confirm('Apply these changes?', true))) throw new CancelledError();
  }

  const applied: ApplyResult = await applyOperations(plan.operations, paths);
  await releaseSetupLocks?.();
  if (applied.written.length === 0) out.success('Configuration already current: nothing written.');
  for (const path of applied.written) out.success(`Wrote ${tildify(path)}`);

  let report: RuntimeReport | null = null;
  if (options.start) report = await runRuntime(options, runtime, answers, paths, out, state.codex.bin);
  const ok = report === null || report.ok;

  const outro = [
    applied.backups.length > 0 ? `Backups of the files before this run: ${tildify(applied.backups[0]!.backup.replace(/\/[^/]+$/, ''))}` : null,
    answers.shellRc ? 'Open a new terminal (the key is loaded from your shell startup files), then:' : `In each terminal, first run: . ${tildify(state.keyEnvFiles.sh.path)}   then:`,
    '  codex --profile glm',
    `Next time without questions: ${nonInteractiveCommand(answers, options)}`,
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
    proxy: report?.proxy ?? null,
    validation: report?.validation ?? null,
    codexCheck: report?.codex ?? null,
  });
  return ok ? ExitCode.ok : report!.exitCode;
}
