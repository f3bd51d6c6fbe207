/**
 * A mode is one way to reach GLM. It is data: the questions it asks, the provider Codex gets, the
 * units (artifacts) it owns, and how its result is verified. Only src/modes/ branches on the mode.
 */
import type { SetupState } from '../inspect/inspect.js';
import type { Paths } from '../paths.js';
import type { Draft, QuestionId } from '../questions.js';
import type { Output } from '../ui/output.js';
import type { DoctorInput, Unit } from '../units/types.js';
import type { Check } from '../verify/check.js';
import type { VerifyReport } from '../verify/types.js';

/** Answers of the local mode: Codex -> LiteLLM on 127.0.0.1 -> Z.ai's Chat Completions. */
export interface LocalAnswers {
  mode: 'local';
  model: string;
  /** Z.ai's chat base URL. */
  apiBase: string;
  port: number;
  zaiKey: string;
  /** The proxy's master key, generated once and kept. */
  masterKey: string;
  makeDefault: boolean | undefined;
  /** The Python whose LiteLLM serves, when it is neither our venv nor on PATH (remembered for later runs). */
  litellmPython: string | undefined;
  /** Add the key block to the shell startup files. */
  shellRc: boolean;
}

export type Answers = LocalAnswers;
export type ModeId = Answers['mode'];

/** How Codex authenticates to the provider: an environment variable (later: a command). */
export interface EnvAuth {
  kind: 'env';
  envVar: string;
  /** What Codex shows when the variable is missing. */
  instructions: string;
}

/** What the `[model_providers.<id>]` table says. */
export interface ProviderSpec {
  id: string;
  name: string;
  baseUrl: string;
  auth: EnvAuth;
  /** The `codex --profile <name>` this mode writes. */
  profile: string;
}

export interface Mode<A extends Answers = Answers> {
  id: A['mode'];
  label: string;
  hint: string;
  /** The questions this mode asks, in order (rows of questions.ts). */
  questions: QuestionId[];
  /** Typed answers from the resolved questions plus what the machine holds (kept keys). */
  answers(draft: Draft, state: SetupState): A;
  /** The answers the last run left on disk: what doctor checks against, with defaults for gaps. */
  stored(state: SetupState): A;
  provider(answers: A, paths: Paths): ProviderSpec;
  /** The artifacts, in write order. */
  units: Unit<A>[];
  /** After apply: prove that Codex reaches GLM this way (validation requests, a real Codex turn). */
  verify(input: { answers: A; provider: ProviderSpec; paths: Paths; out: Output; codexBin: string | null }): Promise<VerifyReport>;
  /** doctor's share of the same proof (it changes nothing). */
  doctorVerify(input: DoctorInput<A>): Promise<Check[]>;
}
