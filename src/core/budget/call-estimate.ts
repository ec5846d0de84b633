/**
 * The plan's API-call estimates, made knowing why each partition is planned. The planner asks each asset for its
 * calls by partition keys alone, which is a full fetch; a nightly refresh of a volatile partition fetches only what
 * can still change. This pass asks again with the reasons, the last builds and the season calendars, so the budget
 * check and `cbbd plan` price a night as a night and a backfill as a backfill.
 */
import type { AssetGraph } from '../graph.ts';
import type { CallEstimateContext } from '../asset.ts';
import type { AssetPlanSummary, MaterializeStep, Plan } from '../plan.ts';
import type { PlannerState } from '../state.ts';

export function withCallEstimates(graph: AssetGraph, plan: Plan, state: PlannerState): Plan {
  const byAsset = new Map<string, number>();
  const steps = plan.steps.map((step): MaterializeStep => {
    const asset = graph.get(step.asset);
    if (!asset.expectedCalls) return step;
    const records = state.records.get(step.asset);
    const calendar = asset.partitions.kind === 'season_date' ? asset.partitions.calendar : undefined;
    const context: CallEstimateContext = {
      reasons: new Map(step.partitions.map((p) => [p.key, p.reason.kind])),
      lastSuccessAt: (partition) => records?.get(partition)?.lastSuccessAt ?? undefined,
      gameDays: (season) => (calendar === undefined ? undefined : state.calendars.get(calendar)?.get(season)),
      now: state.now,
    };
    const expectedCalls = asset.expectedCalls(step.partitions.map((p) => p.key), context);
    byAsset.set(step.asset, (byAsset.get(step.asset) ?? 0) + expectedCalls);
    return Object.freeze({ ...step, expectedCalls });
  });
  // An estimate may come in tenths (a night's plays are about 3.4 calls); sums keep a tenth, the plan's total is whole.
  const assets = plan.assets.map((a): AssetPlanSummary => (byAsset.has(a.asset) ? Object.freeze({ ...a, expectedCalls: Math.round(byAsset.get(a.asset)! * 10) / 10 }) : a));
  return Object.freeze({
    ...plan,
    steps: Object.freeze(steps),
    assets: Object.freeze(assets),
    expectedCalls: Math.round(assets.reduce((n, a) => n + a.expectedCalls, 0)),
  });
}
