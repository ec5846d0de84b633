/**
 * The run log: a SQLite file (WAL, one writer) holding runs, per-partition materializations, check results, events,
 * partition leases and season calendars. Writes are small synchronous transactions, so a crash between two of them
 * leaves a consistent file: a partition counts as built only once its success row is committed.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { ExecutionError, serializeError } from '../errors.ts';
import { redactDeep, redactSecrets } from '../redact.ts';
import type { PartitionRecord, PartitionRecords } from '../state.ts';
import { migrations } from './migrations.ts';
import type { RunLogDatabase, RunsTable } from './schema.ts';

export interface RunLogOptions {
  /** Open without migrating or writing (the web server's view). */
  readonly readonly?: boolean;
  readonly clock?: () => number;
}

export interface PartitionRef {
  readonly asset: string;
  readonly partition: string;
}

export interface RunSummaryRow {
  readonly id: string;
  readonly selection: string;
  readonly filter: string;
  readonly status: RunsTable['status'];
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly pid: number;
  readonly host: string;
  readonly partitionsTotal: number;
  readonly summary: unknown;
  readonly error: string | null;
}

export interface CheckResultInput {
  readonly name: string;
  readonly passed: boolean;
  readonly blocking: boolean;
  readonly detail?: string;
}

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
  readonly calendar?: readonly string[];
  readonly checks: readonly CheckResultInput[];
}

const STATUSES: readonly PartitionRecord['status'][] = ['succeeded', 'failed', 'running'];

/** A run is orphaned when its process is gone (same host) or it stopped beating for this long (any host). */
const HEARTBEAT_TIMEOUT_MS = 5 * 60_000;
const HEARTBEAT_EVERY_MS = 15_000;

class SqliteMigrations implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/** What the web server may do with the run log: read, never write. */
export type RunLogReader = Pick<
  RunLog,
  | 'loadPartitionRecords' | 'loadCalendars' | 'builtInputs' | 'listRuns' | 'getRun' | 'lastActivityByAsset'
  | 'materializationsOf' | 'eventsOf' | 'eventsAfter' | 'checkResultsOf' | 'recentMaterializationsOf' | 'runningPartitions' | 'changeToken'
>;

export class RunLog {
  readonly path: string;
  readonly db: Database.Database;
  readonly kysely: Kysely<RunLogDatabase>;
  private readonly clock: () => number;
  private readonly heartbeats = new Map<string, NodeJS.Timeout>();

  private constructor(path: string, db: Database.Database, clock: () => number) {
    this.path = path;
    this.db = db;
    this.clock = clock;
    this.kysely = new Kysely<RunLogDatabase>({ dialect: new SqliteDialect({ database: db }) });
  }

  /** Open (and create and migrate) the run log at `path`. */
  static async open(path: string, options: RunLogOptions = {}): Promise<RunLog> {
    if (!options.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (error) {
      throw new ExecutionError(`Cannot open the run log at ${path}: ${(error as Error).message}. Check runLog.path in config.yaml.`, { cause: error });
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('busy_timeout = 5000');
    const log = new RunLog(path, db, options.clock ?? Date.now);
    if (!options.readonly) {
      const { error } = await new Migrator({ db: log.kysely, provider: new SqliteMigrations() }).migrateToLatest();
      if (error) throw new ExecutionError(`Cannot migrate the run log at ${path}: ${(error as Error).message}`, { cause: error });
    }
    return log;
  }

  async close(): Promise<void> {
    for (const timer of this.heartbeats.values()) clearInterval(timer);
    this.heartbeats.clear();
    await this.kysely.destroy();
  }

  /**
   * Mark runs whose process died (kill -9, a crash, a lost container) as failed, fail their unfinished
   * partitions and release their leases. Returns the ids of the runs recovered.
   */
  recoverOrphans(): string[] {
    const now = this.clock();
    const here = hostname();
    const running = this.db.prepare(`SELECT id, pid, host, heartbeat_at FROM runs WHERE status = 'running'`).all() as {
      id: string; pid: number; host: string; heartbeat_at: number;
    }[];
    const orphans = running.filter((r) =>
      (r.host === here && !processAlive(r.pid)) || now - r.heartbeat_at > HEARTBEAT_TIMEOUT_MS);
    const message = 'the run ended without finishing (the process crashed or was killed); the next run repairs it';
    const recover = this.db.transaction((ids: string[]) => {
      for (const id of ids) {
        this.db.prepare(`UPDATE runs SET status = 'failed', ended_at = ?, error = ? WHERE id = ?`).run(now, message, id);
        this.db.prepare(`UPDATE materializations SET status = 'failed', ended_at = ?, error = ? WHERE run_id = ? AND status = 'running'`)
          .run(now, message, id);
        this.db.prepare(`UPDATE partition_state SET status = 'failed', error = ? WHERE last_run_id = ? AND status = 'running'`).run(message, id);
        this.db.prepare(`DELETE FROM leases WHERE run_id = ?`).run(id);
      }
    });
    const ids = orphans.map((o) => o.id);
    if (ids.length) recover.immediate(ids);
    return ids;
  }

  /**
   * Start a run holding a lease on every partition it plans. Refused, with who holds them and since when, when a
   * live run already holds any of them.
   */
  startRun(input: { selection: string; filter: unknown; partitions: readonly PartitionRef[] }): string {
    this.recoverOrphans();
    const now = this.clock();
    const id = newRunId(now);
    const insertLease = this.db.prepare(`INSERT OR IGNORE INTO leases (asset_key, partition, run_id, acquired_at) VALUES (?, ?, ?, ?)`);
    const holder = this.db.prepare(
      `SELECT l.asset_key, l.partition, r.id, r.pid, r.host, r.started_at, r.selection FROM leases l JOIN runs r ON r.id = l.run_id
       WHERE l.asset_key = ? AND l.partition = ?`);
    const start = this.db.transaction(() => {
      this.db.prepare(
        `INSERT INTO runs (id, selection, filter, status, started_at, heartbeat_at, pid, host, partitions_total)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      ).run(id, input.selection, JSON.stringify(input.filter), now, now, process.pid, hostname(), input.partitions.length);
      for (const p of input.partitions) {
        if (insertLease.run(p.asset, p.partition, id, now).changes === 1) continue;
        const h = holder.get(p.asset, p.partition) as { id: string; pid: number; host: string; started_at: number; selection: string };
        throw new ExecutionError(
          `Refused: ${p.asset} ${p.partition} is being materialized by run ${h.id} (pid ${h.pid} on ${h.host}, ` +
            `selection "${h.selection}", since ${new Date(h.started_at).toISOString()}). Wait for it to finish, ` +
            `or narrow this selection so they do not overlap.`,
        );
      }
    });
    start.immediate();
    const timer = setInterval(() => this.db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ?`).run(this.clock(), id), HEARTBEAT_EVERY_MS);
    timer.unref();
    this.heartbeats.set(id, timer);
    return id;
  }

  /** End a run: record its outcome and release its leases. */
  finishRun(runId: string, status: 'succeeded' | 'failed', summary: unknown, error?: string): void {
    clearInterval(this.heartbeats.get(runId));
    this.heartbeats.delete(runId);
    this.db.transaction(() => {
      this.db.prepare(`UPDATE runs SET status = ?, ended_at = ?, summary = ?, error = ? WHERE id = ?`)
        .run(status, this.clock(), JSON.stringify(redactDeep(summary)), error === undefined ? null : redactSecrets(error), runId);
      this.db.prepare(`DELETE FROM leases WHERE run_id = ?`).run(runId);
    })();
  }

  /** Partitions about to be computed: rows in `running` state, shown as running until they end. */
  recordStarted(runId: string, asset: string, codeVersion: string, partitions: readonly string[], attempt: number): void {
    const now = this.clock();
    const insert = this.db.prepare(
      `INSERT INTO materializations (run_id, asset_key, partition, status, attempt, code_version, started_at) VALUES (?, ?, ?, 'running', ?, ?, ?)`);
    const state = this.db.prepare(
      `INSERT INTO partition_state (asset_key, partition, status, last_attempt_at, last_run_id) VALUES (?, ?, 'running', ?, ?)
       ON CONFLICT (asset_key, partition) DO UPDATE SET status = 'running', last_attempt_at = excluded.last_attempt_at, last_run_id = excluded.last_run_id`);
    this.db.transaction(() => {
      for (const p of partitions) {
        insert.run(runId, asset, p, attempt, codeVersion, now);
        state.run(asset, p, now, runId);
      }
    })();
  }

  /** A partition built and committed, with its check results, in one transaction. */
  recordSucceeded(runId: string, asset: string, success: SuccessInput): void {
    const now = this.clock();
    const inputs = success.inputs;
    this.db.transaction(() => {
      this.db.prepare(
        `UPDATE materializations SET status = 'succeeded', data_version = ?, inputs = ?, row_count = ?, bytes = ?, ended_at = ?, metadata = ?
         WHERE run_id = ? AND asset_key = ? AND partition = ? AND status = 'running'`,
      ).run(success.dataVersion, inputs, success.rowCount ?? null, success.bytes ?? null, now,
        success.metadata ? JSON.stringify(redactDeep(success.metadata)) : null, runId, asset, success.partition);
      this.db.prepare(
        `INSERT INTO partition_state (asset_key, partition, status, data_version, code_version, inputs, inputs_hash, row_count, last_success_at, last_attempt_at, last_run_id)
         VALUES (?, ?, 'succeeded', ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (asset_key, partition) DO UPDATE SET status = 'succeeded', data_version = excluded.data_version,
           code_version = excluded.code_version, inputs = excluded.inputs, inputs_hash = excluded.inputs_hash, row_count = excluded.row_count,
           last_success_at = excluded.last_success_at, last_attempt_at = excluded.last_attempt_at,
           last_run_id = excluded.last_run_id, error = NULL`,
      ).run(asset, success.partition, success.dataVersion, success.codeVersion, inputs, success.inputsHash, success.rowCount ?? null, now, now, runId);
      this.insertChecks(runId, asset, success.partition, success.checks, now);
      if (success.calendar) {
        this.db.prepare(`INSERT OR REPLACE INTO calendars (asset_key, season, dates) VALUES (?, ?, ?)`)
          .run(asset, Number(success.partition), JSON.stringify([...success.calendar].sort()));
      }
    })();
  }

  /**
   * Partitions whose attempt failed. With `final` (no retry left) the partition's state becomes failed; the data
   * it had before, if any, stays as it was.
   */
  recordFailed(
    runId: string, asset: string, partitions: readonly string[], error: unknown,
    options: { final: boolean; checks?: readonly CheckResultInput[] } = { final: true },
  ): void {
    const now = this.clock();
    const serialized = serializeError(error);
    const message = redactSecrets(serialized.message);
    const detail = JSON.stringify(redactDeep(serialized));
    this.db.transaction(() => {
      for (const p of partitions) {
        this.db.prepare(`UPDATE materializations SET status = 'failed', ended_at = ?, error = ? WHERE run_id = ? AND asset_key = ? AND partition = ? AND status = 'running'`)
          .run(now, detail, runId, asset, p);
        if (!options.final) continue;
        this.db.prepare(`UPDATE partition_state SET status = 'failed', error = ?, last_attempt_at = ? WHERE asset_key = ? AND partition = ?`)
          .run(message, now, asset, p);
        this.insertChecks(runId, asset, p, options.checks ?? [], now);
      }
    })();
  }

  /** Partitions skipped because an upstream partition failed in this run. */
  recordSkipped(runId: string, asset: string, codeVersion: string, partitions: readonly string[], why: string): void {
    const now = this.clock();
    const insert = this.db.prepare(
      `INSERT INTO materializations (run_id, asset_key, partition, status, attempt, code_version, started_at, ended_at, error) VALUES (?, ?, ?, 'skipped', 0, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const p of partitions) insert.run(runId, asset, p, codeVersion, now, now, why);
    })();
  }

  recordEvent(runId: string, type: string, payload: Record<string, unknown> = {}, level = 'info'): number {
    const asset = typeof payload.asset === 'string' ? payload.asset : null;
    const partition = typeof payload.partition === 'string' ? payload.partition : null;
    return Number(
      this.db.prepare(`INSERT INTO events (run_id, at, level, type, asset_key, partition, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(runId, this.clock(), level, type, asset, partition, JSON.stringify(redactDeep(payload))).lastInsertRowid,
    );
  }

  /** Delete events older than the retention; runs and materializations are kept. Returns how many were deleted. */
  pruneEvents(retentionDays: number): number {
    return this.db.prepare(`DELETE FROM events WHERE at < ?`).run(this.clock() - retentionDays * 86_400_000).changes;
  }

  private insertChecks(runId: string, asset: string, partition: string, checks: readonly CheckResultInput[], at: number): void {
    const insert = this.db.prepare(
      `INSERT INTO check_results (run_id, asset_key, partition, check_name, passed, blocking, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const c of checks) insert.run(runId, asset, partition, c.name, c.passed ? 1 : 0, c.blocking ? 1 : 0, c.detail ? redactSecrets(c.detail) : null, at);
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  /**
   * The latest state of every partition of the given assets (all assets when omitted). One query per asset, rows
   * as arrays, no JSON and no repeated asset key: at a hundred thousand partitions, creating JS values is the cost.
   */
  loadPartitionRecords(assetKeys?: readonly string[]): Map<string, PartitionRecords> {
    const keys = assetKeys ?? (this.db.prepare(`SELECT DISTINCT asset_key FROM partition_state`).pluck().all() as string[]);
    // Status comes back as a number and maps to shared constant strings: one string fewer to create per row.
    const select = this.db.prepare(
      `SELECT partition, CASE status WHEN 'succeeded' THEN 0 WHEN 'failed' THEN 1 ELSE 2 END, data_version, code_version,
         inputs_hash, last_success_at, last_attempt_at, CASE WHEN status = 'failed' THEN error END
       FROM partition_state WHERE asset_key = ?`).raw();
    const out = new Map<string, PartitionRecords>();
    for (const asset of keys) {
      const map = new Map<string, PartitionRecord>();
      for (const row of select.all(asset) as unknown[][]) {
        const [partition, status, dataVersion, codeVersion, inputsHash, lastSuccessAt, lastAttemptAt, error] = row as [
          string, number, string | null, string | null, number | null, number | null, number, string | null];
        map.set(partition, { status: STATUSES[status]!, dataVersion, codeVersion, inputsHash, lastSuccessAt, lastAttemptAt, error });
      }
      if (map.size) out.set(asset, map);
    }
    return out;
  }

  /** The encoded inputs a partition was last built from (to explain which upstream changed). */
  builtInputs(asset: string, partition: string): string | null {
    const row = this.db.prepare(`SELECT inputs FROM partition_state WHERE asset_key = ? AND partition = ?`).pluck().get(asset, partition);
    return (row as string | null | undefined) ?? null;
  }

  /** Game days per season, by calendar asset. */
  loadCalendars(): Map<string, Map<number, readonly string[]>> {
    const out = new Map<string, Map<number, readonly string[]>>();
    for (const row of this.db.prepare(`SELECT asset_key, season, dates FROM calendars`).all() as { asset_key: string; season: number; dates: string }[]) {
      let bySeason = out.get(row.asset_key);
      if (!bySeason) out.set(row.asset_key, (bySeason = new Map()));
      bySeason.set(row.season, JSON.parse(row.dates) as string[]);
    }
    return out;
  }

  async listRuns(limit = 50): Promise<RunSummaryRow[]> {
    const rows = await this.kysely.selectFrom('runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
    return rows.map(toRunSummary);
  }

  async getRun(id: string): Promise<RunSummaryRow | undefined> {
    const row = await this.kysely.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRunSummary(row);
  }

  /** The most recent attempt time and run of each asset. */
  async lastActivityByAsset(): Promise<Map<string, { at: number; runId: string }>> {
    const rows = await this.kysely
      .selectFrom('partition_state')
      .select(['asset_key', 'last_run_id', (eb) => eb.fn.max('last_attempt_at').as('at')])
      .groupBy('asset_key')
      .execute();
    return new Map(rows.map((r) => [r.asset_key, { at: Number(r.at), runId: r.last_run_id }]));
  }

  async materializationsOf(runId: string) {
    return this.kysely.selectFrom('materializations').selectAll().where('run_id', '=', runId).orderBy('id').execute();
  }

  async eventsOf(runId: string, afterId = 0) {
    return this.kysely.selectFrom('events').selectAll().where('run_id', '=', runId).where('id', '>', afterId).orderBy('id').execute();
  }

  /** Events of every run after an id (for the live stream of the page). */
  async eventsAfter(afterId: number, limit = 500) {
    return this.kysely.selectFrom('events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }

  /** The last materializations of an asset, newest first. */
  async recentMaterializationsOf(asset: string, limit = 20) {
    return this.kysely.selectFrom('materializations')
      .select(['id', 'run_id', 'partition', 'status', 'attempt', 'row_count', 'bytes', 'started_at', 'ended_at', 'error', 'metadata'])
      .where('asset_key', '=', asset).orderBy('id', 'desc').limit(limit).execute();
  }

  /** Partitions held by runs still running, by asset. */
  runningPartitions(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const rows = this.db.prepare(`SELECT l.asset_key, l.partition FROM leases l JOIN runs r ON r.id = l.run_id WHERE r.status = 'running'`).raw().all() as [string, string][];
    for (const [asset, partition] of rows) {
      let set = out.get(asset);
      if (!set) out.set(asset, (set = new Set()));
      set.add(partition);
    }
    return out;
  }

  /** Changes whenever anything is recorded: cheap enough to ask on every request, to know when a cache is stale. */
  changeToken(): string {
    const row = this.db.prepare(`SELECT (SELECT max(id) FROM events), (SELECT max(id) FROM materializations), (SELECT count(*) FROM runs)`).raw().get() as unknown[];
    return row.join(':');
  }

  async checkResultsOf(asset: string, limit = 100) {
    return this.kysely.selectFrom('check_results').selectAll().where('asset_key', '=', asset).orderBy('id', 'desc').limit(limit).execute();
  }
}

function toRunSummary(row: RunsTable): RunSummaryRow {
  return {
    id: row.id, selection: row.selection, filter: row.filter, status: row.status, startedAt: row.started_at,
    endedAt: row.ended_at, pid: row.pid, host: row.host, partitionsTotal: row.partitions_total,
    summary: row.summary === null ? null : JSON.parse(row.summary), error: row.error,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sortable and unique: `r20261126-150000-1a2b3c`. */
function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}
