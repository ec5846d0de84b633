/** `cbbd materialize <selection>`: compute every stale partition of the selection, in dependency order. */
import { materialize, type RunResult } from '../../core/materializer.ts';
import { buildPlan } from '../../core/planner.ts';
import { parsePartitionFilter } from '../../core/selection.ts';
import { loadPlannerState, type CommandContext } from '../context.ts';
import { formatDuration } from '../format.ts';
import { progressReporter } from '../progress.ts';
import { renderPlan, type PlanCommandOptions } from './plan.ts';

export interface MaterializeCommandOptions extends PlanCommandOptions {
  dryRun?: boolean;
  concurrency?: string;
}

export async function materializeCommand(ctx: CommandContext, selection: string, options: MaterializeCommandOptions): Promise<number> {
  const filter = parsePartitionFilter(options, ctx.window);
  const state = await loadPlannerState(ctx);
  const planOptions = { window: ctx.window, filter, force: options.force ?? false, rollingDays: ctx.config.source.rollingDays };
  const plan = buildPlan(ctx.graph, selection, state, planOptions);
  if (options.dryRun) {
    process.stdout.write(`${options.json ? JSON.stringify(plan, null, 2) : renderPlan(plan)}\n`);
    return 0;
  }
  if (!plan.steps.length) {
    process.stdout.write(options.json ? `${JSON.stringify({ status: 'succeeded', steps: [], plan })}\n` : `${renderPlan(plan)}\n`);
    return 0;
  }
  for (const w of plan.warnings) ctx.log.warn(w);
  const progress = progressReporter(ctx.log);
  const abort = new AbortController();
  const onSignal = () => {
    ctx.log.warn('Interrupted: finishing the steps under way, skipping the rest. Press Ctrl-C again to stop at once.');
    abort.abort(new Error('interrupted'));
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  let result: RunResult;
  try {
    result = await materialize(ctx.graph, plan, ctx.runLog, state, {
      ...planOptions,
      concurrency: options.concurrency ? Number(options.concurrency) : ctx.config.materialize.concurrency,
      retries: ctx.config.materialize.retries,
      eventRetentionDays: ctx.config.runLog.eventRetentionDays,
      log: ctx.log,
      signal: abort.signal,
      onEvent: progress.onEvent,
      replan: (live) => buildPlan(ctx.graph, selection, live, planOptions),
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
  }
  process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : renderRunResult(result)}\n`);
  return result.status === 'succeeded' ? 0 : 1;
}

export function renderRunResult(result: RunResult): string {
  const c = result.counts;
  const lines = [
    `Run ${result.runId} ${result.status} in ${formatDuration(result.durationMs)}: ${c.succeeded} partition(s) materialized, ` +
      `${c.unchanged} unchanged after upstream re-check, ${c.failed} failed, ${c.skipped} skipped.`,
  ];
  for (const step of result.steps) {
    if (step.status === 'succeeded') continue;
    lines.push(`  ${step.status}: ${step.step} (${step.asset}, ${step.failed.length + step.skipped.length} partition(s)): ${step.error ?? ''}`);
  }
  return lines.join('\n');
}
