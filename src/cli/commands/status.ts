/** `cbbd status [selection]`: per asset, partitions fresh / stale / missing / failed, and the last run. */
import { buildPlan } from '../../core/planner.ts';
import { loadPlannerState } from '../../core/run-selection.ts';
import { describeWaiting, waitingWork, type WaitingWork } from '../../core/budget/waiting-work.ts';
import { partitionCounts } from '../../core/partition-counts.ts';
import type { CommandContext } from '../context.ts';
import { scopeOf } from '../default-scope.ts';
import type { PartitionFilterInput } from '../../core/selection.ts';
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
  /** The latest outcome of each declared check on each partition (GOLD.md's checks for gold). */
  checks: { passed: number; failed: { partition: string; name: string; detail: string | null }[] };
  /** Work a call budget deferred (per-game substitutions and lineups): games waiting, and the oldest one's start. */
  waiting: WaitingWork | null;
}

export async function computeStatus(ctx: CommandContext, selection: string, filter: PartitionFilterInput = {}): Promise<{ rows: AssetStatus[]; note?: string }> {
  const state = await loadPlannerState(ctx.project);
  const scope = scopeOf(filter, ctx.window, state);
  const plan = buildPlan(ctx.graph, selection, state, { window: ctx.window, rollingDays: ctx.config.source.rollingDays, countsOnly: true, filter: scope.filter });
  const activity = await ctx.runLog.lastActivityByAsset();
  const checks = await ctx.runLog.latestCheckOutcomes();
  const waiting = new Map(await Promise.all(plan.assets.map(async (a) => [a.asset, await waitingWork(ctx.graph.get(a.asset), ctx.runLog)] as const)));
  const rows = plan.assets.map((a): AssetStatus => {
    const { fresh, stale, missing, failed } = partitionCounts(a);
    const last = activity.get(a.asset);
    return {
      asset: a.asset, partitions: a.partitions, fresh, stale, missing, failed,
      lastRunId: last?.runId ?? null, lastAttemptAt: last?.at ?? null,
      checks: {
        passed: checks.get(a.asset)?.passed ?? 0,
        failed: (checks.get(a.asset)?.failed ?? []).map((c) => ({ partition: c.partition, name: c.name, detail: c.detail })),
      },
      waiting: waiting.get(a.asset) ?? null,
    };
  });
  return { rows, ...(scope.note !== undefined && { note: scope.note }) };
}

export async function statusCommand(ctx: CommandContext, selection: string, options: { json?: boolean; season?: string; seasons?: string }): Promise<number> {
  const { rows, note } = await computeStatus(ctx, selection, {
    ...(options.season !== undefined && { season: options.season }), ...(options.seasons !== undefined && { seasons: options.seasons }),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const checks = (r: AssetStatus) => (r.checks.failed.length ? `${r.checks.failed.length} FAILED` : r.checks.passed ? `${r.checks.passed} ok` : '-');
  process.stdout.write(`${note ? `${note}\n\n` : ''}${formatTable(
    ['asset', 'partitions', 'fresh', 'stale', 'missing', 'failed', 'checks', 'waiting', 'last run', 'at'],
    rows.map((r) => [r.asset, r.partitions, r.fresh, r.stale, r.missing, r.failed, checks(r), describeWaiting(r.waiting), r.lastRunId ?? '-', formatTime(r.lastAttemptAt)]),
  )}\n`);
  const failing = rows.flatMap((r) => r.checks.failed.map((c) => `  ${r.asset} ${c.partition}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`));
  if (failing.length) {
    process.stdout.write(`\nFailing checks (latest result per partition):\n${failing.slice(0, 20).join('\n')}\n${failing.length > 20 ? `  ... and ${failing.length - 20} more (cbbd status --json lists them all)\n` : ''}`);
  }
  return 0;
}
