/**
 * The one way a command runs a plan it made: `cbbd materialize`, `cbbd backfill` (a season at a time), the dead-letter
 * replay and the page's runs in `cbbd serve` all come here. Before the first call the plan must fit the month's quota
 * less the reserve (refused otherwise, unless allowed over it); between steps the run stops taking steps once the
 * reserve is reached; and what the source was asked, per endpoint and per asset, is recorded with the run beside the
 * plan's estimates (`source_calls`: what `runs show` and the estimates' errors read).
 */
import { callsSince, totalCalls, type EndpointCalls } from '../cbbd/call-accounting.ts';
import type { RunResult } from '../core/materializer.ts';
import { runPlanned, type PlannedRun, type RunControls } from '../core/run-selection.ts';
import type { CommandContext } from './context.ts';
import { quotaControls } from './quota-report.ts';

export type PlanRunOptions = Pick<RunControls, 'onEvent' | 'signal' | 'concurrency'>;

/** A plan cleared to run: it fits the month's quota (or was allowed over it). */
export interface PlanRun {
  start(options?: PlanRunOptions): Promise<PlanRunOutcome>;
}

/** What a run made of the source, beside its result. */
export interface PlanRunOutcome {
  readonly result: RunResult;
  /** Calls per endpoint made during this run (undefined when the source counts none). */
  readonly calls: Record<string, EndpointCalls> | undefined;
  /** Calls per asset made during this run. */
  readonly byAsset: Record<string, number>;
}

type PlanContext = Pick<CommandContext, 'project' | 'source' | 'runLog' | 'config'>;

/**
 * Clear a plan to run: throws (a QuotaError, exit 2, HTTP 400 on the page) before anything is shown or called when it
 * does not fit the month's quota less the reserve, unless `allowOverQuota` (`--allow-over-quota`).
 */
export function preparePlanRun(ctx: PlanContext, planned: PlannedRun, allowOverQuota = false): PlanRun {
  const budget = quotaControls(ctx, planned.plan.expectedCalls, allowOverQuota);
  return { start: (options = {}) => startRun(ctx, planned, budget, options) };
}

function startRun(ctx: PlanContext, planned: PlannedRun, budget: Pick<RunControls, 'stopTakingSteps'>, options: PlanRunOptions): Promise<PlanRunOutcome> {
  const callsBefore = ctx.source.calls() ?? {};
  const byAssetBefore = ctx.source.callsByAsset();
  // A process may run several plans (a backfill's seasons, the page's runs): each counts from where it started.
  const callsMade = () => totalCalls(ctx.source.calls()) - totalCalls(callsBefore);
  return runPlanned(ctx.project, planned, {
    ...budget,
    callsMade,
    ...(options.onEvent && { onEvent: options.onEvent }),
    ...(options.signal && { signal: options.signal }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
  }).then((result) => {
    const calls = callsSince(ctx.source.calls(), callsBefore);
    const byAsset = Object.fromEntries(Object.entries(ctx.source.callsByAsset())
      .map(([asset, n]) => [asset, n - (byAssetBefore[asset] ?? 0)] as const).filter(([, n]) => n > 0));
    if (calls) {
      const estimated = Object.fromEntries(planned.plan.assets.map((a) => [a.asset, a.expectedCalls]));
      ctx.runLog.recordEvent(result.runId, 'source_calls', { calls, byAsset, estimated });
    }
    return { result, calls, byAsset };
  });
}
