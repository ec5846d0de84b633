/**
 * What the planner knows about the world: the latest state of every partition (from the run log), the settled
 * source partitions (from the checkpoints) and the season calendars. Loaded in a few bulk reads, then pure data.
 */
import { createHash } from 'node:crypto';
import type { PartitionIndex, PartitionMapping } from './mappings.ts';
import { upstreamPartitionsOf } from './mappings.ts';
import type { Calendars } from './partitions.ts';

export type PartitionStatus = 'succeeded' | 'failed' | 'running';

/** The latest known state of one partition of one asset. */
export interface PartitionRecord {
  readonly status: PartitionStatus;
  /** Of the last successful materialization; null when there was none. */
  readonly dataVersion: string | null;
  readonly codeVersion: string | null;
  /** Input fingerprint per dependency at the last success (see `inputFingerprint`). */
  readonly inputs: Readonly<Record<string, string>> | null;
  readonly lastSuccessAt: number | null;
  readonly lastAttemptAt: number;
  readonly error: string | null;
}

export type PartitionRecords = ReadonlyMap<string, PartitionRecord>;

export interface PlannerState {
  readonly now: Date;
  /** Records by asset key, then partition key. An asset never materialized has no entry. */
  readonly records: ReadonlyMap<string, PartitionRecords>;
  /** Source partitions whose checkpoint says the API will not change them again, by asset key. */
  readonly settled: ReadonlyMap<string, ReadonlySet<string>>;
  readonly calendars: Calendars;
}

export function emptyPlannerState(now = new Date()): PlannerState {
  return { now, records: new Map(), settled: new Map(), calendars: new Map() };
}

/**
 * A short string that changes exactly when the data a downstream partition reads from one dependency changes:
 * the upstream data version itself for a one-to-one mapping, a hash of all of them for a many-to-one mapping.
 * The materializer records it at build time and the planner compares it, so an identical re-fetch upstream leaves
 * the downstream fresh.
 */
export function inputFingerprint(
  mapping: PartitionMapping,
  partition: string,
  upstream: PartitionIndex,
  records: PartitionRecords | undefined,
): string {
  const keys = upstreamPartitionsOf(mapping, partition, upstream);
  if (keys.length === 1) return records?.get(keys[0]!)?.dataVersion ?? '';
  const hash = createHash('sha1');
  for (const key of keys) hash.update(`${key}=${records?.get(key)?.dataVersion ?? ''}\n`);
  return hash.digest('hex').slice(0, 16);
}
