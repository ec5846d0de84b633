/**
 * What the kernel needs of a run log, and no more: a recorder for the run it materializes and a way to hear that
 * someone asked it to stop. The run-log store (src/store/, SQLite) implements it; the kernel never sees the store,
 * its tables or its connections, so another store (Postgres, say) would implement these methods and nothing else.
 */

/** One partition of one asset. */
export interface PartitionRef {
  readonly asset: string;
  readonly partition: string;
}

/** A check's outcome on one partition. */
export interface CheckResultInput {
  readonly name: string;
  readonly passed: boolean;
  readonly blocking: boolean;
  readonly detail?: string;
}

/** What a committed partition is recorded with. */
export interface SuccessInput {
  readonly partition: string;
  readonly dataVersion: string;
  readonly codeVersion: string;
  /** Encoded by `encodeInputs`, kept to explain staleness. */
  readonly inputs: string;
  /** `hashInputs(inputs)`, what the planner compares. */
  readonly inputsHash: number;
  readonly rowCount?: number;
  readonly bytes?: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly apiCalls?: number;
  readonly quarantine?: { readonly records: number; readonly firstProblem?: string };
  readonly calendar?: readonly string[];
  readonly checks: readonly CheckResultInput[];
}

/** A request to stop a run, from the page or `cbbd runs cancel` in any process. */
export interface CancelRequest {
  readonly requestedAt: number;
  readonly requestedBy: string;
}

/** What a run does: build partitions, or check stored ones again. */
export type RunKind = 'materialize' | 'validate';

/** The run log as the materializer writes it. */
export interface RunRecorder {
  /**
   * Start a run holding a lease on each of its partitions; throws a RefusedError naming the holder of one. `kind`:
   * `materialize` (the default) builds partitions, `validate` checks stored ones again.
   */
  startRun(input: { selection: string; filter: unknown; partitions: readonly PartitionRef[]; kind?: RunKind }): string;
  finishRun(runId: string, status: 'succeeded' | 'failed' | 'cancelled', summary: unknown, error?: string): void;
  recordStarted(runId: string, asset: string, codeVersion: string, partitions: readonly string[], attempt: number): void;
  recordSucceeded(runId: string, asset: string, success: SuccessInput): void;
  /** A failed attempt; `final: false` when it will be retried (the partition's state is left as it was). */
  recordFailed(runId: string, asset: string, partitions: readonly string[], error: unknown, options?: { final: boolean; checks?: readonly CheckResultInput[] }): void;
  /** Partitions skipped because an upstream partition failed in this run. */
  recordSkipped(runId: string, asset: string, codeVersion: string, partitions: readonly string[], why: string): void;
  /** Check outcomes on a stored partition (a validation run). */
  recordCheckResults(runId: string, asset: string, partition: string, checks: readonly CheckResultInput[]): void;
  recordEvent(runId: string, type: string, payload?: Record<string, unknown>, level?: string): number;
  /** Remove events older than `retentionDays`; how many were removed. */
  pruneEvents(retentionDays: number): number;
  /** Call `onCancel` once when someone asks to stop `runId`; returns the function that stops watching. */
  watchCancel(runId: string, onCancel: (request: CancelRequest) => void): () => void;
}
