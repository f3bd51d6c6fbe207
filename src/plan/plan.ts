/**
 * Step 2 of the pipeline: the changes, as a list of operations. The plan is the concatenation of the
 * mode's units' operations, in the mode's order; nothing here knows what a unit writes.
 */
import { profileShapeFor, type ProfileShape } from '../config/codex-config.js';
import type { Manifest } from '../config/manifest.js';
import type { SetupState } from '../inspect/inspect.js';
import { ownsProvider } from '../config/provider-ownership.js';
import { modeNamed, storedMode } from '../modes/index.js';
import type { Answers, Mode } from '../modes/types.js';
import type { RuntimePlan } from '../runtime/runtime.js';
import type { PlanInput, PlanNotes } from '../units/types.js';
import type { Operation } from '../units/operations.js';

export type { Answers } from '../modes/types.js';
export type { DeleteOperation, Operation, RunOperation, WriteOperation } from '../units/operations.js';

export interface Plan extends PlanNotes {
  operations: Operation[];
  profileShape: ProfileShape;
  /** The state.json the plan writes. */
  manifest: Manifest;
}

export interface PlanOptions {
  /** config.toml does not parse outside the tool's part: rebuild it from what still parses. */
  forceRebuild: boolean;
  /** Install LiteLLM and start the proxy (false with --no-start). */
  start: boolean;
}

export function planChanges<A extends Answers>(
  state: SetupState,
  mode: Mode<A>,
  answers: A,
  options: PlanOptions = { forceRebuild: false, start: false },
  runtime: RuntimePlan | null = null,
): Plan {
  const manifest: Manifest = { ...state.manifest };
  const notes: PlanNotes = { problems: [], repairs: [] };
  const provider = mode.provider(answers, state);
  const operations: Operation[] = [];
  // Switching modes: what only the old mode had is undone first (its proxy stops); the provider
  // table the tool owned goes when the new one has another id (and only then).
  const previous = storedMode(state);
  const previousSpec = previous ? previous.provider(previous.stored(state), state) : null;
  const ownedProviderId = previousSpec && ownsProvider(state.manifest) ? previousSpec.id : null;
  const previousProvider = previousSpec && ownedProviderId !== null && previousSpec.id !== provider.id ? previousSpec : null;
  if (previous && previousSpec && previous.id !== mode.id) {
    const kept = new Set(mode.units.map((unit) => unit.id));
    operations.push(...previous.units.filter((unit) => !kept.has(unit.id)).flatMap((unit) => unit.undo(state, previousSpec)));
  }
  for (const unit of mode.units) {
    const input: PlanInput<A> = { state, mode, answers, provider, manifest, planned: operations, notes, options, runtime, previousProvider, ownedProviderId };
    operations.push(...unit.plan(input));
  }
  return { operations, profileShape: profileShapeFor(state.codex.version), manifest, ...notes };
}

/** uninstall: every unit's undo of the mode set up, commands first (the proxy stops before its files go), state.json last. */
export function planUndo(state: SetupState): Operation[] {
  const mode = storedMode(state) ?? modeNamed(undefined);
  const provider = mode.provider(mode.stored(state), state);
  return mode.units.flatMap((unit) => unit.undo(state, provider)).sort(runsFirst);
}

const runsFirst = (a: Operation, b: Operation) => Number(b.kind === 'run') - Number(a.kind === 'run');
