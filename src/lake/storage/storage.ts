/**
 * The object-storage interface: the lakehouse's keys (`raw/...`, `bronze/...`, `tmp/...`) on a local folder or S3.
 * A partition is written as a set of objects and replaced whole by `replacePartition`.
 */
export interface StoredObject {
  readonly name: string;
  readonly body: Uint8Array | string;
}

export interface ObjectStorage {
  readonly driverName: string;
  /** Where the storage is, for messages (`./lakehouse`, `s3://hoops-edge`). */
  readonly location: string;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Make `prefix` hold exactly `objects`: written first under `tmp/`, then moved into place, then every other object
   * under the prefix removed. A re-run never leaves a second copy, and nothing is left in `tmp/`.
   */
  replacePartition(prefix: string, objects: readonly StoredObject[]): Promise<void>;
  /** Write one object whole (a reader sees the old body or the new one). */
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Remove one object; removing what is not there is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Remove what writes that died left under `tmp/` (a crash between staging and the swap): staging of processes that
   * are gone, or older than `STAGING_MAX_AGE_MS` by the clock `now`. Staging of a live writer is kept. Returns how
   * many staging folders or objects went.
   */
  sweepStaging(now?: number): Promise<number>;
  /** The object's path on this machine when the storage is a local folder (DuckDB then reads it in place). */
  localPath?(key: string): string | undefined;
}

/** No partition takes this long to stage: anything older under `tmp/` was left by a write that died. */
export const STAGING_MAX_AGE_MS = 60 * 60 * 1000;

/** A storage key must be relative, without `..`, empty segments or backslashes: it becomes a path or an S3 key. */
export function assertSafeKey(key: string): string {
  if (!/^[A-Za-z0-9_=.\-/]+$/.test(key) || key.startsWith('/') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`unsafe storage key "${key}"`);
  }
  return key;
}
