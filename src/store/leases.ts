/**
 * Runs and their leases: a run holds a lease on every partition it plans, beats while it lives, and releases them
 * when it ends. A run whose process died is found (same host: its pid is gone; any host: it stopped beating) and
 * marked failed, so its partitions are stale and free again. Each change is one synchronous transaction (BEGIN
 * IMMEDIATE, so two processes never both take the same lease).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { RefusedError } from '../core/errors.ts';
import { holderGone, stampText } from '../core/process-alive.ts';
import { redactDeep, redactSecrets } from '../core/redact.ts';
import type { PartitionRef, RunKind } from '../core/run-recorder.ts';
import type { Statements } from './_statements.ts';
import type { RunLogDatabase, RunsTable } from './schema.ts';


/** A run is orphaned when its process is gone (same host) or it stopped beating for this long (any host). */
const HEARTBEAT_TIMEOUT_MS = 5 * 60_000;
const HEARTBEAT_EVERY_MS = 15_000;
const ORPHAN_MESSAGE = 'the run ended without finishing (the process crashed or was killed); the next run repairs it';

export class RunLeases {
  private readonly heartbeats = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly db: Database.Database,
    private readonly kysely: Kysely<RunLogDatabase>,
    private readonly sql: Statements,
    private readonly clock: () => number,
  ) {}

  /** Mark runs whose process died as failed, fail their unfinished partitions, free their leases. Returns their ids. */
  recoverOrphans(): string[] {
    const now = this.clock();
    const running = this.sql.all(this.kysely.selectFrom('runs').select(['id', 'process', 'heartbeat_at']).where('status', '=', 'running'));
    const ids = running.filter((r) => holderGone({ process: r.process, heartbeatAt: r.heartbeat_at }, now, HEARTBEAT_TIMEOUT_MS)).map((r) => r.id);
    if (!ids.length) return ids;
    this.db.transaction(() => {
      const k = this.kysely;
      this.sql.run(k.updateTable('runs').set({ status: 'failed', ended_at: now, error: ORPHAN_MESSAGE }).where('id', 'in', ids));
      this.sql.run(k.updateTable('materializations').set({ status: 'failed', ended_at: now, error: ORPHAN_MESSAGE }).where('run_id', 'in', ids).where('status', '=', 'running'));
      this.sql.run(k.updateTable('partition_state').set({ status: 'failed', error: ORPHAN_MESSAGE }).where('last_run_id', 'in', ids).where('status', '=', 'running'));
      this.sql.run(k.deleteFrom('leases').where('run_id', 'in', ids));
    }).immediate();
    return ids;
  }

  /** Start a run holding a lease on each of its partitions; refused, naming the holder, when a live run has one. */
  startRun(input: { selection: string; filter: unknown; partitions: readonly PartitionRef[]; kind?: RunKind }): string {
    this.recoverOrphans();
    const now = this.clock();
    const id = newRunId(now);
    const k = this.kysely;
    this.db.transaction(() => {
      this.sql.run(k.insertInto('runs').values({
        id, selection: input.selection, filter: JSON.stringify(input.filter), status: 'running', started_at: now, heartbeat_at: now,
        pid: process.pid, host: hostname(), process: stampText(), kind: input.kind ?? 'materialize', partitions_total: input.partitions.length,
      }));
      for (const p of input.partitions) {
        if (this.sql.run(k.insertInto('leases').orIgnore().values({ asset_key: p.asset, partition: p.partition, run_id: id, acquired_at: now })).changes === 1) continue;
        const [h] = this.sql.all(k.selectFrom('leases as l').innerJoin('runs as r', 'r.id', 'l.run_id')
          .select(['r.id', 'r.pid', 'r.host', 'r.started_at', 'r.selection']).where('l.asset_key', '=', p.asset).where('l.partition', '=', p.partition));
        throw new RefusedError(
          `Refused: ${p.asset} ${p.partition} is being materialized by run ${h!.id} (pid ${h!.pid} on ${h!.host}, ` +
            `selection "${h!.selection}", since ${new Date(h!.started_at).toISOString()}). Wait for it to finish, ` +
            `or narrow this selection so they do not overlap.`,
        );
      }
    }).immediate();
    const timer = setInterval(() => this.sql.run(k.updateTable('runs').set({ heartbeat_at: this.clock() }).where('id', '=', id)), HEARTBEAT_EVERY_MS);
    timer.unref();
    this.heartbeats.set(id, timer);
    return id;
  }

  /**
   * End a run: record its outcome and release its leases. A cancelled run may end with steps still under way (the
   * process is about to exit): their partitions are failed with `error`, so they are stale, never left "running".
   */
  finishRun(runId: string, status: Exclude<RunsTable['status'], 'running'>, summary: unknown, error?: string): void {
    clearInterval(this.heartbeats.get(runId));
    this.heartbeats.delete(runId);
    const now = this.clock();
    const message = error === undefined ? null : redactSecrets(error);
    const k = this.kysely;
    this.db.transaction(() => {
      this.sql.run(k.updateTable('runs').set({ status, ended_at: now, summary: JSON.stringify(redactDeep(summary)), error: message }).where('id', '=', runId));
      if (status === 'cancelled') {
        const why = message ?? 'the run was cancelled while this partition was being computed';
        this.sql.run(k.updateTable('materializations').set({ status: 'failed', ended_at: now, error: why }).where('run_id', '=', runId).where('status', '=', 'running'));
        this.sql.run(k.updateTable('partition_state').set({ status: 'failed', error: why }).where('last_run_id', '=', runId).where('status', '=', 'running'));
      }
      this.sql.run(k.deleteFrom('leases').where('run_id', '=', runId));
    })();
  }

  /** Stop beating (the run log is closing). */
  stop(): void {
    for (const timer of this.heartbeats.values()) clearInterval(timer);
    this.heartbeats.clear();
  }
}

/** Sortable and unique: `r20261126-150000-1a2b3c`. */
function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}
