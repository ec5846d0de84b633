/**
 * The one count of an asset's partitions by state, for `cbbd status` and the page alike: each partition counted once,
 * fresh, stale, missing (never built) or failed by the plan's reasons, and a partition under way as running only,
 * taken out of the state its reason gives it. The asset's own state follows from the counts by one rule.
 */
import type { AssetPlanSummary, StaleReason } from './plan.ts';

export type PartitionState = 'fresh' | 'stale' | 'missing' | 'failed' | 'running';

/** The state a partition's stale reason gives it (none: fresh). */
export function stateOfReason(reason: StaleReason | undefined): Exclude<PartitionState, 'running'> {
  if (!reason) return 'fresh';
  return reason.kind === 'missing' ? 'missing' : reason.kind === 'failed' ? 'failed' : 'stale';
}

/** Counts from the plan's summary of an asset, with the reasons of the partitions under way (in the same scope). */
export function partitionCounts(summary: Pick<AssetPlanSummary, 'partitions' | 'stale' | 'byReason'>, running: readonly (StaleReason | undefined)[] = []): Record<PartitionState, number> {
  const missing = summary.byReason.missing ?? 0;
  const failed = summary.byReason.failed ?? 0;
  const counts: Record<PartitionState, number> = { fresh: summary.partitions - summary.stale, stale: summary.stale - missing - failed, missing, failed, running: 0 };
  for (const reason of running) {
    const was = stateOfReason(reason);
    if (counts[was] > 0) counts[was]--;
    counts.running++;
  }
  return counts;
}

/**
 * An asset's state from its counts: running, else failed, else stale, else missing, else fresh. Never built is not
 * stale: a season nobody asked for must not paint the graph yellow (the legend's ○ missing).
 */
export function stateOfCounts(counts: Readonly<Record<PartitionState, number>>): PartitionState {
  return counts.running ? 'running' : counts.failed ? 'failed' : counts.stale ? 'stale' : counts.missing ? 'missing' : 'fresh';
}
