/** `cbbd status [selection]`: per asset, partitions fresh / stale / missing / failed, and the last run. */
import { buildPlan } from '../../core/planner.ts';
import { loadPlannerState } from '../../core/run-selection.ts';
import type { CommandContext } from '../context.ts';
import { formatTable, formatTime } from '../format.ts';

export interface AssetStatus {
  asset: string;
  partitions: number;
  fresh: number;
  stale: number;
  missing: number;
  failed: number;
  lastRunId: string | null;
  lastAttemptAt: number | null;
}

export async function computeStatus(ctx: CommandContext, selection: string): Promise<AssetStatus[]> {
  const state = await loadPlannerState(ctx.project);
  const plan = buildPlan(ctx.graph, selection, state, { window: ctx.window, rollingDays: ctx.config.source.rollingDays, countsOnly: true });
  const activity = await ctx.runLog.lastActivityByAsset();
  return plan.assets.map((a) => {
    const missing = a.byReason.missing ?? 0;
    const failed = a.byReason.failed ?? 0;
    const last = activity.get(a.asset);
    return {
      asset: a.asset, partitions: a.partitions, fresh: a.partitions - a.stale, stale: a.stale - missing - failed, missing, failed,
      lastRunId: last?.runId ?? null, lastAttemptAt: last?.at ?? null,
    };
  });
}

export async function statusCommand(ctx: CommandContext, selection: string, options: { json?: boolean }): Promise<number> {
  const rows = await computeStatus(ctx, selection);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${formatTable(
    ['asset', 'partitions', 'fresh', 'stale', 'missing', 'failed', 'last run', 'at'],
    rows.map((r) => [r.asset, r.partitions, r.fresh, r.stale, r.missing, r.failed, r.lastRunId ?? '-', formatTime(r.lastAttemptAt)]),
  )}\n`);
  return 0;
}
