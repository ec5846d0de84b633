/**
 * A run's call budget (`cbbd materialize --call-budget N`, the nightly's 150): the plan is cut to fit before its
 * first call, by priority. What keeps the lakehouse right comes first: every step whose asset is not `deferrable`
 * (scores, box scores, plays, ratings), every partition that is missing, failed or changed code, and every refresh
 * that has already waited as long as its asset allows. What is left of the budget goes to the `partial` deferrable
 * steps (per-game substitutions and lineups: each fetches the oldest waiting games within its allowance), then to
 * the whole-step deferrable refreshes (weekly sources), the longest overdue first. A step that does not fit waits
 * for a later run with its partitions stale: deferred, never lost.
 */
import type { AssetGraph } from '../graph.ts';
import type { DeferredStep, MaterializeStep, Plan, StaleReasonKind } from '../plan.ts';
import type { PlannerState } from '../state.ts';

export interface CallBudget {
  /** Calls the whole run may make. */
  readonly calls: number;
  /** Calls the run made before this plan (the calendar phase, before the re-plan). */
  readonly spent: number;
}

const HOUR_MS = 3_600_000;

/** Share of the budget kept back for estimate error (5 calls of the nightly's 150). */
const SAFETY_SHARE = 0.03;

/** Reasons that mean "stored, and may be refreshed": time passed, or the games upstream moved on. */
const REFRESH: ReadonlySet<StaleReasonKind> = new Set(['source_volatile', 'upstream_changed', 'upstream_stale']);

interface Candidate {
  readonly step: MaterializeStep;
  readonly dueAt: number;
  readonly mustRunBy: number;
}

export function applyCallBudget(graph: AssetGraph, plan: Plan, state: PlannerState, budget: CallBudget): Plan {
  const now = state.now.getTime();
  const essential: MaterializeStep[] = [];
  const partial: MaterializeStep[] = [];
  const whole: Candidate[] = [];
  for (const step of plan.steps) {
    const asset = graph.get(step.asset);
    const deferrable = asset.deferrable;
    // Only a refresh of what is already stored may wait: anything else would leave a hole, not an old copy.
    const records = state.records.get(step.asset);
    const refreshOnly = step.partitions.every((p) => REFRESH.has(p.reason.kind) && records?.get(p.key)?.lastSuccessAt != null);
    if (!deferrable || !asset.volatile || !refreshOnly) {
      essential.push(step);
      continue;
    }
    if (deferrable.partial) {
      partial.push(step);
      continue;
    }
    const dueAt = Math.min(...step.partitions.map((p) => (records?.get(p.key)?.lastSuccessAt ?? 0) + asset.volatile!.maxAgeHours * HOUR_MS));
    const mustRunBy = dueAt + deferrable.withinHours * HOUR_MS;
    if (now >= mustRunBy) essential.push(step);
    else whole.push({ step, dueAt, mustRunBy });
  }

  // A few calls are kept back: the essential steps' estimates are averages (a day's plays may have a gap or two to
  // fetch one by one, a window may split at the result cap), and the per-game work is what gives way.
  const margin = Math.max(2, Math.round(budget.calls * SAFETY_SHARE));
  let available = budget.calls - budget.spent - margin - essential.reduce((n, s) => n + s.expectedCalls, 0);
  // A weekly source waits while the night's games need the calls: their substitutions and lineups are what silver
  // and gold miss, a weekly copy is only a few days older. Then the per-game steps share all that is left, so a
  // backlog of waiting games (which no estimate sees) is worked off with every call the night can spare.
  const partialNeed = partial.reduce((n, s) => n + s.expectedCalls, 0);
  const deferred: DeferredStep[] = [];
  const kept = new Set<string>([...essential, ...partial].map((s) => s.id));
  for (const c of whole.sort((a, b) => a.dueAt - b.dueAt)) {
    if (c.step.expectedCalls <= available - partialNeed) {
      kept.add(c.step.id);
      available -= c.step.expectedCalls;
    } else {
      deferred.push({ asset: c.step.asset, partitions: c.step.partitions.map((p) => p.key), expectedCalls: c.step.expectedCalls, dueAt: c.dueAt, mustRunBy: c.mustRunBy });
    }
  }
  const allowed = new Map<string, number>();
  for (const step of partial) {
    const share = partialNeed > 0 ? step.expectedCalls / partialNeed : 1 / partial.length;
    allowed.set(step.id, Math.max(0, Math.floor(available * share)));
  }

  const steps = plan.steps
    .filter((s) => kept.has(s.id))
    .map((s): MaterializeStep => {
      const allowance = allowed.get(s.id);
      const dependsOn = s.dependsOn.filter((d) => kept.has(d));
      if (allowance === undefined && dependsOn.length === s.dependsOn.length) return s;
      return Object.freeze({
        ...s,
        dependsOn: Object.freeze(dependsOn),
        ...(allowance !== undefined && { callAllowance: allowance, expectedCalls: Math.min(s.expectedCalls, allowance) }),
      });
    });
  const callsOf = new Map<string, number>();
  for (const s of steps) callsOf.set(s.asset, (callsOf.get(s.asset) ?? 0) + s.expectedCalls);
  const assets = plan.assets.map((a) => Object.freeze({ ...a, expectedCalls: Math.round((callsOf.get(a.asset) ?? 0) * 10) / 10 }));
  return Object.freeze({
    ...plan,
    steps: Object.freeze(steps),
    assets: Object.freeze(assets),
    expectedCalls: Math.round(steps.reduce((n, s) => n + s.expectedCalls, 0)),
    callBudget: Object.freeze({ calls: budget.calls, spentBeforePlan: budget.spent, deferred: Object.freeze(deferred) }),
  });
}
