/**
 * What other processes ask of a run or a schedule through the run log: cancel a run (the page, `cbbd runs cancel`),
 * and turn a schedule on or off (the page), persisted so every scheduler reading this run log agrees. Its own
 * connection to the run log's file, opened after `RunLog.open` migrated it (as `schedule-log.ts` does), so the
 * materializer's poll and the server need no access to the writer's internals. Raw SQL on two tiny tables.
 */
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { ExecutionError } from '../core/errors.ts';
import type { CancelRequest } from '../core/run-recorder.ts';

/** How often a running process looks for a cancel request: the page's "Cancel" takes effect within this. */
export const CANCEL_POLL_MS = 500;

export type { CancelRequest } from '../core/run-recorder.ts';

export class RunControls {
  private constructor(private readonly db: Database.Database, private readonly clock: () => number) {}

  /** Open the controls of a run log that `RunLog.open` created and migrated; undefined for an in-memory one. */
  static open(path: string, clock: () => number = Date.now): RunControls | undefined {
    if (path === ':memory:') return undefined;
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch (error) {
      throw new ExecutionError(`Cannot open the run log at ${path}: ${(error as Error).message}. Check runLog.path in config.yaml.`, { cause: error });
    }
    db.pragma('busy_timeout = 5000');
    return new RunControls(db, clock);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Ask a running run to stop. Answers what the run was: `requested` (it is running: it stops within about a
   * second, its steps under way get the grace period), or its status when it already ended, or `unknown`.
   */
  requestCancel(runId: string, by: string = `pid ${process.pid} on ${hostname()}`): { readonly outcome: 'requested' | 'unknown' | 'succeeded' | 'failed' | 'cancelled' } {
    return this.db.transaction(() => {
      const run = this.db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string } | undefined;
      if (!run) return { outcome: 'unknown' as const };
      if (run.status !== 'running') return { outcome: run.status as 'succeeded' | 'failed' | 'cancelled' };
      this.db.prepare('INSERT INTO run_cancel_requests (run_id, requested_at, requested_by) VALUES (?, ?, ?) ON CONFLICT(run_id) DO NOTHING').run(runId, this.clock(), by);
      return { outcome: 'requested' as const };
    }).immediate();
  }

  /** The cancel request of a run, if one was made. */
  cancelRequest(runId: string): CancelRequest | undefined {
    const row = this.db.prepare('SELECT requested_at, requested_by FROM run_cancel_requests WHERE run_id = ?').get(runId) as { requested_at: number; requested_by: string } | undefined;
    return row && { requestedAt: row.requested_at, requestedBy: row.requested_by };
  }

  /** Turn a schedule on or off for every scheduler of this run log (overrides config.yaml's `enabled`). */
  switchSchedule(schedule: string, enabled: boolean, by: string): void {
    this.db.prepare(`INSERT INTO schedule_switches (schedule, enabled, updated_at, updated_by) VALUES (?, ?, ?, ?)
      ON CONFLICT(schedule) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`)
      .run(schedule, enabled ? 1 : 0, this.clock(), by);
  }

  /** Every schedule turned on or off through the run log, by name. */
  scheduleSwitches(): Map<string, { readonly enabled: boolean; readonly at: number; readonly by: string }> {
    const rows = this.db.prepare('SELECT schedule, enabled, updated_at, updated_by FROM schedule_switches').all() as { schedule: string; enabled: number; updated_at: number; updated_by: string }[];
    return new Map(rows.map((r) => [r.schedule, { enabled: r.enabled === 1, at: r.updated_at, by: r.updated_by }]));
  }
}

/**
 * Poll for a cancel request of `runId` every CANCEL_POLL_MS; on one, call `onCancel` once (with who asked) and stop
 * polling. Returns the function that stops polling. A run log that cannot be read this time is tried again next time.
 */
export function watchCancelRequest(controls: RunControls, runId: string, onCancel: (request: CancelRequest) => void, everyMs = CANCEL_POLL_MS): () => void {
  const timer = setInterval(() => {
    let request: CancelRequest | undefined;
    try {
      request = controls.cancelRequest(runId);
    } catch {
      return;
    }
    if (!request) return;
    clearInterval(timer);
    onCancel(request);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
