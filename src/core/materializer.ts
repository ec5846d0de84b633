/**
 * The materializer: interprets a plan. Steps run in dependency order with bounded concurrency; each step's compute
 * is retried, its outputs checked, committed and recorded partition by partition. A step whose upstream failed is
 * skipped. Partitions planned only because an upstream was stale are re-checked first, so an upstream that produced
 * identical data stops the cascade there.
 */
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import type { AssetDefinition, PartitionOutput } from './asset.ts';
import { CbbdError, ExecutionError, serializeError, SourceError } from './errors.ts';
import type { AssetGraph } from './graph.ts';
import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import type { MaterializeStep, Plan, StaleReasonKind } from './plan.ts';
import { PartitionUniverse, staleReason, type PlanOptions } from './planner.ts';
import { redactSecrets } from './redact.ts';
import type { RunEvent, StepStatus } from './run-events.ts';
import type { CheckResultInput, RunLog } from './run-log/run-log.ts';
import { encodeInputs, hashInputs, inputFingerprint, type PartitionRecord, type PlannerState } from './state.ts';

export interface MaterializeOptions extends PlanOptions {
  /** Steps computed at once. */
  readonly concurrency: number;
  /** Retries of a failed step before its partitions are failed. */
  readonly retries: number;
  readonly retryMinDelayMs?: number;
  readonly log?: Logger;
  readonly onEvent?: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
  /** Prune run-log events older than this at the start of the run. */
  readonly eventRetentionDays?: number;
  /** Plans the selection again from the run's live state, once the season calendars are built. */
  readonly replan?: (state: PlannerState) => Plan;
}

export interface StepResult {
  readonly step: string;
  readonly asset: string;
  readonly status: StepStatus;
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
  readonly skipped: readonly string[];
  /** Re-checked after upstream ran and found fresh: not computed. */
  readonly unchanged: readonly string[];
  readonly attempts: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface RunResult {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed';
  readonly steps: readonly StepResult[];
  readonly durationMs: number;
  readonly counts: { readonly succeeded: number; readonly failed: number; readonly skipped: number; readonly unchanged: number };
}

/** Execute a plan. Throws only when the run cannot start (overlapping run, unusable run log); step failures are results. */
export async function materialize(
  graph: AssetGraph,
  plan: Plan,
  runLog: RunLog,
  state: PlannerState,
  options: MaterializeOptions,
): Promise<RunResult> {
  const started = Date.now();
  const log = options.log ?? silentLogger();
  const partitions = plan.steps.flatMap((s) => s.partitions.map((p) => ({ asset: s.asset, partition: p.key })));
  const runId = runLog.startRun({ selection: plan.selection, filter: plan.filter, partitions });
  if (options.eventRetentionDays !== undefined) runLog.pruneEvents(options.eventRetentionDays);
  const emit = (event: RunEvent) => {
    runLog.recordEvent(runId, event.type, event as unknown as Record<string, unknown>, event.type === 'step_finished' && event.status === 'failed' ? 'error' : 'info');
    options.onEvent?.(event);
  };
  emit({ type: 'run_started', runId, steps: plan.steps.length, partitions: partitions.length, assets: plan.assets.map((a) => a.asset) });

  const records = new Map<string, Map<string, PartitionRecord>>();
  for (const [asset, map] of state.records) records.set(asset, new Map(map));
  const calendars = new Map<string, Map<number, readonly string[]>>();
  for (const [asset, map] of state.calendars) calendars.set(asset, new Map(map));
  const live: PlannerState = { ...state, records, calendars };
  let universe = new PartitionUniverse(graph, live, options.window);
  const results = new Map<string, StepResult>();
  const limit = pLimit(Math.max(1, options.concurrency));

  const execute = (step: MaterializeStep): Promise<StepResult> => {
    const failedUpstream = step.dependsOn.find((id) => results.get(id)?.status !== 'succeeded');
    if (failedUpstream !== undefined) {
      const why = `skipped: upstream step ${failedUpstream} did not succeed`;
      const keys = step.partitions.map((p) => p.key);
      const asset = graph.get(step.asset);
      runLog.recordSkipped(runId, step.asset, asset.codeVersion, keys, why);
      return Promise.resolve(stepResult(step, 'skipped', { skipped: keys, error: why }, 0, 0));
    }
    if (options.signal?.aborted) {
      const keys = step.partitions.map((p) => p.key);
      runLog.recordSkipped(runId, step.asset, graph.get(step.asset).codeVersion, keys, 'skipped: the run was interrupted');
      return Promise.resolve(stepResult(step, 'skipped', { skipped: keys, error: 'the run was interrupted' }, 0, 0));
    }
    return runStep(step);
  };

  const runStep = async (step: MaterializeStep): Promise<StepResult> => {
    const stepStarted = Date.now();
    const asset = graph.get(step.asset);
    // Re-check what was planned only because an upstream was stale: the upstream may have produced identical data.
    const unchanged: string[] = [];
    const todo: string[] = [];
    for (const p of step.partitions) {
      const fresh = p.reason.kind === 'upstream_stale' &&
        !staleReason(graph, asset, p.key, records.get(step.asset)?.get(p.key), live, universe, options);
      (fresh ? unchanged : todo).push(p.key);
    }
    if (!todo.length) return stepResult(step, 'succeeded', { unchanged }, 0, Date.now() - stepStarted);
    const reasons: Partial<Record<StaleReasonKind, number>> = {};
    const asked = new Set(todo);
    const why = new Map<string, StaleReasonKind>();
    for (const p of step.partitions) {
      if (!asked.has(p.key)) continue;
      reasons[p.reason.kind] = (reasons[p.reason.kind] ?? 0) + 1;
      why.set(p.key, p.reason.kind);
    }
    emit({ type: 'step_started', runId, step: step.id, asset: step.asset, partitions: todo.length, reasons });

    let attempts = 0;
    let outputs: readonly PartitionOutput[];
    try {
      outputs = await pRetry(
        async () => {
          attempts++;
          runLog.recordStarted(runId, step.asset, asset.codeVersion, todo, attempts);
          try {
            return await asset.compute({ asset, partitions: todo, reasons: why, runId, log: log.child({ asset: step.asset }), signal: options.signal ?? new AbortController().signal });
          } catch (error) {
            runLog.recordFailed(runId, step.asset, todo, error, { final: false });
            throw error instanceof Error ? error : new Error(String(error));
          }
        },
        {
          retries: options.retries,
          minTimeout: options.retryMinDelayMs ?? 500,
          factor: 2,
          randomize: true,
          signal: options.signal,
          // Misuse (a bad definition, a refused key), a missing input or a source error that says so will not get
          // better by retrying.
          shouldRetry: ({ error }) => !(error instanceof CbbdError && (['definition', 'config', 'execution'].includes(error.phase) || (error instanceof SourceError && !error.retryable))),
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft > 0) emit({ type: 'step_retrying', runId, step: step.id, asset: step.asset, attempt: attemptNumber, error: redactSecrets(error.message) });
          },
        },
      );
    } catch (error) {
      const message = redactSecrets(serializeError(error).message);
      runLog.recordFailed(runId, step.asset, todo, error, { final: true });
      log.error({ asset: step.asset, step: step.id, err: error }, `${step.id} failed after ${attempts} attempt(s)`);
      return stepResult(step, 'failed', { failed: todo, unchanged, error: message }, attempts, Date.now() - stepStarted);
    }

    const succeeded: string[] = [];
    const failed: string[] = [];
    const errors: string[] = [];
    const byPartition = new Map(outputs.map((o) => [o.partition, o]));
    for (const extra of byPartition.keys()) {
      if (!asked.has(extra)) errors.push(`compute returned partition "${extra}", which this step did not ask for`);
    }
    for (const partition of todo) {
      const output = byPartition.get(partition);
      const problem = output ? await commitPartition(asset, output) : `compute returned no output for partition ${partition}`;
      if (problem === undefined) succeeded.push(partition);
      else {
        failed.push(partition);
        errors.push(problem);
        if (!output) runLog.recordFailed(runId, step.asset, [partition], new ExecutionError(problem), { final: true });
      }
    }
    const status: StepStatus = failed.length ? 'failed' : 'succeeded';
    return stepResult(step, status, { succeeded, failed, unchanged, ...(errors.length && { error: errors.join('; ') }) }, attempts, Date.now() - stepStarted);
  };

  /** Run the checks, commit, record. Returns why the partition failed, or undefined. */
  const commitPartition = async (asset: AssetDefinition, output: PartitionOutput): Promise<string | undefined> => {
    const checks: CheckResultInput[] = [];
    for (const check of asset.checks ?? []) {
      const blocking = check.blocking ?? true;
      try {
        const outcome = await check.run({ asset, output });
        checks.push({ name: check.name, passed: outcome.passed, blocking, ...(outcome.detail !== undefined && { detail: outcome.detail }) });
      } catch (error) {
        checks.push({ name: check.name, passed: false, blocking, detail: `the check threw: ${(error as Error).message}` });
      }
    }
    const blocked = checks.filter((c) => !c.passed && c.blocking);
    if (blocked.length) {
      const problem = `${asset.key} ${output.partition}: blocking check ${blocked.map((c) => `"${c.name}"${c.detail ? ` (${c.detail})` : ''}`).join(', ')} failed`;
      runLog.recordFailed(runId, asset.key, [output.partition], new ExecutionError(problem), { final: true, checks });
      return problem;
    }
    try {
      await output.commit?.();
    } catch (error) {
      runLog.recordFailed(runId, asset.key, [output.partition], error, { final: true, checks });
      return `${asset.key} ${output.partition}: commit failed: ${redactSecrets((error as Error).message)}`;
    }
    const inputs = encodeInputs(graph.stalenessInputs(asset.key).map((edge) =>
      [edge.key, inputFingerprint(edge.mapping, output.partition, universe.of(edge.key), records.get(edge.key))] as const));
    const inputsHash = hashInputs(inputs);
    runLog.recordSucceeded(runId, asset.key, { ...output, codeVersion: asset.codeVersion, inputs, inputsHash, checks });
    let map = records.get(asset.key);
    if (!map) records.set(asset.key, (map = new Map()));
    if (output.calendar) {
      let byseason = calendars.get(asset.key);
      if (!byseason) calendars.set(asset.key, (byseason = new Map()));
      byseason.set(Number(output.partition), [...output.calendar].sort());
    }
    const now = Date.now();
    map.set(output.partition, {
      status: 'succeeded', dataVersion: output.dataVersion, codeVersion: asset.codeVersion, inputsHash,
      lastSuccessAt: now, lastAttemptAt: now, error: null,
    });
    return undefined;
  };

  // Schedule: a step starts once every step it depends on has finished, at most `concurrency` at a time.
  const runSteps = (steps: readonly MaterializeStep[]) => new Promise<void>((resolve) => {
    const dependents = new Map<string, MaterializeStep[]>();
    const waiting = new Map<string, number>();
    const ids = new Set(steps.map((s) => s.id));
    for (const step of steps) {
      // Dependencies outside this batch of steps have already finished (an earlier phase).
      const inBatch = step.dependsOn.filter((d) => ids.has(d));
      waiting.set(step.id, inBatch.length);
      for (const dep of inBatch) {
        let list = dependents.get(dep);
        if (!list) dependents.set(dep, (list = []));
        list.push(step);
      }
    }
    let remaining = steps.length;
    if (remaining === 0) return resolve();
    const launch = (step: MaterializeStep) => {
      void limit(() => execute(step)).then((result) => {
        results.set(step.id, result);
        emit({
          type: 'step_finished', runId, step: step.id, asset: step.asset, status: result.status,
          succeeded: result.succeeded.length, failed: result.failed.length, skipped: result.skipped.length,
          unchanged: result.unchanged.length, durationMs: result.durationMs, ...(result.error !== undefined && { error: result.error }),
        });
        for (const next of dependents.get(step.id) ?? []) {
          const left = waiting.get(next.id)! - 1;
          waiting.set(next.id, left);
          if (left === 0) launch(next);
        }
        if (--remaining === 0) resolve();
      });
    };
    for (const step of steps) if (waiting.get(step.id) === 0) launch(step);
  });

  // Calendar assets (the game days of a season) run first; the rest is then re-planned over the real game days, so
  // a plan made before the calendar was known does not build a partition for every day of the window.
  let executed: readonly MaterializeStep[] = plan.steps;
  const calendarPhase = calendarSteps(graph, plan.steps);
  if (calendarPhase.length && options.replan) {
    await runSteps(calendarPhase);
    universe = new PartitionUniverse(graph, live, options.window);
    const done = new Set(calendarPhase.map((s) => s.asset));
    const upstreamOf = new Map<string, Set<string>>();
    const dependsOnAsset = (asset: string, upstream: string) => {
      let closure = upstreamOf.get(asset);
      if (!closure) upstreamOf.set(asset, (closure = graph.closure(asset, 'upstream')));
      return closure.has(upstream);
    };
    const rest = options.replan(live).steps.filter((s) => !done.has(s.asset)).map((s) => ({
      ...s,
      // A dependency on a calendar-phase asset is satisfied only if that asset's steps all succeeded.
      dependsOn: [...s.dependsOn, ...calendarPhase.filter((c) => dependsOnAsset(s.asset, c.asset)).map((c) => c.id)],
    }));
    emit({
      type: 'run_replanned', runId, steps: calendarPhase.length + rest.length,
      partitions: [...calendarPhase, ...rest].reduce((n, s) => n + s.partitions.length, 0),
    });
    await runSteps(rest);
    executed = [...calendarPhase, ...rest];
  } else {
    await runSteps(plan.steps);
  }

  const steps = executed.map((s) => results.get(s.id)!);
  const counts = {
    succeeded: steps.reduce((n, s) => n + s.succeeded.length, 0),
    failed: steps.reduce((n, s) => n + s.failed.length, 0),
    skipped: steps.reduce((n, s) => n + s.skipped.length, 0),
    unchanged: steps.reduce((n, s) => n + s.unchanged.length, 0),
  };
  const status = counts.failed || counts.skipped ? 'failed' : 'succeeded';
  const durationMs = Date.now() - started;
  emit({ type: 'run_finished', runId, status, durationMs, ...counts });
  runLog.finishRun(runId, status, { counts, steps: steps.length });
  return { runId, status, steps, durationMs, counts };
}

function stepResult(
  step: MaterializeStep,
  status: StepStatus,
  parts: { succeeded?: string[]; failed?: string[]; skipped?: string[]; unchanged?: string[]; error?: string },
  attempts: number,
  durationMs: number,
): StepResult {
  return {
    step: step.id, asset: step.asset, status, attempts, durationMs,
    succeeded: parts.succeeded ?? [], failed: parts.failed ?? [], skipped: parts.skipped ?? [], unchanged: parts.unchanged ?? [],
    ...(parts.error !== undefined && { error: parts.error }),
  };
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
