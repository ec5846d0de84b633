/**
 * Work a call budget left waiting (`deferrable.partial` assets: per-game substitutions and lineups), as the latest
 * build of each partition recorded it: how many games wait, and since when. `cbbd status` and the page show it, so
 * a deferral is visible until a later run works it off.
 */
import type { AssetSpec } from '../asset.ts';

export interface WaitingWork {
  readonly games: number;
  /** Start of the oldest waiting game (ISO), or null when none waits. */
  readonly oldest: string | null;
}

/** Null for an asset that never defers part of its work. */
export async function waitingWork(
  asset: AssetSpec,
  runLog: { recentMaterializationsOf(asset: string, limit?: number): Promise<readonly { readonly status: string; readonly partition: string; readonly metadata: Readonly<Record<string, unknown>> | null }[]> },
): Promise<WaitingWork | null> {
  if (!asset.deferrable?.partial) return null;
  const latest = new Map<string, Readonly<Record<string, unknown>> | null>();
  for (const m of await runLog.recentMaterializationsOf(asset.key, 50)) {
    if (m.status === 'succeeded' && !latest.has(m.partition)) latest.set(m.partition, m.metadata);
  }
  let games = 0;
  let oldest: string | null = null;
  for (const metadata of latest.values()) {
    const n = typeof metadata?.waitingGames === 'number' ? metadata.waitingGames : 0;
    if (!n) continue;
    games += n;
    const first = typeof metadata?.oldestWaitingGame === 'string' ? metadata.oldestWaitingGame : null;
    if (first && (oldest === null || first < oldest)) oldest = first;
  }
  return { games, oldest };
}

/** "38 game(s), oldest 1 day(s)": what the budget left for the next run. */
export function describeWaiting(waiting: WaitingWork | null, now = Date.now()): string {
  if (!waiting) return '-';
  if (!waiting.games) return 'none';
  const days = waiting.oldest ? Math.max(0, Math.floor((now - Date.parse(waiting.oldest)) / 86_400_000)) : null;
  return `${waiting.games} game(s)${days !== null ? `, oldest ${days} day(s)` : ''}`;
}
