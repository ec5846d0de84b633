/**
 * One step of a plan, carried out: compute its partitions (retried only when retrying may help), then for each
 * partition run the checks, commit, tell the hooks and record the outcome. Returns what happened; throws nothing a
 * step can cause.
 */
import pRetry from 'p-retry';
import type { AssetDefinition, PartitionOutput } from './asset.ts';
import { ExecutionError, isRetryable, serializeError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { MaterializeStep, StaleReasonKind } from './plan.ts';
import { redactSecrets } from './redact.ts';
import type { RunEvent, StepStatus } from './run-events.ts';
import type { CheckResultInput, RunRecorder } from './run-recorder.ts';
import type { LiveRunState } from './run-state.ts';

/**
 * What a caller of the kernel adds around each compute and after each commit, so that every way of running a
 * selection (the CLI, the server, benchmarks, tests) gets the same behaviour: e.g. the dead-letter scope around a
 * compute, catalog registration of a committed table partition.
 */
export interface MaterializeHooks {
  /** Wraps each attempt of a compute; must call `compute` and return its result. */
  readonly aroundCompute?: <T>(asset: AssetDefinition, partitions: readonly string[], compute: () => Promise<T>, runId: string) => Promise<T>;
  /** Called once a partition's output is committed, before its success is recorded; a throw fails the partition. */
  readonly afterCommit?: (asset: AssetDefinition, output: PartitionOutput) => Promise<void>;
  /**
   * Called once a run has ended and its outcome is recorded (succeeded, failed, stopped or cut short), e.g. to write
   * its summary beside the data. A throw is logged and never changes the run's outcome.
   */
  readonly afterRun?: (runId: string) => Promise<void>;
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

/** What the executor needs from the run it belongs to. */
export interface StepRunContext {
  readonly runId: string;
  readonly runLog: RunRecorder;
  readonly live: LiveRunState;
  readonly retries: number;
  readonly retryMinDelayMs: number;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly hooks: MaterializeHooks;
  readonly emit: (event: RunEvent) => void;
}

export function stepResult(
  step: MaterializeStep,
  status: StepStatus,
  parts: { succeeded?: string[]; failed?: string[]; skipped?: string[]; unchanged?: string[]; error?: string },
  attempts = 0,
  durationMs = 0,
): StepResult {
  return {
    step: step.id, asset: step.asset, status, attempts, durationMs,
    succeeded: parts.succeeded ?? [], failed: parts.failed ?? [], skipped: parts.skipped ?? [], unchanged: parts.unchanged ?? [],
    ...(parts.error !== undefined && { error: parts.error }),
  };
}

/** Record a step's partitions as skipped, with why, and say so. */
export function skipStep(run: StepRunContext, asset: AssetDefinition, step: MaterializeStep, why: string): StepResult {
  const keys = step.partitions.map((p) => p.key);
  run.runLog.recordSkipped(run.runId, asset.key, asset.codeVersion, keys, `skipped: ${why}`);
  return stepResult(step, 'skipped', { skipped: keys, error: `skipped: ${why}` });
}

/** Compute `todo` (partitions of `step`), then check, commit and record each. `unchanged` were re-checked fresh. */
export async function executeStep(
  run: StepRunContext,
  asset: AssetDefinition,
  step: MaterializeStep,
  todo: readonly string[],
  unchanged: readonly string[],
): Promise<StepResult> {
  const started = Date.now();
  const asked = new Set(todo);
  const reasons: Partial<Record<StaleReasonKind, number>> = {};
  const why = new Map<string, StaleReasonKind>();
  for (const p of step.partitions) {
    if (!asked.has(p.key)) continue;
    reasons[p.reason.kind] = (reasons[p.reason.kind] ?? 0) + 1;
    why.set(p.key, p.reason.kind);
  }
  run.emit({ type: 'step_started', runId: run.runId, step: step.id, asset: step.asset, partitions: todo.length, reasons });

  let attempts = 0;
  let outputs: readonly PartitionOutput[];
  try {
    outputs = await pRetry(
      async () => {
        attempts++;
        run.runLog.recordStarted(run.runId, asset.key, asset.codeVersion, todo, attempts);
        try {
          const compute = () => asset.compute({
            asset, partitions: todo, reasons: why, runId: run.runId, log: run.log.child({ asset: asset.key }), signal: run.signal,
            inputPartitions: (dependency, partition) => run.live.inputPartitions(asset, dependency, partition === undefined ? todo : [partition]),
            ...(step.callAllowance !== undefined && { callAllowance: step.callAllowance }),
          });
          return await (run.hooks.aroundCompute ? run.hooks.aroundCompute(asset, todo, compute, run.runId) : compute());
        } catch (error) {
          run.runLog.recordFailed(run.runId, asset.key, todo, error, { final: false });
          throw error instanceof Error ? error : new Error(String(error));
        }
      },
      {
        retries: run.retries,
        minTimeout: run.retryMinDelayMs,
        factor: 2,
        randomize: true,
        // Not p-retry's signal: it would throw away an attempt that finishes during a stop's grace period. A stopped
        // run only retries nothing more.
        shouldRetry: ({ error }) => !run.signal.aborted && isRetryable(error),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && isRetryable(error)) run.emit({ type: 'step_retrying', runId: run.runId, step: step.id, asset: step.asset, attempt: attemptNumber, error: redactSecrets(error.message) });
        },
      },
    );
  } catch (error) {
    const message = redactSecrets(serializeError(error).message);
    run.runLog.recordFailed(run.runId, asset.key, todo, error, { final: true });
    // A step cut short by a stop (Ctrl-C, SIGTERM) is expected: a notice, not an ERROR with a stack.
    if (run.signal.aborted) run.log.warn({ asset: step.asset, step: step.id }, `${step.id} stopped by the interruption: ${message}; its partitions stay stale`);
    else run.log.error({ asset: step.asset, step: step.id, err: error }, `${step.id} failed after ${attempts} attempt(s)`);
    return stepResult(step, 'failed', { failed: [...todo], unchanged: [...unchanged], error: message }, attempts, Date.now() - started);
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
    const problem = output ? await commitPartition(run, asset, output) : `compute returned no output for partition ${partition}`;
    if (problem === undefined) succeeded.push(partition);
    else {
      failed.push(partition);
      errors.push(problem);
      if (!output) run.runLog.recordFailed(run.runId, asset.key, [partition], new ExecutionError(problem), { final: true });
    }
  }
  const status: StepStatus = failed.length ? 'failed' : 'succeeded';
  return stepResult(step, status, { succeeded, failed, unchanged: [...unchanged], ...(errors.length && { error: errors.join('; ') }) }, attempts, Date.now() - started);
}

/** Run the checks, commit, tell the hook, record. Returns why the partition failed, or undefined. */
async function commitPartition(run: StepRunContext, asset: AssetDefinition, output: PartitionOutput): Promise<string | undefined> {
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
  const calendar = run.live.calendarProblem(output);
  if (calendar) checks.push({ name: 'calendar_dates_valid', passed: false, blocking: true, detail: calendar });
  const blocked = checks.filter((c) => !c.passed && c.blocking);
  if (blocked.length) {
    const problem = `${asset.key} ${output.partition}: blocking check ${blocked.map((c) => `"${c.name}"${c.detail ? ` (${c.detail})` : ''}`).join(', ')} failed`;
    run.runLog.recordFailed(run.runId, asset.key, [output.partition], new ExecutionError(problem), { final: true, checks });
    return problem;
  }
  try {
    await output.commit?.();
    await run.hooks.afterCommit?.(asset, output);
  } catch (error) {
    run.runLog.recordFailed(run.runId, asset.key, [output.partition], error, { final: true, checks });
    return `${asset.key} ${output.partition}: commit failed: ${redactSecrets((error as Error).message)}`;
  }
  const { inputs, inputsHash } = run.live.inputsOf(asset, output.partition);
  run.runLog.recordSucceeded(run.runId, asset.key, { ...output, codeVersion: asset.codeVersion, inputs, inputsHash, checks });
  run.live.succeeded(asset, output, inputsHash, Date.now());
  return undefined;
}
