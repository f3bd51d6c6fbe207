/**
 * A mode is one way to reach GLM. It is data: the questions it asks, the provider Codex gets, the
 * units (artifacts) it owns, and how its result is verified. Only src/modes/ branches on the mode.
 */
import type { Manifest } from '../config/manifest.js';
import type { Secrets } from '../config/secrets.js';
import type { SetupState } from '../inspect/inspect.js';
import type { Paths } from '../paths.js';
import type { LiteLLMInstall } from '../runtime/litellm.js';
import type { RuntimePlan } from '../runtime/runtime.js';
import type { Draft, ModeName, QuestionId } from '../questions.js';
import type { Output } from '../ui/output.js';
import type { SpendSource } from '../usage/spend.js';
import type { DoctorInput, Unit, UnitMode } from '../units/types.js';
import type { Check } from '../verify/check.js';
import type { Answers } from '../units/answers.js';
import type { ProviderSpec } from '../config/provider.js';
import type { ModeRecovery } from '../config/mode-registry.js';

export type { Answers, CommonAnswers, DirectAnswers, GatewayAnswers, LocalAnswers } from '../units/answers.js';
export type { ProviderAuth, ProviderSpec } from '../config/provider.js';
import type { VerifyReport } from '../verify/types.js';


/** What the setup boxes show of a mode's settings (from the answers, or from state.json on a re-run). */
export interface SummaryValues {
  endpoint: string | undefined;
  gatewayUrl: string | undefined;
  port: number | undefined;
  /** Read from state.json: the settings in use. */
  stored: boolean;
}

export interface Mode<A extends Answers = Answers> extends UnitMode<A> {
  id: A['mode'];
  /** For the wizard's intro: "through a local LiteLLM proxy". */
  title: string;
  /** The questions this mode asks, in order (rows of questions.ts). */
  questions: QuestionId[];
  /** This mode runs LiteLLM on this machine: setup looks for Python and LiteLLM first. */
  localRuntime: boolean;
  /** Typed answers from the resolved questions plus what the machine holds (kept keys, the LiteLLM found). */
  answers(draft: Draft, state: SetupState, runtime: RuntimePlan | null): A;
  /** The answers the last run left on disk: what doctor checks against, with defaults for gaps. */
  stored(state: Pick<SetupState, 'manifest' | 'secrets'>): A;
  /** What state.json remembers of the answers for the next run. */
  remember(answers: A): Partial<Manifest>;
  provider(answers: A, where: Pick<SetupState, 'paths' | 'codex'>): ProviderSpec;
  /** How a lost state.json is read back from this mode's provider table (inspect/manifest-recovery.ts). */
  recovery: ModeRecovery;
  /** The remote URL this mode reaches GLM at (Z.ai's base, or the gateway): warned about when plain http. */
  upstream(answers: A): string;
  /** The key Codex sends (the value of the provider's env_key), and what it is, for people. */
  codexKey(answers: A): { value: string; what: string };
  /** What `usage`, `doctor` and `status` ask about the spend. */
  spendSource(answers: A): SpendSource;
  /** What secrets.env holds in this mode. */
  secrets(answers: A): Secrets;
  /** The artifacts, in write order. */
  units: Unit<A>[];
  /** The setup boxes: where requests go (one line, after the mode), and what runs here (lines after the model). */
  summary(values: SummaryValues): { where: string; here: string[] };
  /** What the mode finds on this machine before planning (local: Python and LiteLLM, through `lookup`); absent: nothing. */
  prepare?(lookup: () => Promise<RuntimePlan>): Promise<RuntimePlan>;
  /** What doctor looks at on this machine besides the files (local: every LiteLLM found); absent: nothing. */
  doctorRuntime?(input: { venv: string; python: string | undefined }): Promise<LiteLLMInstall[]>;
  /** Said before the questions of an interactive first setup (local: which key goes with which endpoint). */
  firstRunNote?: string;
  /** After a setup with --no-start: what was not started, and how to start it. */
  notStarted?(runtime: RuntimePlan | null): string;
  /** After apply: prove that Codex reaches GLM this way (validation requests, a real Codex turn). */
  verify(input: { answers: A; provider: ProviderSpec; paths: Paths; out: Output; codexBin: string | null }): Promise<VerifyReport>;
  /** doctor's share of the same proof (it changes nothing). */
  doctorVerify(input: DoctorInput<A>): Promise<Check[]>;
}
