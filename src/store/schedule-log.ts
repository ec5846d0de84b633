/**
 * The schedules' part of the run log: which process runs the schedules (a one-row lease that beats and is taken over
 * from a dead holder), the last planned tick of each schedule (what missed ticks are counted from), and every tick
 * with its outcome. Its own connection to the run log's file, opened after `RunLog.open` migrated it, so the
 * scheduler and the server need not reach into the writer the materializer uses.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Selectable } from 'kysely';
import { ExecutionError } from '../core/errors.ts';
import { holderGone, stampText } from '../core/process-alive.ts';
import { redactSecrets } from '../core/redact.ts';
import { Statements } from './_statements.ts';
import type { RunLogDatabase, ScheduleTicksTable, SchedulerLeaseTable } from './schema.ts';

/** How often the scheduler beats, and after how long without a beat another host may take over. */
export const SCHEDULER_HEARTBEAT_MS = 10_000;
export const SCHEDULER_STALE_MS = 60_000;

export interface SchedulerHolder {
  readonly pid: number;
  readonly host: string;
  readonly label: string;
  readonly startedAt: number;
  readonly heartbeatAt: number;
}

/** Whether this process now runs the schedules, or who does. */
export type SchedulerClaim =
  | { readonly held: true; readonly tookOverFrom?: SchedulerHolder }
  | { readonly held: false; readonly holder: SchedulerHolder };

export type TickOutcome = ScheduleTicksTable['outcome'];

export interface TickView {
  readonly id: number;
  readonly schedule: string;
  readonly plannedAt: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly outcome: TickOutcome;
  readonly reason: string | null;
  /** This tick stood for the ticks missed while no scheduler ran. */
  readonly missed: boolean;
  readonly command: readonly string[];
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly runId: string | null;
}

/** A run still marked running: what a tick must not overlap. */
export interface LiveRun {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly selection: string;
  readonly startedAt: number;
}

export interface TickStart {
  readonly schedule: string;
  readonly plannedAt: number;
  readonly missed: boolean;
  readonly command: readonly string[];
}

export class ScheduleLog {
  private readonly sql: Statements;
  private readonly kysely: Kysely<RunLogDatabase>;
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  private constructor(private readonly db: Database.Database, private readonly clock: () => number) {
    this.sql = new Statements(db);
    this.kysely = new Kysely<RunLogDatabase>({ dialect: new SqliteDialect({ database: db }) });
  }

  /** Open the schedules' tables of a run log that `RunLog.open` has created and migrated. */
  static open(path: string, clock: () => number = Date.now): ScheduleLog {
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch (error) {
      throw new ExecutionError(`Cannot open the run log at ${path} for the schedules: ${(error as Error).message}. Check runLog.path in config.yaml.`, { cause: error });
    }
    db.pragma('busy_timeout = 5000');
    return new ScheduleLog(db, clock);
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }

  /**
   * Take the scheduler lease unless a live process holds it. A holder on this host whose pid is gone, or one that
   * stopped beating for `SCHEDULER_STALE_MS` (any host), is taken over. One IMMEDIATE transaction, so two schedulers
   * starting at once never both win.
   */
  claimScheduler(label: string): SchedulerClaim {
    return this.db.transaction((): SchedulerClaim => {
      const now = this.clock();
      const row = this.sql.get(this.kysely.selectFrom('scheduler_lease').selectAll().where('id', '=', 1));
      if (row && row.holder !== this.holder && !this.isStale(row, now)) return { held: false, holder: toHolder(row) };
      const values = { holder: this.holder, pid: process.pid, host: hostname(), process: stampText(), label, started_at: now, heartbeat_at: now };
      this.sql.run(this.kysely.insertInto('scheduler_lease').values({ id: 1, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values)));
      return row && row.holder !== this.holder ? { held: true, tookOverFrom: toHolder(row) } : { held: true };
    }).immediate();
  }

  /** Beat; false when the lease is no longer ours (we stalled and another scheduler took over). */
  heartbeat(): boolean {
    return this.sql.run(this.kysely.updateTable('scheduler_lease').set({ heartbeat_at: this.clock() }).where('id', '=', 1).where('holder', '=', this.holder)).changes === 1;
  }

  releaseScheduler(): void {
    this.sql.run(this.kysely.deleteFrom('scheduler_lease').where('id', '=', 1).where('holder', '=', this.holder));
  }

  /** The live holder of the scheduler lease, if any (a dead one's row does not count). */
  schedulerHolder(): SchedulerHolder | undefined {
    const row = this.sql.get(this.kysely.selectFrom('scheduler_lease').selectAll().where('id', '=', 1));
    return row && !this.isStale(row, this.clock()) ? toHolder(row) : undefined;
  }

  /** The planned time of a schedule's last tick, or when a scheduler first saw it; undefined for a new schedule. */
  lastPlanned(schedule: string): number | undefined {
    return this.sql.get(this.kysely.selectFrom('schedule_state').select('last_planned_at').where('schedule', '=', schedule))?.last_planned_at;
  }

  /** Remember a schedule's first sighting, so ticks before it are not counted as missed. */
  markSeen(schedule: string): void {
    const now = this.clock();
    this.sql.run(this.kysely.insertInto('schedule_state').orIgnore().values({ schedule, last_planned_at: now, updated_at: now }));
  }

  /** Ticks left running by a scheduler that died (call once the lease is ours): failed, with the reason. */
  failAbandonedTicks(): number {
    return this.sql.run(this.kysely.updateTable('schedule_ticks')
      .set({ outcome: 'failed', ended_at: this.clock(), reason: 'the scheduler stopped during this tick (crashed or killed); its command may not have finished' })
      .where('outcome', '=', 'running')).changes;
  }

  /** A tick that starts its command now; returns its id for `tickEnded`. */
  tickStarted(tick: TickStart, pid: number): number {
    return this.insertTick(tick, { outcome: 'running', pid });
  }

  /** A tick that did not run its command, with the reason (a run held the lakehouse, a tick was still running). */
  tickSkipped(tick: TickStart, reason: string): number {
    return this.insertTick(tick, { outcome: 'skipped', reason, ended_at: this.clock() });
  }

  tickEnded(id: number, end: { outcome: 'ran' | 'failed'; exitCode: number | null; reason?: string; runId?: string }): void {
    this.sql.run(this.kysely.updateTable('schedule_ticks').set({
      outcome: end.outcome, exit_code: end.exitCode, ended_at: this.clock(), run_id: end.runId ?? null,
      reason: end.reason === undefined ? null : redactSecrets(end.reason),
    }).where('id', '=', id));
  }

  /** The newest ticks of a schedule, newest first. */
  recentTicks(schedule: string, limit = 10): TickView[] {
    return this.sql.all(this.kysely.selectFrom('schedule_ticks').selectAll().where('schedule', '=', schedule).orderBy('id', 'desc').limit(limit)).map(toTick);
  }

  /** Runs marked running (call `RunLog.recoverOrphans` first, so a dead run does not count). */
  liveRuns(): LiveRun[] {
    return this.sql.all(this.kysely.selectFrom('runs').select(['id', 'pid', 'host', 'selection', 'started_at']).where('status', '=', 'running').orderBy('started_at'))
      .map((r) => ({ id: r.id, pid: r.pid, host: r.host, selection: r.selection, startedAt: r.started_at }));
  }

  /** The runs a tick's process created: its pid on this host, since the tick started. */
  runsStartedBy(pid: number, since: number): string[] {
    return this.sql.all(this.kysely.selectFrom('runs').select('id').where('pid', '=', pid).where('host', '=', hostname()).where('started_at', '>=', since).orderBy('started_at'))
      .map((r) => r.id);
  }

  private insertTick(tick: TickStart, extra: { outcome: TickOutcome; pid?: number; reason?: string; ended_at?: number }): number {
    const now = this.clock();
    return this.db.transaction(() => {
      const id = Number(this.sql.run(this.kysely.insertInto('schedule_ticks').values({
        schedule: tick.schedule, planned_at: tick.plannedAt, started_at: now, ended_at: extra.ended_at ?? null, outcome: extra.outcome,
        reason: extra.reason === undefined ? null : redactSecrets(extra.reason), missed: tick.missed ? 1 : 0,
        command: JSON.stringify(tick.command), pid: extra.pid ?? null, exit_code: null, run_id: null,
        scheduler_pid: process.pid, scheduler_host: hostname(),
      })).lastInsertRowid);
      // A skipped tick is a tick all the same: it is not "missed" at the next start.
      this.sql.run(this.kysely.insertInto('schedule_state').values({ schedule: tick.schedule, last_planned_at: tick.plannedAt, updated_at: now })
        .onConflict((oc) => oc.column('schedule').doUpdateSet((eb) => ({
          last_planned_at: eb.fn('max', [eb.ref('schedule_state.last_planned_at'), eb.val(tick.plannedAt)]), updated_at: now,
        }))));
      return id;
    }).immediate();
  }

  private isStale(row: Selectable<SchedulerLeaseTable>, now: number): boolean {
    return holderGone({ process: row.process, heartbeatAt: row.heartbeat_at }, now, SCHEDULER_STALE_MS);
  }
}

function toHolder(row: Selectable<SchedulerLeaseTable>): SchedulerHolder {
  return { pid: row.pid, host: row.host, label: row.label, startedAt: row.started_at, heartbeatAt: row.heartbeat_at };
}

function toTick(row: Selectable<ScheduleTicksTable>): TickView {
  return {
    id: row.id, schedule: row.schedule, plannedAt: row.planned_at, startedAt: row.started_at, endedAt: row.ended_at, outcome: row.outcome,
    reason: row.reason, missed: row.missed === 1, command: JSON.parse(row.command) as string[], pid: row.pid, exitCode: row.exit_code, runId: row.run_id,
  };
}
