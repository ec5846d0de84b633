/** `cbbd materialize <selection>`: compute every stale partition of the selection, in dependency order. */
import { totalCalls, type EndpointCalls } from '../../cbbd/call-accounting.ts';
import type { RunResult } from '../../core/materializer.ts';
import { UsageError } from '../../core/errors.ts';
import { parsePartitionFilter } from '../../core/selection.ts';
import type { CommandContext } from '../context.ts';
import { formatDuration } from '../format.ts';
import { runDisplay } from '../progress.ts';
import { escapeControl } from '../../core/control-chars.ts';
import { onStopSignals } from '../stop-signals.ts';
import { planSelection } from '../../core/run-selection.ts';
import { preparePlanRun, type PlanRunOutcome } from '../run-plan.ts';
import { currentQuota, renderBudgetLine, renderEstimateErrors } from '../quota-report.ts';
import { parseCallBudget, renderCallBudget, renderPlan, type PlanCommandOptions } from './plan.ts';

export interface MaterializeCommandOptions extends PlanCommandOptions {
  dryRun?: boolean;
  concurrency?: string;
  allowOverQuota?: boolean;
}

export async function materializeCommand(ctx: CommandContext, selection: string, options: MaterializeCommandOptions): Promise<number> {
  if (options.concurrency !== undefined && !(Number.isInteger(Number(options.concurrency)) && Number(options.concurrency) >= 1)) {
    throw new UsageError(`--concurrency ${options.concurrency} is not a whole number >= 1.`);
  }
  const callBudget = parseCallBudget(options.callBudget);
  const planned = await planSelection(ctx.project, {
    selection, filter: parsePartitionFilter(options, ctx.window), force: options.force ?? false, ...(callBudget !== undefined && { callBudget }),
  });
  const { plan } = planned;
  const quota = currentQuota(ctx);
  if (options.dryRun || !plan.steps.length) {
    const text = `${renderPlan(plan)}${plan.steps.length ? `\n${renderBudgetLine(plan.expectedCalls, quota.status, quota.budget, quota.reserve)}` : ''}`;
    process.stdout.write(`${options.json ? JSON.stringify({ ...plan, quota: { budget: quota.budget ?? null, fits: !quota.budget || plan.expectedCalls <= quota.budget.available } }, null, 2) : text}\n`);
    return 0;
  }
  // Before any call: a plan that does not fit the month's quota less the reserve is refused (exit 2).
  const run = preparePlanRun(ctx, planned, options.allowOverQuota ?? false);
  for (const w of plan.warnings) ctx.log.warn(w);
  const progress = runDisplay(ctx.log, plan);
  let runId: string | undefined;
  const stop = onStopSignals({
    log: ctx.log,
    display: progress,
    abandon: async (signal) => {
      const { built, planned } = progress.counts();
      progress.stop();
      if (runId) ctx.runLog.finishRun(runId, 'cancelled', { abandoned: true }, `cancelled by ${signal}: the steps still under way were abandoned`);
      // The summary a person waits for, even when the steps under way were abandoned: the process exits next.
      process.stdout.write(`${options.json ? JSON.stringify({ runId: runId ?? null, status: 'cancelled', abandoned: true, built, left: Math.max(0, planned - built) }) : `Run ${runId ?? '(not started)'} cancelled.\n${cancelledLine(built, Math.max(0, planned - built))}`}\n`);
      // In the cloud this uploads the run log: what was committed before the stop is not redone by the next run.
      await ctx.close();
    },
  });
  let outcome: PlanRunOutcome;
  try {
    outcome = await run.start({
      onEvent: (event) => {
        if (event.type === 'run_started') runId = event.runId;
        progress.onEvent(event);
      },
      signal: stop.signal,
      ...(options.concurrency !== undefined && { concurrency: Number(options.concurrency) }),
    });
  } finally {
    // Abandoning (a second signal) records the run and exits: nothing here may report on it meanwhile.
    await stop.settled();
    progress.stop();
    stop.dispose();
  }
  const { result, calls, byAsset } = outcome;
  const estimated = new Map(plan.assets.map((a) => [a.asset, a.expectedCalls]));
  // A cancelled run made a part of its calls: set against the whole plan's estimates they would read as errors.
  const estimates = result.status === 'cancelled' ? '' : renderEstimateErrors(estimated, byAsset);
  const budgetLines = plan.callBudget ? `\n${renderCallBudget(plan).join('\n')}` : '';
  const cancelled = result.status === 'cancelled' ? `\n${cancelledLine(result.counts.succeeded + result.counts.unchanged, result.counts.failed + result.counts.skipped)}` : '';
  // A cancelled run ends on what to do next: the last line a person reads.
  const text = `${renderRunResult(result, calls)}${budgetLines}${estimates ? `\nAPI calls per asset, estimated before the run and made:\n${estimates}` : ''}${cancelled}`;
  process.stdout.write(`${options.json ? JSON.stringify({ ...result, sourceCalls: calls ?? {}, callsByAsset: byAsset, estimatedCalls: Object.fromEntries(estimated) }, null, 2) : text}\n`);
  return result.status === 'succeeded' ? 0 : result.status === 'cancelled' ? stop.exitCode() : 1;
}

/** Steps not done that a summary names one by one; the rest are counted (the run's summary lists them all). */
const MAX_STEPS_LISTED = 20;

/** The last line of a cancelled run's summary. */
export function cancelledLine(built: number, left: number): string {
  return `cancelled: ${built} built, ${left} left — run the same command to resume`;
}

export function renderRunResult(result: RunResult, calls?: Record<string, EndpointCalls>): string {
  const c = result.counts;
  const lines = [
    `Run ${result.runId} ${result.status} in ${formatDuration(result.durationMs)}: ${c.succeeded} partition(s) materialized, ` +
      `${c.unchanged} unchanged after upstream re-check, ${c.failed} failed, ${c.skipped} skipped.`,
  ];
  if (result.stopped) {
    lines.push(`Stopped taking new steps: ${result.stopped}. Steps under way finished; the partitions not built stay stale, and the same command builds them once calls are available again.`);
  }
  if (calls) {
    const total = totalCalls(calls);
    const retries = Object.values(calls).reduce((n, e) => n + e.retries, 0);
    lines.push(`Source API calls: ${total} (${retries} retries): ${Object.entries(calls).map(([endpoint, e]) => `${endpoint} ${e.calls}`).join(', ')}.`);
  }
  // A cancelled run skips every step it had not started: one line for them, not one per step.
  const listed = result.steps.filter((s) => s.status === 'failed' || (s.status === 'skipped' && result.status !== 'cancelled'));
  for (const step of listed.slice(0, MAX_STEPS_LISTED)) {
    lines.push(`  ${step.status}: ${step.step} (${step.asset}, ${step.failed.length + step.skipped.length} partition(s)): ${escapeControl(step.error ?? '')}`);
  }
  if (listed.length > MAX_STEPS_LISTED) lines.push(`  ... and ${listed.length - MAX_STEPS_LISTED} more step(s) not done: cbbd runs show ${result.runId}`);
  if (result.status === 'cancelled') {
    const notStarted = result.steps.filter((s) => s.status === 'skipped');
    if (notStarted.length) lines.push(`  ${notStarted.length} step(s) not started (${notStarted.reduce((n, s) => n + s.skipped.length, 0)} partition(s)): the run was cancelled.`);
  }
  return lines.join('\n');
}
