/**
 * Checkpoints of the raw layer: one per request that fed a committed partition (a window, a date, a game, a team),
 * with its content hash, whether it was complete, and whether it is settled: the API will not change it again
 * because its season, or its day, is past the rolling window of late corrections. Derived from the date, never from
 * a hard-coded current season.
 */
import { createHash } from 'node:crypto';
import type { SourceCheckpoint } from '../../core/checkpoints.ts';
import { dateOfKey, dayToIsoDate, isoDateOf, isoDateToDay, NONE_PARTITION, seasonDates, seasonOfKey, type SeasonWindow } from '../../core/partitions.ts';
import type { RawPart } from './body.ts';

/** When a partition stops changing: the season window, today, and how many recent days the API still corrects. */
export interface SettlingClock {
  readonly window: SeasonWindow;
  readonly now: () => Date;
  readonly rollingDays: number;
}

export function parameterHash(path: string, params: Readonly<Record<string, string>>): string {
  const sorted = Object.entries(params).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(path).update(JSON.stringify(sorted)).digest('hex').slice(0, 24);
}

/** True when nothing in the partition can change any more: its last day is older than the rolling window. */
export function isSettled(resources: SettlingClock, partition: string): boolean {
  if (partition === NONE_PARTITION) return false;
  const season = seasonOfKey(partition);
  if (season === undefined) return false;
  const last = dateOfKey(partition) ?? seasonDates(season, resources.window).at(-1)!;
  const cutoff = dayToIsoDate(isoDateToDay(isoDateOf(resources.now()))! - resources.rollingDays);
  return last < cutoff;
}

/** The checkpoints of a partition's requests, recorded when the partition is committed. */
export function checkpointsOf(
  resources: SettlingClock,
  asset: string,
  partition: string,
  parts: readonly RawPart[],
  facts: Readonly<Record<string, unknown>>,
): SourceCheckpoint[] {
  const windows = facts.windows as { complete: boolean }[] | undefined;
  const settled = isSettled(resources, partition);
  const sequence = resources.now().getTime();
  return parts.map((r, i) => ({
    endpoint: r.request.path, parameterHash: parameterHash(r.request.path, r.request.params), asset, partition,
    status: r.records ? 'succeeded' : 'empty', attempts: 1, lastSuccessAt: Date.parse(r.fetchedAt),
    contentHash: r.contentHash, complete: windows?.[i]?.complete ?? true, settled, sequence,
  }));
}
