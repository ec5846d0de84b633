/**
 * Validation as a kind of run: every built partition of a selection gets its checks again over what is stored, the
 * outcomes recorded under a run of its own (so `cbbd status`, `cbbd runs` and the page show them), stopped by the
 * same signal as a materialization (no new partition once aborted; the run is recorded as cancelled). What reads the
 * stored files is injected (`StoredPartitionChecker`, src/authoring's StoredChecks): the kernel knows no storage.
 */
import type { AssetDefinition } from './asset.ts';
import type { AssetGraph } from './graph.ts';
import { seasonOfKey, type PartitionFilter, type SeasonWindow } from './partitions.ts';
import type { CheckResultInput, RunRecorder } from './run-recorder.ts';
import { LiveRunState } from './run-state.ts';
import { selectAssets } from './selection.ts';
import type { PlannerState } from './state.ts';

/** Runs an asset's checks again over one stored partition. */
export interface StoredPartitionChecker {
  check(asset: AssetDefinition, partition: string, inputs: (asset: AssetDefinition, dependency: string, partition: string) => readonly string[]): Promise<{ readonly results: readonly CheckResultInput[] }>;
}

export interface AssetValidation {
  readonly asset: string;
  /** Built partitions in scope (all checked, unless the run was stopped). */
  readonly partitions: number;
  readonly built: readonly string[];
  passed: number;
  failed: number;
  readonly failures: { partition: string; check: string; blocking: boolean; detail: string | null }[];
}

export interface ValidationResult {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly assets: readonly AssetValidation[];
  readonly counts: { readonly partitions: number; readonly passed: number; readonly failed: number };
}

export interface ValidationRequest {
  readonly selection: string;
  readonly filter: PartitionFilter;
  readonly signal?: AbortSignal;
  /** Told the run's id as soon as it is recorded (to record it as cancelled if the process must stop at once). */
  readonly onStart?: (runId: string) => void;
}

/** Check every built partition of the selection (in the filter's seasons) again, as a run of kind `validate`. */
export async function validateStored(
  graph: AssetGraph, window: SeasonWindow, state: PlannerState,
  recorder: RunRecorder, checker: StoredPartitionChecker, request: ValidationRequest,
): Promise<ValidationResult> {
  const { filter } = request;
  const inScope = (partition: string) => {
    if (filter.seasonFrom === undefined) return true;
    const season = seasonOfKey(partition);
    return season !== undefined && season >= filter.seasonFrom && season <= (filter.seasonTo ?? filter.seasonFrom);
  };
  const live = new LiveRunState(graph, state, window);
  // A selection that names nothing is refused before a run is recorded.
  const selected = selectAssets(graph, request.selection);
  const runId = recorder.startRun({ selection: `validate ${request.selection}`, filter, partitions: [], kind: 'validate' });
  request.onStart?.(runId);
  const assets: AssetValidation[] = [];
  let cancelled = false;
  try {
    for (const key of selected) {
      const asset = graph.get(key);
      const built = [...(state.records.get(key) ?? new Map())].filter(([p, r]) => r.status === 'succeeded' && inScope(p)).map(([p]) => p).sort();
      const entry: AssetValidation = { asset: key, partitions: built.length, built, passed: 0, failed: 0, failures: [] };
      assets.push(entry);
      for (const partition of built) {
        if (request.signal?.aborted) {
          cancelled = true;
          break;
        }
        const { results } = await checker.check(asset, partition, (a, dependency, p) => live.inputPartitions(a, dependency, [p]));
        recorder.recordCheckResults(runId, key, partition, results);
        for (const r of results) {
          if (r.passed) entry.passed++;
          else {
            entry.failed++;
            entry.failures.push({ partition, check: r.name, blocking: r.blocking, detail: r.detail ?? null });
          }
        }
      }
      if (cancelled) break;
    }
  } catch (error) {
    // A check cut short by the stop (its query interrupted) is a cancelled validation, not a failed one.
    if (request.signal?.aborted) recorder.finishRun(runId, 'cancelled', { validate: true }, `cancelled: ${(error as Error).message}`);
    else recorder.finishRun(runId, 'failed', { validate: true }, (error as Error).message);
    throw error;
  }
  const failed = assets.reduce((n, a) => n + a.failed, 0);
  const counts = { partitions: assets.reduce((n, a) => n + a.partitions, 0), passed: assets.reduce((n, a) => n + a.passed, 0), failed };
  const status = cancelled ? 'cancelled' : failed ? 'failed' : 'succeeded';
  recorder.finishRun(runId, status, { validate: counts }, cancelled ? `cancelled by ${String(request.signal?.reason instanceof Error ? request.signal.reason.message : 'a stop request')}` : undefined);
  return { runId, status, assets, counts };
}
