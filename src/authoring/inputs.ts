/**
 * Where an asset's inputs are stored. The kernel resolves which upstream partitions a step reads
 * (`ComputeContext.inputPartitions`, through the declared partition mapping); these turn those partition keys into
 * objects through the storage layout, so no compute builds a storage path by hand.
 */
import { PermanentError } from '../core/errors.ts';
import type { ComputeContext } from '../core/asset.ts';
import { NONE_PARTITION } from '../core/partitions.ts';
import { readRecords } from './raw/store.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import { partitionPrefix } from '../lake/table-layout.ts';

/** The Parquet files of a table's partitions, in storage order. None at all is a permanent error naming the fix. */
export async function tableFiles(storage: ObjectStorage, table: string, partitions: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const partition of partitions) {
    const prefix = partitionPrefix(table, partition);
    files.push(...(await storage.list(`${prefix}/`)).filter((k) => k.endsWith('.parquet')));
  }
  if (!files.length) {
    throw new PermanentError(`${table} has no data for ${partitions.length === 1 ? `partition ${partitions[0]}` : `these ${partitions.length} partitions`}: materialize it first (select it with "+" in front).`);
  }
  return files;
}

/**
 * The prefix that holds a raw partition: its `season=`/`date=` folder, or for a snapshot (partition `-`) its latest
 * `asof=` folder.
 */
export async function rawPartitionPrefix(storage: ObjectStorage, rawKey: string, partition: string): Promise<string> {
  if (partition !== NONE_PARTITION) return partitionPrefix(rawKey, partition);
  const manifests = (await storage.list(`${rawKey}/`)).filter((k) => /\/asof=\d{4}-\d{2}-\d{2}\/_partition\.json$/.test(k)).sort();
  const latest = manifests.at(-1);
  if (!latest) throw new PermanentError(`${rawKey} has no snapshot yet: materialize it first (select it with "+" in front).`);
  return latest.slice(0, -'/_partition.json'.length);
}

/** Where a snapshot taken on `asof` (YYYY-MM-DD) is stored. */
export function snapshotPrefix(rawKey: string, asof: string): string {
  return `${rawKey}/asof=${asof}`;
}

/** Every record of the raw partitions of `dependency` that `partition` reads (through the declared mapping). */
export async function rawInputRecords<T>(
  storage: ObjectStorage,
  ctx: Pick<ComputeContext, 'inputPartitions'>,
  dependency: string,
  partition: string,
): Promise<T[]> {
  const records: T[] = [];
  for (const input of ctx.inputPartitions(dependency, partition)) {
    records.push(...await readRecords<T>(storage, await rawPartitionPrefix(storage, dependency, input)));
  }
  return records;
}
