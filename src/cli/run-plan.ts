/**
 * Planning and materializing from config, shared by `cbbd plan`, `cbbd materialize` and the server's
 * "Materialize stale", so the three never drift apart.
 */
import { materialize, type MaterializeOptions, type RunResult } from '../core/materializer.ts';
import type { PartitionFilter } from '../core/partitions.ts';
import type { Plan } from '../core/plan.ts';
import { buildPlan, type PlanOptions } from '../core/planner.ts';
import type { PlannerState } from '../core/state.ts';
import { loadPlannerState, type CommandContext } from './context.ts';

export interface PlannedRun {
  readonly selection: string;
  readonly plan: Plan;
  readonly state: PlannerState;
  readonly options: PlanOptions;
}

export async function planSelection(ctx: CommandContext, selection: string, filter: PartitionFilter, force = false): Promise<PlannedRun> {
  const options: PlanOptions = { window: ctx.window, filter, force, rollingDays: ctx.config.source.rollingDays, buildNeverBuiltUpstream: true };
  const state = await loadPlannerState(ctx);
  return { selection, plan: buildPlan(ctx.graph, selection, state, options), state, options };
}

/** Run a plan with the configured concurrency, retries and retention; calendars first, then the rest re-planned. */
export function runPlanned(
  ctx: CommandContext,
  planned: PlannedRun,
  extra: Pick<MaterializeOptions, 'onEvent' | 'signal'> & { concurrency?: number } = {},
): Promise<RunResult> {
  return materialize(ctx.graph, planned.plan, ctx.runLog, planned.state, {
    ...planned.options,
    concurrency: extra.concurrency ?? ctx.config.materialize.concurrency,
    retries: ctx.config.materialize.retries,
    eventRetentionDays: ctx.config.runLog.eventRetentionDays,
    log: ctx.log,
    ...(extra.onEvent && { onEvent: extra.onEvent }),
    ...(extra.signal && { signal: extra.signal }),
    replan: (live) => buildPlan(ctx.graph, planned.selection, live, planned.options),
  });
}
