/**
 * A mode is one way to reach GLM. It is data: the questions it asks, the provider Codex gets, the
 * units (artifacts) it owns, and how its result is verified. Only src/modes/ branches on the mode.
 */
import type { CodexAuthTable } from '../config/codex-auth.js';
import type { Manifest } from '../config/manifest.js';
import type { Secrets } from '../config/secrets.js';
import type { SetupState } from '../inspect/inspect.js';
import type { Paths } from '../paths.js';
import type { RuntimePlan } from '../runtime/runtime.js';
import type { Draft, ModeName, QuestionId } from '../questions.js';
import type { Output } from '../ui/output.js';
import type { SpendSource } from '../usage/spend.js';
import type { DoctorInput, Unit } from '../units/types.js';
import type { Check } from '../verify/check.js';
import type { VerifyReport } from '../verify/types.js';

interface CommonAnswers {
  /** --provider-id: another id for the provider table than the mode's own. */
  providerId: string | undefined;
  /** How Codex gets the key (command where the installed Codex has it). */
  codexAuth: 'command' | 'env';
  /** The profile's default model. */
  model: string;
  /** Every model set up, the default first. */
  models: string[];
  makeDefault: boolean | undefined;
  /** Add the key block to the shell startup files. */
  shellRc: boolean;
  /** Move the user's legacy profiles out of config.toml. */
  migrateProfiles: boolean;
}

/** Codex -> LiteLLM on 127.0.0.1 -> Z.ai's Chat Completions. */
export interface LocalAnswers extends CommonAnswers {
  mode: 'local';
  /** Z.ai's chat base URL. */
  apiBase: string;
  port: number;
  zaiKey: string;
  /** The proxy's master key, generated once and kept. */
  masterKey: string;
  /** The Python whose LiteLLM serves, when it is neither our venv nor on PATH (remembered for later runs). */
  litellmPython: string | undefined;
  /** How that LiteLLM starts (absolute): remembered, so Codex's auth command needs no PATH. */
  litellmLauncher: string[] | undefined;
  /** Start the proxy at login through the service manager. */
  autostart: boolean;
}

/** Codex -> Z.ai's own Responses endpoint. */
export interface DirectAnswers extends CommonAnswers {
  mode: 'direct';
  /** Z.ai's Responses base URL (https://api.z.ai/api/v1). */
  apiBase: string;
  zaiKey: string;
}

/** Codex -> a team's LiteLLM gateway, with the developer's virtual key. */
export interface GatewayAnswers extends CommonAnswers {
  mode: 'gateway';
  /** The gateway's base URL, without /v1. */
  gatewayUrl: string;
  gatewayKey: string;
}

export type Answers = LocalAnswers | DirectAnswers | GatewayAnswers;
export type ModeId = ModeName;

/**
 * How the key reaches Codex. Codex >= 0.160 runs a command (`[model_providers.<id>.auth]`): the tool's
 * own copy prints the key (and starts the local proxy when it is down), so Codex needs no environment
 * variable and no shell. Older Codex reads `env_key` from the environment (the shell blocks).
 */
export interface ProviderAuth {
  envVar: string;
  /** What Codex shows when the variable is missing. */
  instructions: string;
  /** Set: command-backed auth, and no env_key (Codex refuses a provider with both). */
  command: CodexAuthTable | null;
}

/** What the `[model_providers.<id>]` table says. */
export interface ProviderSpec {
  id: string;
  name: string;
  baseUrl: string;
  auth: ProviderAuth;
  /** The `codex --profile <name>` this mode writes. */
  profile: string;
}

export interface Mode<A extends Answers = Answers> {
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
  /** After apply: prove that Codex reaches GLM this way (validation requests, a real Codex turn). */
  verify(input: { answers: A; provider: ProviderSpec; paths: Paths; out: Output; codexBin: string | null }): Promise<VerifyReport>;
  /** doctor's share of the same proof (it changes nothing). */
  doctorVerify(input: DoctorInput<A>): Promise<Check[]>;
}
