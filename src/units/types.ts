/**
 * A unit is one artifact the tool owns (secrets, the shell key files, the LiteLLM config, the Codex
 * provider, the profile, the proxy process, state.json). Each says, in one file, what it writes
 * (plan), how that is undone (undo), and what doctor checks (check). Plans are pure: they read the
 * inspected state and return operations; apply/ carries them out.
 */
import type { Manifest } from '../config/manifest.js';
import type { SetupState } from '../inspect/inspect.js';
import type { ProviderSpec } from '../config/provider.js';
import type { Secrets } from '../config/secrets.js';
import type { Answers } from './answers.js';
import type { Operation } from './operations.js';
import type { LiteLLMInstall } from '../runtime/litellm.js';
import type { ProxyProcessState } from '../runtime/proxy.js';
import type { RuntimePlan } from '../runtime/runtime.js';
import type { Check } from '../verify/check.js';

/** What units read of their mode (modes/types.ts `Mode` has these and more). */
export interface UnitMode<A extends Answers = Answers> {
  /** This mode runs LiteLLM on this machine. */
  localRuntime: boolean;
  /** What state.json remembers of the answers for the next run. */
  remember(answers: A): Partial<Manifest>;
  /** The key Codex sends (the value of the provider's env_key), and what it is, for people. */
  codexKey(answers: A): { value: string; what: string };
  /** What secrets.env holds in this mode. */
  secrets(answers: A): Secrets;
}

export interface PlanNotes {
  /** Problems in the user's own configuration that stop Codex; reported, never silently edited. */
  problems: string[];
  /** What was broken and is being repaired (each broken file is backed up by the write). */
  repairs: string[];
}

export interface PlanInput<A extends Answers = Answers> {
  state: SetupState;
  mode: UnitMode<A>;
  answers: A;
  provider: ProviderSpec;
  notes: PlanNotes;
  /** For the manifest unit only (planned last): every other unit's plan, what state.json is written from. */
  others: readonly PlannedUnit[];
  options: { forceRebuild: boolean; start: boolean };
  /** The provider table the tool owns from the last run, when this run writes another id (a mode switch). */
  previousProvider: ProviderSpec | null;
  /** The id of the provider table the tool owns (null: none; a table under another id is the user's). */
  ownedProviderId: string | null;
  /** Which LiteLLM serves, when the run starts the proxy (null with --no-start). */
  runtime: RuntimePlan | null;
}

export interface DoctorInput<A extends Answers = Answers> {
  state: SetupState;
  mode: UnitMode<A>;
  answers: A;
  provider: ProviderSpec;
  litellm: LiteLLMInstall[];
  proxy: ProxyProcessState;
  /** The proxy answers /health/readiness. */
  ready: boolean;
  cwd: string;
}

/** What a unit's plan returns: its operations, and what it wants state.json to remember (a key set to undefined is forgotten). */
export interface UnitPlan {
  operations: Operation[];
  remember?: Partial<Manifest>;
}

export interface PlannedUnit extends UnitPlan {
  id: string;
}

export interface Unit<A extends Answers = Answers> {
  id: string;
  /** The units whose operations must come before this one's (sv's runsAfter); otherwise the mode's order. */
  runsAfter?: readonly string[];
  /** Pure: reads the inspected state, returns data (operations, or operations and what to remember). */
  plan(input: PlanInput<A>): Operation[] | UnitPlan;
  undo(state: SetupState, provider: ProviderSpec): Operation[];
  check(input: DoctorInput<A>): Check[] | Promise<Check[]>;
}
