/**
 * The checkpoint-store interface: the incremental state of the sources, one record per unit of fetching (a date
 * window, a date, a game). The kernel reads it to learn which source partitions are settled (the API will not
 * change them again); the drivers (SQLite embedded, DynamoDB in the cloud) live in `src/lake/`.
 */
export interface SourceCheckpoint {
  /** The API path, e.g. `/games`. */
  readonly endpoint: string;
  /** A stable hash of the request parameters (never including the key). */
  readonly parameterHash: string;
  /** The asset partition this unit of fetching serves, e.g. `raw/games` + `2024|2024-01-15`. */
  readonly asset: string;
  readonly partition: string;
  readonly status: 'succeeded' | 'failed' | 'empty';
  readonly attempts: number;
  readonly lastSuccessAt: number | null;
  readonly contentHash: string | null;
  /** False when the response hit the API's result cap and was split: the window alone is not the whole truth. */
  readonly complete: boolean;
  /** True once the source will not change again (a final game past the correction window). */
  readonly settled: boolean;
  /** Monotonic: a write with a lower sequence than the stored one is refused, so a checkpoint never moves backwards. */
  readonly sequence: number;
}

export interface CheckpointStore {
  readonly driverName: string;
  get(endpoint: string, parameterHash: string): Promise<SourceCheckpoint | undefined>;
  /** Conditional write: returns false (and writes nothing) when the stored checkpoint is newer. */
  put(checkpoint: SourceCheckpoint): Promise<boolean>;
  /** Settled partitions per asset, for the planner. */
  settledPartitions(assets: readonly string[]): Promise<Map<string, Set<string>>>;
  close(): Promise<void>;
}

/** A store with nothing in it: every source partition is treated as possibly changing. */
export const noCheckpoints: CheckpointStore = {
  driverName: 'none',
  get: async () => undefined,
  put: async () => true,
  settledPartitions: async () => new Map(),
  close: async () => {},
};
