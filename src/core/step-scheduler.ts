/**
 * What may run now: a step starts once every step it depends on (within the batch) has finished, at most
 * `concurrency` at a time. Knows nothing of what a step does; `run` does it and `finished` hears of it.
 */
import pLimit from 'p-limit';
import type { MaterializeStep } from './plan.ts';

export function runInDependencyOrder<R>(
  steps: readonly MaterializeStep[],
  concurrency: number,
  run: (step: MaterializeStep) => Promise<R>,
  finished: (step: MaterializeStep, result: R) => void,
): Promise<void> {
  const limit = pLimit(Math.max(1, concurrency));
  const dependents = new Map<string, MaterializeStep[]>();
  const waiting = new Map<string, number>();
  const ids = new Set(steps.map((s) => s.id));
  for (const step of steps) {
    // Dependencies outside this batch have already finished (an earlier phase of the run).
    const inBatch = step.dependsOn.filter((d) => ids.has(d));
    waiting.set(step.id, inBatch.length);
    for (const dep of inBatch) {
      let list = dependents.get(dep);
      if (!list) dependents.set(dep, (list = []));
      list.push(step);
    }
  }
  return new Promise<void>((resolve, reject) => {
    let remaining = steps.length;
    if (remaining === 0) return resolve();
    const launch = (step: MaterializeStep) => {
      limit(() => run(step)).then((result) => {
        finished(step, result);
        for (const next of dependents.get(step.id) ?? []) {
          const left = waiting.get(next.id)! - 1;
          waiting.set(next.id, left);
          if (left === 0) launch(next);
        }
        if (--remaining === 0) resolve();
      }).catch(reject); // `finished` throwing (the run log unwritable) ends the run as a failure, never unhandled
    };
    for (const step of steps) if (waiting.get(step.id) === 0) launch(step);
  });
}
