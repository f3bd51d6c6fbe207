/**
 * How the local mode proves itself: the validation request through the proxy (non-streaming and
 * streaming), then a real `codex exec --profile glm`. Doctor sends the non-streaming request only.
 */
import type { LocalAnswers, ProviderSpec } from './types.js';
import type { Paths } from '../paths.js';
import type { Output } from '../ui/output.js';
import type { DoctorInput } from '../units/types.js';
import { pass, validationFailure, type Check } from '../verify/check.js';
import { runCodexCheck } from '../verify/codex-check.js';
import { diagnose } from '../verify/diagnose.js';
import { validateProxy } from '../verify/validate.js';
import type { VerifyReport } from '../verify/types.js';
import { ExitCode } from '../exit-codes.js';
import { cli } from '../invocation.js';

export async function verifyLocal(input: { answers: LocalAnswers; provider: ProviderSpec; paths: Paths; out: Output; codexBin: string | null }): Promise<VerifyReport> {
  const { answers, provider, paths, out, codexBin } = input;
  const validation = [];
  for (const mode of ['non-streaming', 'streaming'] as const) {
    const result = await validateProxy(answers, mode);
    validation.push(result);
    if (result.ok) {
      out.success(`Validation (${mode}): "${(result.reply ?? '').trim().slice(0, 80)}" in ${result.roundTripMs} ms`);
    } else {
      out.error(`Validation (${mode}) failed: ${result.diagnosis?.cause ?? 'unknown'}${result.diagnosis ? `\n  fix: ${result.diagnosis.fix}` : ''}`);
      return { ok: false, exitCode: ExitCode.validation, validation, codex: null };
    }
  }
  if (!codexBin) return { ok: true, exitCode: ExitCode.ok, validation, codex: null };
  const codex = await out.task(
    `Asking Codex itself (codex exec --profile ${provider.profile} "Reply with OK")`,
    () => runCodexCheck({ codexBin, codexHome: paths.codexHome, profile: provider.profile, authEnv: provider.auth.command ? {} : { [provider.auth.envVar]: answers.masterKey }, cwd: paths.stateDir }),
    (result) => (result.ok ? `Codex answered through the proxy in ${(result.durationMs / 1000).toFixed(1)} s: ${result.reply?.split('\n').pop() ?? ''}` : 'Codex check done'),
    true,
  );
  if (!codex.ok) {
    out.error(`Codex could not use the ${provider.profile} profile: ${codex.detail ?? 'unknown'}\n  fix: \`${cli('logs')}\` shows what the proxy saw; re-run ${cli()} to repair.`);
  }
  return { ok: codex.ok, exitCode: codex.ok ? ExitCode.ok : ExitCode.validation, validation, codex };
}

/** doctor: one validation request, when the proxy runs and answers. */
export async function doctorVerifyLocal({ answers, state, proxy, ready }: DoctorInput<LocalAnswers>): Promise<Check[]> {
  const masterKey = state.secrets.LITELLM_MASTER_KEY;
  if (proxy.kind !== 'running' || !ready || !masterKey || !state.manifest.model) return [];
  const target = { port: proxy.record.port, masterKey, model: answers.model, apiBase: answers.apiBase };
  const result = await validateProxy(target, 'non-streaming');
  const diagnosis = result.diagnosis ?? diagnose({ model: target.model, where: { kind: 'proxy', port: target.port, apiBase: target.apiBase } });
  return [result.ok ? pass('validation', `The validation request answered "${(result.reply ?? '').trim().slice(0, 40)}" in ${result.roundTripMs} ms`) : validationFailure(diagnosis)];
}
