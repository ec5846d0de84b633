/**
 * The runs `cbbd serve` started from the page, so that stopping the server stops them as `cbbd materialize` stops:
 * no new step, the steps under way get a grace period, and a run still going after it is recorded as cancelled
 * (its unfinished partitions failed, stale) before the process exits. Never half-committed: a partition becomes
 * visible only by its atomic commit.
 */
import type { Logger } from '../core/logger.ts';
import type { RunLog } from '../store/run-log.ts';
import { interruptQueries } from '../lake/duckdb.ts';
import { STOP_GRACE_MS } from './stop-signals.ts';

export class ServerRuns {
  private readonly controller = new AbortController();
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly runLog: RunLog, private readonly log: Logger) {}

  /** Aborted once the server is asked to stop: what each run is given as its signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Remember a run until it ends. */
  track(runId: string, run: Promise<unknown>): void {
    const settled = run.catch(() => undefined).finally(() => this.running.delete(runId));
    this.running.set(runId, settled);
  }

  /** Stop every run: abort, wait up to `graceMs` for the steps under way, then record the rest as cancelled. */
  async stop(signal: NodeJS.Signals, graceMs = STOP_GRACE_MS): Promise<void> {
    this.controller.abort(new Error(`interrupted by ${signal}`));
    if (!this.running.size) return;
    this.log.warn(`${signal}: stopping ${this.running.size} run(s) started from the page; steps under way get ${Math.round(graceMs / 1000)} s to finish.`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.running.values()), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.abandon(signal);
  }

  /** Give up the runs still under way (a second signal, or the grace period over): record them as cancelled. */
  abandon(signal: NodeJS.Signals): void {
    // A long DuckDB query would otherwise hold the process until it ends.
    if (this.running.size) interruptQueries();
    for (const runId of this.running.keys()) {
      this.runLog.finishRun(runId, 'cancelled', { abandoned: true }, `cancelled by ${signal}: the server stopped; the steps still under way were abandoned`);
    }
    this.running.clear();
  }
}
