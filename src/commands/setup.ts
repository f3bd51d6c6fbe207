/**
 * setup (the default command), also repair: inspect -> plan -> show or apply -> verify.
 * A re-run on a healthy machine plans no writes.
 */
import { execute, type ApplyResult } from '../apply/apply.js';
import { profileShapeFor } from '../config/codex-config.js';
import type { Context } from '../context.js';
import { CancelledError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { inspectWith, type SetupState } from '../inspect/inspect.js';
import type { Mode } from '../modes/types.js';
import { tildify } from '../paths.js';
import { modeNamed, storedMode } from '../modes/index.js';
import { flagChanges } from '../plan/flag-changes.js';
import { CODING_PLAN_NOTE, nonInteractiveCommand, requireInteractiveTerminal, resolveAnswers, resolveMode } from '../plan/answers.js';
import { describeOperation, isFileOperation, renderDiff, type Operation } from '../units/operations.js';
import { planChanges } from '../plan/plan.js';
import { endpointWarnings } from '../config/endpoint-warnings.js';
import { lockForSetup, setupLockWaitMs } from '../fs/run-locks.js';
import { gitWorkTreeAbove } from '../fs/git-tree.js';
import { prepareRuntime, type RuntimePlan } from '../runtime/runtime.js';
import type { VerifyReport } from '../verify/types.js';
import { detectCodex, type CodexInstall } from '../codex/version.js';
import { probeHost } from '../inspect/reach.js';
import { basePromptFor } from '../inspect/base-prompt.js';
import { cli } from '../invocation.js';
import type { Draft } from '../questions.js';

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

/** The Codex install the wizard offers: npm's global install, run by apply/ (shown, not run, by --dry-run). */
export const CODEX_INSTALL_ARGV = ['npm', 'install', '-g', '@openai/codex'];

/** Codex missing from the user's PATH: offer to install it (and re-detect it), or say exactly how. */
export async function offerCodexInstall(ctx: Pick<Context, 'prompts' | 'out' | 'paths' | 'options'>): Promise<CodexInstall | null> {
  const { prompts, out, options } = ctx;
  const command = CODEX_INSTALL_ARGV.join(' ');
  if (!prompts) {
    out.warn(`Codex is not installed (no \`codex\` on your PATH); the configuration is written anyway. Install it with: ${command}`);
    return null;
  }
  if (!(await prompts.confirm(`Codex is not installed (no \`codex\` on your PATH). Install it now with \`${command}\`?`, true))) {
    out.info(`Install it later with: ${command}   (then: codex --version)`);
    return null;
  }
  const install: Operation = { kind: 'run', action: 'install-codex', argv: CODEX_INSTALL_ARGV, label: 'install Codex from npm' };
  const applied = await execute([install], { paths: ctx.paths, out, options, runtime: null, dryRun: options.dryRun });
  return applied.codex;
}

/** Z.ai refused the key (not the plan, the model or the network). */
function badKey(report: VerifyReport | null): boolean {
  return (report?.validation ?? []).some((v) => v.diagnosis?.code === 'zai-bad-key');
}

/** What a re-run starts from: the settings in use, one per line. */
function currentSetup(state: SetupState): string[] {
  const m = state.manifest;
  const mode = storedMode(state) ?? modeNamed(undefined);
  const { where, here } = mode.summary({ endpoint: m.apiBase, gatewayUrl: m.gatewayUrl, port: m.port, stored: true });
  return [
    `Mode:     ${mode.id}`,
    where,
    `Model:    ${m.model ?? '?'}`,
    ...here,
    `Default:  ${m.previousDefault !== undefined ? 'yes, plain `codex` uses GLM' : 'no, only `codex --profile glm`'}`,
  ];
}

/** The answers a plan is built from, for the plan box. */
function answerLines(draft: Draft, mode: Mode): string[] {
  const { where, here } = mode.summary({ endpoint: draft.endpoint, gatewayUrl: draft.gatewayUrl, port: draft.port, stored: false });
  return [
    `Mode:     ${mode.id}`,
    where,
    `Model:    ${draft.model}${draft.models.length > 1 ? ` (also ${draft.models.filter((m) => m !== draft.model).join(', ')}, via /model)` : ''}`,
    ...here,
    `Default:  ${draft.makeDefault === true ? 'yes' : draft.makeDefault === false ? 'no (the earlier default is put back)' : 'unchanged'}`,
  ];
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
  requireInteractiveTerminal(ctx);
  out.intro(`glm-codex-setup ${ctx.version}: GLM models in Codex`);

  // Held from the first read to the last write, so a concurrent run plans from what this one wrote.
  const onWait = (holder: string) => out.info(`${holder} is working on the same files: waiting for it to finish (up to ${Math.round(setupLockWaitMs() / 1000)} s)…`);
  const releaseSetupLocks = options.dryRun ? null : await lockForSetup(paths, { onWait });
  const [state, lookup] = await inspectWith(paths, async (files) => {
    // Started while the rest is inspected, when the mode this run most likely sets up prepares something.
    return modeNamed(options.given.mode ?? files.manifest.mode).prepare ? runtimeLookup(ctx, files) : null;
  });
  for (const value of Object.values(state.secrets)) ctx.addSecret(value);
  // A re-run shows what is in use and lets the user change any of it.
  let revisit = false;
  const shownCurrent = prompts !== null && (state.manifest.model !== undefined || state.manifest.mode !== undefined);
  if (prompts && shownCurrent) {
    out.note(currentSetup(state).join('\n'), 'Current setup');
    // "Keep them" still applies what flags given to this run change: the question says so.
    const changes = flagChanges(options.given, state);
    const applied = changes.length > 0 ? `, with ${changes.join(' ')} applied` : '';
    revisit = (await prompts.select(`Keep these settings${applied}?`, [
      { value: 'keep', label: 'Keep them', hint: changes.length > 0 ? `apply ${changes.join(' ')}, check and repair the rest` : 'check and repair the setup' },
      { value: 'change', label: 'Change them', hint: 'ask every question again, starting from these values' },
    ], 'keep')) === 'change';
  }
  const asking = { ...ctx, revisit, keep: shownCurrent && !revisit };
  const mode = await resolveMode(asking, state);
  const runtime = mode.prepare ? await mode.prepare(lookup ?? runtimeLookup(ctx, state)) : null;
  const checks = preflight(state, runtime, options.start, mode);
  out.note(checks.join('\n'), 'Preflight');
  for (const warning of runtime?.warnings ?? []) out.warn(warning);
  const repo = await gitWorkTreeAbove(paths.stateDir);
  if (repo) out.warn(`The state dir ${tildify(paths.stateDir)} is inside the git work tree ${tildify(repo)}: secrets.env (your keys) could be committed. Add it to that repository's .gitignore, or choose a --state-dir outside it.`);
  if (!state.codex.version) {
    const installed = await offerCodexInstall(ctx);
    // The plan reads the Codex just installed: its version (profile shape, auth) and its base prompt (the catalog).
    if (installed) {
      state.codex = installed;
      state.basePrompt = await basePromptFor(installed, state.manifest, state.catalogFile.text, false);
    }
  }

  if (prompts && mode.firstRunNote && !options.given.endpoint && !state.manifest.apiBase) out.info(mode.firstRunNote);
  const { answers, draft } = await resolveAnswers(asking, state, mode, runtime);
  for (const value of Object.values(mode.secrets(answers))) ctx.addSecret(value);
  const provider = mode.provider(answers, state);
  for (const warning of endpointWarnings(mode.upstream(answers))) out.warn(warning);

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
    await execute(plan.operations, { paths, out, options, runtime, dryRun: true });
    out.info('Dry run: nothing was written, installed, started or validated.');
    out.result({ ok: true, ...summary, backups: [], proxy: null, validation: null, codexCheck: null });
    return ExitCode.ok;
  }

  const installs = plan.operations.some((op) => op.kind === 'run' && op.action === 'install-litellm');
  if (options.start) {
    // Before the long install: a host that cannot be reached would only show after it.
    const upstream = mode.upstream(answers);
    const unreachable = await probeHost(upstream);
    if (unreachable) out.warn(`${new URL(upstream).host} cannot be reached from here (${unreachable}); continuing, but the validation will fail unless the network or ${upstream} changes.`);
  }
  if (prompts && (fileOps.length > 0 || installs) && ctx.confirm === 'ask') {
    const list = plan.operations.map((op) => {
      const c = describeOperation(op);
      return c.path === null ? `run     ${c.label}` : `${c.action}  ${tildify(c.path)}  (${c.label})`;
    });
    out.note([...answerLines(draft, mode), '', ...list].join('\n'), 'The plan');
    const showDiffs = await prompts.confirm('Show the diffs first?', false);
    if (showDiffs) for (const op of fileOps) out.raw(renderDiff(op));
    // After diffs, applying takes a deliberate choice: a key typed ahead (the Enter after "y") must not
    // apply what the user has not read yet; a stray "no" only cancels, with nothing written.
    if (!(await prompts.confirm('Apply these changes?', !showDiffs))) throw new CancelledError();
  }

  // Each file is reported as it is written: before the proxy that reads them says it is ready.
  if (fileOps.length === 0) out.success('Configuration already current: nothing written.');
  const onWritten = (path: string) => out.success(`Wrote ${tildify(path)}`);
  const applied: ApplyResult = await execute(plan.operations, { paths, out, options, runtime, dryRun: false, onWritten });
  await releaseSetupLocks?.();

  let report: VerifyReport | null = null;
  if (options.start) report = await mode.verify({ answers, provider, paths, out, codexBin: state.codex.bin });
  const ok = report === null || report.ok;

  // The folders and the Python given as flags belong to this setup too: without them the line would act elsewhere.
  const where = [
    ...(options.codexHome ? ['--codex-home', paths.codexHome] : []),
    ...(options.stateDir ? ['--state-dir', paths.stateDir] : []),
    ...(options.python ? ['--python', options.python] : []),
  ];
  // The line must bring back this setup whatever runs in between: answers whose default is the last run's
  // are spelled out (what "unchanged" left); the shell question only where it applied (not with Codex's auth command).
  const lineDraft = {
    ...draft,
    makeDefault: draft.makeDefault ?? state.manifest.previousDefault !== undefined,
    shellRc: provider.auth.command ? true : draft.shellRc,
  };
  const again = nonInteractiveCommand(mode, lineDraft, [...where, ...(options.start ? [] : ['--no-start'])], ctx.commandName);
  const backups = applied.backups.length > 0 ? `Backups of the files before this run: ${tildify(applied.backups[0]!.backup.replace(/\/[^/]+$/, ''))}` : null;
  // Only what this run set up: Codex's auth command needs no shell, the shell block needs a new terminal, else the key file by hand.
  const openTerminal = provider.auth.command
    ? 'Codex gets the key from its auth command (no shell setup needed); in any terminal:'
    : answers.shellRc
      ? 'Open a new terminal (the key is loaded from your shell startup files), then:'
      : `In each terminal, first run: . ${tildify(state.keyEnvFiles.sh.path)}   then:`;
  const outro = ok
    ? [
        backups,
        ...(!options.start && mode.notStarted
          ? [mode.notStarted(runtime), `then ${/^Codex/.test(openTerminal) ? openTerminal : `${openTerminal[0]!.toLowerCase()}${openTerminal.slice(1)}`}`]
          : [openTerminal]),
        `  codex --profile ${provider.profile}`,
        `Next time without questions: ${again}`,
      ]
    : [
        `The setup is written (${applied.written.length > 0 ? `${applied.written.length} file(s) changed` : 'no file needed a change'}), but the validation failed: see the diagnosis above.`,
        backups,
        applied.proxy ? `The proxy is still running (pid ${applied.proxy.pid}, port ${applied.proxy.port}); its log: ${tildify(paths.logFile)} (${cli('logs')})` : null,
        // The stored key is the one Z.ai refused: the line as printed must carry the new one.
        `Try again after the fix: ${badKey(report) ? `ZAI_API_KEY=… ${again}   (the new key; the stored one is the one Z.ai refused)` : again}`,
        `Or check everything: ${cli('doctor')}`,
      ];
  out.outro(outro.filter((line): line is string => line !== null), ok, ok ? 'Done.' : 'The setup is written; the validation failed.');

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
