/**
 * An asset's partition counts as the graph shows them, each partition counted once: a running partition counts as
 * running only (not also as fresh or stale), and only the running partitions of the season shown count. The status
 * cache counts the running partitions of every season on top of the others ("fresh 17 · running 15" on an asset of
 * 17 partitions, issue 29); this corrects the counts and the state that follows from them.
 */
import { seasonOfKey } from '../core/partitions.ts';
import type { AssetView, NodeState, StatusSnapshot } from './asset-status.ts';

export function consistentCounts(view: AssetView, snapshot: Pick<StatusSnapshot, 'reasons' | 'running'>, season: number | undefined): { counts: Record<NodeState, number>; state: NodeState } {
  const counts: Record<NodeState, number> = { ...view.counts, running: 0 };
  const reasons = snapshot.reasons.get(view.key);
  for (const partition of snapshot.running.get(view.key) ?? []) {
    const partitionSeason = seasonOfKey(partition);
    if (season !== undefined && partitionSeason !== undefined && partitionSeason !== season) continue;
    const reason = reasons?.get(partition);
    const was: NodeState = !reason ? 'fresh' : reason.kind === 'missing' ? 'missing' : reason.kind === 'failed' ? 'failed' : 'stale';
    if (counts[was] > 0) counts[was]--;
    counts.running++;
  }
  // The same rule as the status cache, on the corrected counts.
  const state: NodeState = counts.running ? 'running' : counts.failed ? 'failed' : counts.stale ? 'stale' : counts.missing ? 'missing' : 'fresh';
  return { counts, state };
}
