/**
 * The time a run has left, from the steps it finished: each layer's time per partition (raw steps wait on the API,
 * bronze and silver ones are quick, gold ones compute) times that layer's partitions left, over how many steps ran
 * side by side so far (their summed durations over the wall time). A layer with no finished step yet is priced at the
 * run's mean. A count-over-time rate (what a bar library extrapolates) is misled by a run's first minutes, spent on
 * slow API steps of a few partitions each: it said 42 minutes for a 36 s run.
 */

export interface FinishedStep {
  readonly layer: string;
  readonly partitions: number;
  readonly durationMs: number;
}

/** Undefined until there is something to go on: three finished steps and two seconds of run. */
export function etaOf(finished: readonly FinishedStep[], leftByLayer: ReadonlyMap<string, number>, elapsedMs: number, runningNow: number): number | undefined {
  const left = [...leftByLayer.values()].reduce((n, v) => n + Math.max(0, v), 0);
  if (left <= 0) return 0;
  if (finished.length < 3 || elapsedMs < 2_000) return undefined;
  const byLayer = new Map<string, { partitions: number; workMs: number }>();
  let partitions = 0;
  let workMs = 0;
  for (const step of finished) {
    partitions += step.partitions;
    workMs += step.durationMs;
    const l = byLayer.get(step.layer) ?? { partitions: 0, workMs: 0 };
    l.partitions += step.partitions;
    l.workMs += step.durationMs;
    byLayer.set(step.layer, l);
  }
  if (!partitions) return undefined;
  let remainingWork = 0;
  for (const [layer, n] of leftByLayer) {
    const seen = byLayer.get(layer);
    remainingWork += Math.max(0, n) * (seen?.partitions ? seen.workMs / seen.partitions : workMs / partitions);
  }
  // Side by side: what the run managed so far (at least one step at a time), never more than run at once now.
  const parallel = Math.max(1, Math.min(workMs / elapsedMs, Math.max(1, runningNow)));
  return remainingWork / parallel;
}
