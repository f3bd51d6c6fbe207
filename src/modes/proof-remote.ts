/**
 * How the direct and gateway modes prove themselves: the validation request straight to the remote
 * Responses endpoint (non-streaming and streaming) with the key Codex will send, then a real
 * `codex exec --profile glm`. Doctor sends the non-streaming request only.
 */
import { ExitCode } from '../exit-codes.js';
import type { Answers, ProviderSpec } from './types.js';
import type { Paths } from '../paths.js';
import type { Output } from '../ui/output.js';
import type { DoctorInput } from '../units/types.js';
import { pass, validationFailure, type Check } from '../verify/check.js';
import { runCodexCheck } from '../verify/codex-check.js';
import type { VerifyReport } from '../verify/types.js';
import { validateResponses, type ValidationResult } from '../verify/validate.js';
import { cli } from '../invocation.js';
import { readSpend, refusalFix, refusalText, spentWindows, type SpendSource } from '../usage/spend.js';

/** After a refusal (HTTP 429): the spent window and when it ends, from the quota API; else nothing. */
async function spentLines(source: SpendSource): Promise<string[]> {
  const snapshot = await readSpend(source);
  if (snapshot?.kind !== 'zai-quota') return [];
  const now = new Date();
  return spentWindows(snapshot.result).map((w) => `${refusalText(w, now)}\n  fix: ${refusalFix(w, now)}`);
}

export function remoteVerifier<A extends Answers>(kind: 'zai-responses' | 'litellm-gateway', keyOf: (answers: A) => string, spendOf: (answers: A) => SpendSource) {
  const target = (answers: A, provider: ProviderSpec) => ({
    baseUrl: provider.baseUrl,
    key: keyOf(answers),
    model: answers.model,
    where: { kind, url: provider.baseUrl },
  });
  const name = kind === 'zai-responses' ? 'Z.ai' : 'the gateway';

  async function verify(input: { answers: A; provider: ProviderSpec; paths: Paths; out: Output; codexBin: string | null }): Promise<VerifyReport> {
    const { answers, provider, paths, out, codexBin } = input;
    const validation: ValidationResult[] = [];
    for (const mode of ['non-streaming', 'streaming'] as const) {
      const result = await validateResponses(target(answers, provider), mode);
      validation.push(result);
      if (result.ok) out.success(`Validation (${mode}, ${name}): "${(result.reply ?? '').trim().slice(0, 80)}" in ${result.roundTripMs} ms`);
      else {
        out.error(`Validation (${mode}) failed: ${result.diagnosis?.cause ?? 'unknown'}${result.diagnosis ? `\n  fix: ${result.diagnosis.fix}` : ''}`);
        if (result.status === 429) for (const line of await spentLines(spendOf(answers))) out.warn(line);
        return { ok: false, exitCode: ExitCode.validation, validation, codex: null };
      }
    }
    if (!codexBin) return { ok: true, exitCode: ExitCode.ok, validation, codex: null };
    const codex = await out.task(
      `Asking Codex itself (codex exec --profile ${provider.profile} "Reply with OK")`,
      () => runCodexCheck({ codexBin, codexHome: paths.codexHome, profile: provider.profile, authEnv: provider.auth.command ? {} : { [provider.auth.envVar]: keyOf(answers) }, cwd: paths.stateDir }),
      (result) => (result.ok ? `Codex answered through ${name} in ${(result.durationMs / 1000).toFixed(1)} s: ${result.reply?.split('\n').pop() ?? ''}` : 'Codex check done'),
    );
    if (!codex.ok) out.error(`Codex could not use the ${provider.profile} profile: ${codex.detail ?? 'unknown'}\n  fix: run \`${cli('doctor')}\`; re-run ${cli()} to repair.`);
    return { ok: codex.ok, exitCode: codex.ok ? ExitCode.ok : ExitCode.validation, validation, codex };
  }

  async function doctorVerify({ answers, provider }: DoctorInput<A>): Promise<Check[]> {
    if (!keyOf(answers)) return [];
    const result = await validateResponses(target(answers, provider), 'non-streaming');
    if (result.ok) return [pass('validation', `${name} answered "${(result.reply ?? '').trim().slice(0, 40)}" in ${result.roundTripMs} ms`)];
    return [validationFailure(result.diagnosis)];
  }

  return { verify, doctorVerify };
}
