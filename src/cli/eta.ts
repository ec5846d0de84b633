/**
 * The time a run has left, from the steps it finished: their time per partition, times the partitions left, divided
 * by how many steps ran side by side so far (their summed durations over the wall time). A count-over-time rate (what
 * a bar library extrapolates) is misled by a run's first minutes, spent on slow API steps of a few partitions each:
 * it said 42 minutes for a 36 s run.
 */

/** Undefined until there is something to go on: three finished steps and two seconds of run. */
export function etaOf(finished: readonly { partitions: number; durationMs: number }[], partitionsLeft: number, elapsedMs: number, runningNow: number): number | undefined {
  if (partitionsLeft <= 0) return 0;
  if (finished.length < 3 || elapsedMs < 2_000) return undefined;
  let partitions = 0;
  let workMs = 0;
  for (const step of finished) {
    partitions += step.partitions;
    workMs += step.durationMs;
  }
  if (!partitions) return undefined;
  // Side by side: what the run managed so far (at least one step at a time), never more than run at once now.
  const parallel = Math.max(1, Math.min(workMs / elapsedMs, Math.max(1, runningNow)));
  return (partitionsLeft * workMs) / partitions / parallel;
}
