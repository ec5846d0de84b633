/**
 * The materializer: interprets a plan. It opens the run, runs the calendar phase (the game days of each season)
 * and the rest of the plan in dependency order (`step-scheduler.ts`), one step at a time through the executor
 * (`step-executor.ts`), and closes the run. Its one decision of its own: a partition planned only because an upstream
 * was stale is re-checked once that upstream ran, so an upstream that produced identical data stops the cascade.
 */
import type { AssetDefinition } from './asset.ts';
import type { AssetGraph } from './graph.ts';
import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import type { MaterializeStep, Plan } from './plan.ts';
import { staleReason, type PlanOptions } from './planner.ts';
import type { RunEvent } from './run-events.ts';
import type { RunRecorder } from './run-recorder.ts';
import { redactSecrets } from './redact.ts';
import { LiveRunState } from './run-state.ts';
import type { PlannerState } from './state.ts';
import { executeStep, skipStep, stepResult, type MaterializeHooks, type StepResult, type StepRunContext } from './step-executor.ts';
import { runInDependencyOrder } from './step-scheduler.ts';

export type { MaterializeHooks, StepResult } from './step-executor.ts';

export interface MaterializeOptions extends PlanOptions {
  /** Steps computed at once. */
  readonly concurrency: number;
  /** Retries of a failed step before its partitions are failed (only for failures retrying may fix). */
  readonly retries: number;
  readonly retryMinDelayMs?: number;
  readonly log?: Logger;
  readonly onEvent?: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
  /** Prune run-log events older than this at the start of the run. */
  readonly eventRetentionDays?: number;
  /** Plans the selection again from the run's live state, once the season calendars are built. */
  readonly replan?: (state: PlannerState) => Plan;
  readonly hooks?: MaterializeHooks;
  /**
   * Asked before each step starts: a reason to stop taking new steps (those under way finish), e.g. the API's call
   * quota crossing its reserve. The steps not taken are skipped with the reason; their partitions stay stale.
   */
  readonly stopTakingSteps?: () => string | undefined;
}

export interface RunResult {
  readonly runId: string;
  /** `cancelled`: the signal was aborted (SIGTERM, Ctrl-C) and the run stopped taking steps. */
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly steps: readonly StepResult[];
  readonly durationMs: number;
  readonly counts: { readonly succeeded: number; readonly failed: number; readonly skipped: number; readonly unchanged: number };
  /** Why the run stopped taking new steps before the end of its plan, if it did. */
  readonly stopped?: string;
}

/**
 * Of a step's partitions, those that still need computing, and those planned only because an upstream was stale
 * whose upstream has since come out identical (fresh now: not computed).
 */
export function recheckUpstreamStale(
  graph: AssetGraph,
  asset: AssetDefinition,
  step: MaterializeStep,
  live: LiveRunState,
  options: PlanOptions,
): { todo: string[]; unchanged: string[] } {
  const todo: string[] = [];
  const unchanged: string[] = [];
  for (const p of step.partitions) {
    const fresh = p.reason.kind === 'upstream_stale' &&
      !staleReason(graph, asset, p.key, live.record(step.asset, p.key), live.planner, live.universe, options);
    (fresh ? unchanged : todo).push(p.key);
  }
  return { todo, unchanged };
}

/**
 * Execute a plan. Step failures are results. Throws when the run cannot start (an overlapping run) or cannot go on
 * (the run log cannot be written); a run that started is then closed as failed, its leases released.
 */
export async function materialize(
  graph: AssetGraph,
  plan: Plan,
  runLog: RunRecorder,
  state: PlannerState,
  options: MaterializeOptions,
): Promise<RunResult> {
  const started = Date.now();
  const partitions = plan.steps.flatMap((s) => s.partitions.map((p) => ({ asset: s.asset, partition: p.key })));
  const runId = runLog.startRun({ selection: plan.selection, filter: plan.filter, partitions });
  if (options.eventRetentionDays !== undefined) runLog.pruneEvents(options.eventRetentionDays);
  const emit = (event: RunEvent) => {
    runLog.recordEvent(runId, event.type, event as unknown as Record<string, unknown>, event.type === 'step_finished' && event.status === 'failed' ? 'error' : 'info');
    options.onEvent?.(event);
  };
  emit({ type: 'run_started', runId, steps: plan.steps.length, partitions: partitions.length, assets: plan.assets.map((a) => a.asset) });

  // A cancel request recorded in the run log (the page, or `cbbd runs cancel` from another process) stops the run as
  // SIGTERM does: the same signal is aborted, so no new step starts and the steps under way finish or fail whole.
  const cancel = new AbortController();
  const stopWatching = runLog.watchCancel(runId, (request) => {
    runLog.recordEvent(runId, 'cancel_requested', { by: request.requestedBy, requestedAt: request.requestedAt }, 'warn');
    options.log?.warn(`Run ${runId}: cancel requested by ${request.requestedBy}; no new step starts, the steps under way finish or fail whole.`);
    cancel.abort(new Error(`cancelled by ${request.requestedBy}`));
  });
  const releaseControls = stopWatching;
  const live = new LiveRunState(graph, state, options.window);
  const run: StepRunContext = {
    runId, runLog, live, emit,
    retries: options.retries, retryMinDelayMs: options.retryMinDelayMs ?? 500,
    log: options.log ?? silentLogger(), signal: options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal, hooks: options.hooks ?? {},
  };
  const results = new Map<string, StepResult>();
  let stopped: string | undefined;

  const execute = async (step: MaterializeStep): Promise<StepResult> => {
    const asset = graph.get(step.asset);
    const failedUpstream = step.dependsOn.find((id) => results.get(id)?.status !== 'succeeded');
    if (failedUpstream !== undefined) return skipStep(run, asset, step, `upstream step ${failedUpstream} did not succeed`);
    if (run.signal.aborted) return skipStep(run, asset, step, 'the run was interrupted');
    const stop = stopped ?? options.stopTakingSteps?.();
    if (stop !== undefined) {
      if (stopped === undefined) emit({ type: 'run_stopping', runId, reason: stop });
      stopped = stop;
      return skipStep(run, asset, step, `the run stopped taking new steps: ${stop}`);
    }
    const stepStarted = Date.now();
    const { todo, unchanged } = recheckUpstreamStale(graph, asset, step, live, options);
    if (!todo.length) return stepResult(step, 'succeeded', { unchanged }, 0, Date.now() - stepStarted);
    return executeStep(run, asset, step, todo, unchanged);
  };
  const finished = (step: MaterializeStep, result: StepResult) => {
    results.set(step.id, result);
    emit({
      type: 'step_finished', runId, step: step.id, asset: step.asset, status: result.status,
      succeeded: result.succeeded.length, failed: result.failed.length, skipped: result.skipped.length,
      unchanged: result.unchanged.length, durationMs: result.durationMs, ...(result.error !== undefined && { error: result.error }),
    });
  };
  const runSteps = (steps: readonly MaterializeStep[]) => runInDependencyOrder(steps, options.concurrency, execute, finished);

  let executed: readonly MaterializeStep[] = plan.steps;
  try {
    // Calendar assets (the game days of a season) run first; the rest is then re-planned over the real game days, so
    // a plan made before the calendar was known does not build a partition for every day of the window.
    const calendarPhase = calendarSteps(graph, plan.steps);
    if (calendarPhase.length && options.replan) {
      await runSteps(calendarPhase);
      live.refreshUniverse();
      const rest = restAfterCalendars(graph, calendarPhase, options.replan(live.planner));
      emit({
        type: 'run_replanned', runId, steps: calendarPhase.length + rest.length,
        partitions: [...calendarPhase, ...rest].reduce((n, s) => n + s.partitions.length, 0),
      });
      await runSteps(rest);
      executed = [...calendarPhase, ...rest];
    } else {
      await runSteps(plan.steps);
    }
  } catch (error) {
    // The run could not go on (the run log or a re-plan failed): close it as failed so its leases are released,
    // then say why. Steps are never the cause: their failures are results.
    try {
      runLog.finishRun(runId, 'failed', { steps: results.size }, redactSecrets((error as Error).message));
    } catch {
      // The run log itself failed: the next start finds the run orphaned and closes it.
    }
    releaseControls();
    await afterRun(options, runId);
    throw error;
  }

  releaseControls();
  const steps = executed.map((s) => results.get(s.id)!);
  const counts = {
    succeeded: steps.reduce((n, s) => n + s.succeeded.length, 0),
    failed: steps.reduce((n, s) => n + s.failed.length, 0),
    skipped: steps.reduce((n, s) => n + s.skipped.length, 0),
    unchanged: steps.reduce((n, s) => n + s.unchanged.length, 0),
  };
  const status = run.signal.aborted ? 'cancelled' : counts.failed || counts.skipped ? 'failed' : 'succeeded';
  const durationMs = Date.now() - started;
  emit({ type: 'run_finished', runId, status, durationMs, ...counts, ...(stopped !== undefined && { stopped }) });
  // The plan's estimate of source calls per asset, beside what the ledger counts (`cbbd runs show`).
  const estimatedCalls = Object.fromEntries(plan.assets.filter((a) => a.expectedCalls > 0).map((a) => [a.asset, a.expectedCalls]));
  runLog.finishRun(runId, status, { counts, steps: steps.length, estimatedCalls, ...(stopped !== undefined && { stopped }) });
  await afterRun(options, runId);
  return { runId, status, steps, durationMs, counts, ...(stopped !== undefined && { stopped }) };
}

/** The project's end-of-run hook: its trouble is logged, never the run's (the run is already recorded). */
async function afterRun(options: MaterializeOptions, runId: string): Promise<void> {
  try {
    await options.hooks?.afterRun?.(runId);
  } catch (error) {
    options.log?.warn({ err: error, runId }, `run ${runId}: the end-of-run hook failed: ${redactSecrets((error as Error).message)}`);
  }
}

/** Steps of assets that provide a season calendar, and every step they depend on. */
function calendarSteps(graph: AssetGraph, steps: readonly MaterializeStep[]): MaterializeStep[] {
  const providers = new Set<string>();
  for (const key of graph.order) {
    const p = graph.get(key).partitions;
    if (p.kind === 'season_date' && p.calendar) providers.add(p.calendar);
  }
  const byId = new Map(steps.map((s) => [s.id, s]));
  const wanted = new Set<string>();
  const stack = steps.filter((s) => providers.has(s.asset)).map((s) => s.id);
  while (stack.length) {
    const id = stack.pop()!;
    if (wanted.has(id)) continue;
    wanted.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return steps.filter((s) => wanted.has(s.id));
}

/**
 * The re-planned steps that remain after the calendar phase. A dependency on a calendar-phase asset is satisfied only
 * if that asset's steps all succeeded, so each step also waits on the calendar steps of its upstream.
 */
function restAfterCalendars(graph: AssetGraph, calendarPhase: readonly MaterializeStep[], replanned: Plan): MaterializeStep[] {
  const done = new Set(calendarPhase.map((s) => s.asset));
  const upstreamOf = new Map<string, Set<string>>();
  const dependsOnAsset = (asset: string, upstream: string) => {
    let closure = upstreamOf.get(asset);
    if (!closure) upstreamOf.set(asset, (closure = graph.closure(asset, 'upstream')));
    return closure.has(upstream);
  };
  return replanned.steps.filter((s) => !done.has(s.asset)).map((s) => ({
    ...s,
    dependsOn: [...s.dependsOn, ...calendarPhase.filter((c) => dependsOnAsset(s.asset, c.asset)).map((c) => c.id)],
  }));
}
