/**
 * Which partitions of a table have Parquet files in storage, read from the keys themselves
 * (`gold/x/season=2024/date=2024-01-15/part-0.parquet`). What is in storage is what a reader sees, whatever the run
 * log says, so "is there anything to show" is answered here.
 */
import { isoDateToDay } from '../../core/partitions.ts';
import type { ObjectStorage } from '../storage/storage.ts';

export interface StoredPartitions {
  /** Seasons with at least one Parquet file, ascending. */
  readonly seasons: readonly number[];
  /** Dates (`date=` folders) with at least one Parquet file, by season, ascending. */
  readonly dates: ReadonlyMap<number, readonly string[]>;
  /** Whether any Parquet file sits outside a `season=` folder (an unpartitioned table). */
  readonly unpartitioned: boolean;
}

const HIVE = /^(?:season=(\d{4})\/)?(?:date=(\d{4}-\d{2}-\d{2})\/)?[^/]+\.parquet$/;

/** The stored partitions of table `key` (`layer/name`). */
export async function storedPartitions(storage: ObjectStorage, key: string): Promise<StoredPartitions> {
  const dates = new Map<number, Set<string>>();
  let unpartitioned = false;
  for (const object of await storage.list(`${key}/`)) {
    const m = HIVE.exec(object.slice(key.length + 1));
    if (!m) continue;
    if (m[1] === undefined) {
      unpartitioned = true;
      continue;
    }
    const season = Number(m[1]);
    let set = dates.get(season);
    if (!set) dates.set(season, (set = new Set()));
    // A folder name is only a date if it is a real one: it is about to become a SQL literal.
    if (m[2] !== undefined && isoDateToDay(m[2]) !== undefined) set.add(m[2]);
  }
  return {
    seasons: [...dates.keys()].sort((a, b) => a - b),
    dates: new Map([...dates].map(([s, d]) => [s, [...d].sort()])),
    unpartitioned,
  };
}
