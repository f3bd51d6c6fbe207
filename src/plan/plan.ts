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
import type { PlanInput, PlanNotes, PlannedUnit, UnitPlan } from '../units/types.js';
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
  // Every unit plans from the inspected state alone; the manifest unit last, from all the others' data.
  const ordered = orderUnits(mode.units);
  const input: PlanInput<A> = { state, mode, answers, provider, notes, options, runtime, previousProvider, ownedProviderId, others: [] };
  const planned = new Map<string, PlannedUnit>();
  for (const unit of ordered) if (unit.id !== MANIFEST) planned.set(unit.id, { id: unit.id, ...asUnitPlan(unit.plan(input)) });
  const manifestUnit = ordered.find((unit) => unit.id === MANIFEST);
  if (manifestUnit) planned.set(MANIFEST, { id: MANIFEST, ...asUnitPlan(manifestUnit.plan({ ...input, others: [{ id: 'mode-switch', operations: [...operations] }, ...planned.values()] })) });
  for (const unit of ordered) operations.push(...(planned.get(unit.id)?.operations ?? []));
  const manifest = planned.get(MANIFEST)?.remember as Manifest | undefined;
  return { operations, profileShape: profileShapeFor(state.codex.version), manifest: manifest ?? { ...state.manifest }, ...notes };
}

const MANIFEST = 'manifest';

function asUnitPlan(result: Operation[] | UnitPlan): UnitPlan {
  return Array.isArray(result) ? { operations: result } : result;
}

/** The mode's order, except where a unit declares it runs after others (stable: nothing else moves). */
export function orderUnits<U extends { id: string; runsAfter?: readonly string[] }>(units: readonly U[]): U[] {
  const ids = new Set(units.map((unit) => unit.id));
  const done = new Set<string>();
  const ordered: U[] = [];
  const pending = [...units];
  while (pending.length > 0) {
    const index = pending.findIndex((unit) => (unit.runsAfter ?? []).every((id) => done.has(id) || !ids.has(id)));
    if (index === -1) throw new Error(`units with a cycle in runsAfter: ${pending.map((unit) => unit.id).join(', ')}`);
    const [next] = pending.splice(index, 1);
    ordered.push(next!);
    done.add(next!.id);
  }
  return ordered;
}

/** uninstall: every unit's undo of the mode set up, commands first (the proxy stops before its files go), state.json last. */
export function planUndo(state: SetupState): Operation[] {
  const mode = storedMode(state) ?? modeNamed(undefined);
  const provider = mode.provider(mode.stored(state), state);
  return mode.units.flatMap((unit) => unit.undo(state, provider)).sort(runsFirst);
}

// The commands first (the proxy stops before its files go); folders made for removed files last, once those are gone.
const phase = (op: Operation) => (op.kind !== 'run' ? 1 : op.action === 'remove-empty-dirs' ? 2 : 0);
const runsFirst = (a: Operation, b: Operation) => phase(a) - phase(b);
