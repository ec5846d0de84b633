/**
 * The run log: a SQLite file (WAL, one writer) holding runs, per-partition materializations, check results, events,
 * partition leases and season calendars. `RunLog` is the writer the materializer uses (it reads too, as
 * `RunLogReader`, the interface the server and the CLI get); runs and leases live in `leases.ts`. Writes are small
 * synchronous transactions, so a crash between two of them leaves a consistent file: a partition counts as built
 * only once its success row is committed. Queries are built with Kysely and run synchronously on better-sqlite3 (an
 * await inside a transaction would let another step's writes interleave).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { ExecutionError, serializeError } from '../core/errors.ts';
import { redactDeep, redactSecrets } from '../core/redact.ts';
import { insertApiCall, type ApiCallInput } from './api-calls.ts';
import { RunLeases } from './leases.ts';
import { RunControls, watchCancelRequest } from './run-controls.ts';
import type { CancelRequest, CheckResultInput, PartitionRef, RunKind, RunRecorder, SuccessInput } from '../core/run-recorder.ts';
import { migrations } from './migrations.ts';
import { useWriteAheadLog } from '../core/sqlite-wal.ts';
import { RunLogReader } from './reader.ts';
import type { RunLogDatabase } from './schema.ts';

export type { CheckResultInput, PartitionRef, SuccessInput } from '../core/run-recorder.ts';
export type { ApiCallInput, ApiCallsInSpan, ApiCallUsage } from './api-calls.ts';
export type { CheckResultView, MaterializationView, RunEventView, RunSummary } from './reader.ts';
export { RunLogReader } from './reader.ts';

export interface RunLogOptions {
  /** Open without migrating or writing (the web server's view). */
  readonly readonly?: boolean;
  readonly clock?: () => number;
}

/** The metadata column: the output's free-form metadata with its typed facts under their own names (see reader.ts). */
function storedMetadata(success: SuccessInput): string | null {
  const typed = { ...(success.apiCalls !== undefined && { apiCalls: success.apiCalls }), ...(success.quarantine && { quarantine: success.quarantine }) };
  const all = { ...success.metadata, ...typed };
  return Object.keys(all).length ? JSON.stringify(redactDeep(all)) : null;
}

class SqliteMigrations implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/**
 * Whether every migration is recorded: then opening takes no write lock (a run may be writing) and runs no Migrator.
 * A migration this version does not know means a newer cbbd wrote the file: refused, as Kysely's Migrator would.
 */
function migrated(db: Database.Database, path: string): boolean {
  let names: Set<string>;
  try {
    names = new Set(db.prepare('SELECT name FROM kysely_migration').pluck().all() as string[]);
  } catch {
    return false; // no kysely_migration table yet
  }
  const unknown = [...names].find((name) => !(name in migrations));
  if (unknown) throw new ExecutionError(`The run log at ${path} was written by a newer cbbd (its migration ${unknown} is not one this version knows): run that version, or point runLog.path at another file.`);
  return Object.keys(migrations).every((name) => names.has(name));
}

/**
 * Two commands started at once on a fresh install both migrate, and Kysely's SQLite migration lock is not held across
 * processes (nor is its DDL in a transaction). One write transaction around the whole migration is both: the second
 * process waits for it (busy_timeout) and then finds every migration recorded, and a process killed half-way leaves
 * nothing half-made.
 */
async function migrate(db: Database.Database, kysely: Kysely<RunLogDatabase>, path: string): Promise<void> {
  if (migrated(db, path)) return;
  let error: unknown;
  try {
    db.exec('BEGIN IMMEDIATE');
    ({ error } = await new Migrator({ db: kysely, provider: new SqliteMigrations() }).migrateToLatest());
  } catch (cause) {
    error = cause;
  }
  // SQLite rolls back by itself on some errors (a full disk): the error the user sees is the migration's, not ROLLBACK's.
  if (db.inTransaction) db.exec(error ? 'ROLLBACK' : 'COMMIT');
  if (error) throw new ExecutionError(`Cannot migrate the run log at ${path}: ${(error as Error).message}`, { cause: error });
}

export class RunLog extends RunLogReader implements RunRecorder {
  readonly path: string;
  private readonly clock: () => number;
  private readonly leases: RunLeases;

  private readonly file: Database.Database;

  private constructor(path: string, db: Database.Database, clock: () => number) {
    super(db, new Kysely<RunLogDatabase>({ dialect: new SqliteDialect({ database: db }) }));
    this.file = db;
    this.path = path;
    this.clock = clock;
    this.leases = new RunLeases(db, this.kysely, this.sql, clock);
  }

  /** Open (and create and migrate) the run log at `path`. */
  static async open(path: string, options: RunLogOptions = {}): Promise<RunLog> {
    if (!options.readonly && path !== ':memory:') {
      // Runs, their errors and the API calls are this user's business: a new run log (and a new folder for it) is
      // made readable by this user only; SQLite gives its -wal and -shm files the database file's mode.
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (error) {
      throw new ExecutionError(`Cannot open the run log at ${path}: ${(error as Error).message}. Check runLog.path in config.yaml.`, { cause: error });
    }
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      useWriteAheadLog(db);
      db.pragma('synchronous = NORMAL');
    }
    const log = new RunLog(path, db, options.clock ?? Date.now);
    if (!options.readonly) {
      try {
        await migrate(db, log.kysely, path);
      } catch (error) {
        db.close();
        throw error;
      }
    }
    return log;
  }

  async close(): Promise<void> {
    this.leases.stop();
    // Everything written goes into the database file itself before it closes: the cloud run log uploads that file
    // alone, and SQLite folds the WAL in on close only when no other connection (a cancel poll, the schedules') is open.
    if (!this.file.readonly && this.file.open && this.path !== ':memory:') {
      // Busy while another connection reads (the page, a cancel poll): try again a few times before closing anyway.
      for (let attempt = 0; attempt < 5; attempt++) {
        const [result] = this.file.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
        if (!result?.busy) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await this.kysely.destroy();
  }

  /** Mark runs whose process died (kill -9, a crash, a lost container) as failed; returns their ids. */
  recoverOrphans(): string[] {
    return this.leases.recoverOrphans();
  }

  /** Start a run holding a lease on every partition it plans (refused, naming the holder, on an overlap). */
  startRun(input: { selection: string; filter: unknown; partitions: readonly PartitionRef[]; kind?: RunKind }): string {
    return this.leases.startRun(input);
  }

  /** End a run: record its outcome and release its leases. */
  finishRun(runId: string, status: 'succeeded' | 'failed' | 'cancelled', summary: unknown, error?: string): void {
    this.leases.finishRun(runId, status, summary, error);
  }

  /** Partitions about to be computed: rows in `running` state, shown as running until they end. */
  recordStarted(runId: string, asset: string, codeVersion: string, partitions: readonly string[], attempt: number): void {
    const now = this.clock();
    this.db.transaction(() => {
      for (const p of partitions) {
        this.sql.run(this.kysely.insertInto('materializations').values({
          run_id: runId, asset_key: asset, partition: p, status: 'running', attempt, code_version: codeVersion, started_at: now,
        }));
        this.sql.run(this.kysely.insertInto('partition_state')
          .values({ asset_key: asset, partition: p, status: 'running', last_attempt_at: now, last_run_id: runId })
          .onConflict((oc) => oc.columns(['asset_key', 'partition']).doUpdateSet({ status: 'running', last_attempt_at: now, last_run_id: runId })));
      }
    })();
  }

  /** A partition built and committed, with its check results, in one transaction. */
  recordSucceeded(runId: string, asset: string, success: SuccessInput): void {
    const now = this.clock();
    const state = {
      status: 'succeeded' as const, data_version: success.dataVersion, code_version: success.codeVersion, inputs: success.inputs,
      inputs_hash: success.inputsHash, row_count: success.rowCount ?? null, last_success_at: now, last_attempt_at: now, last_run_id: runId,
    };
    this.db.transaction(() => {
      this.sql.run(this.kysely.updateTable('materializations').set({
        status: 'succeeded', data_version: success.dataVersion, inputs: success.inputs, row_count: success.rowCount ?? null,
        bytes: success.bytes ?? null, ended_at: now, metadata: storedMetadata(success),
      }).where('run_id', '=', runId).where('asset_key', '=', asset).where('partition', '=', success.partition).where('status', '=', 'running'));
      this.sql.run(this.kysely.insertInto('partition_state').values({ asset_key: asset, partition: success.partition, ...state })
        .onConflict((oc) => oc.columns(['asset_key', 'partition']).doUpdateSet({ ...state, error: null })));
      this.insertChecks(runId, asset, success.partition, success.checks, now);
      if (success.calendar) {
        this.sql.run(this.kysely.replaceInto('calendars').values({
          asset_key: asset, season: Number(success.partition), dates: JSON.stringify([...success.calendar].sort()),
        }));
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
        this.sql.run(this.kysely.updateTable('materializations').set({ status: 'failed', ended_at: now, error: detail })
          .where('run_id', '=', runId).where('asset_key', '=', asset).where('partition', '=', p).where('status', '=', 'running'));
        if (!options.final) continue;
        this.sql.run(this.kysely.updateTable('partition_state').set({ status: 'failed', error: message, last_attempt_at: now })
          .where('asset_key', '=', asset).where('partition', '=', p));
        this.insertChecks(runId, asset, p, options.checks ?? [], now);
      }
    })();
  }

  /** Partitions skipped because an upstream partition failed in this run. */
  recordSkipped(runId: string, asset: string, codeVersion: string, partitions: readonly string[], why: string): void {
    const now = this.clock();
    this.db.transaction(() => {
      for (const p of partitions) {
        this.sql.run(this.kysely.insertInto('materializations').values({
          run_id: runId, asset_key: asset, partition: p, status: 'skipped', attempt: 0, code_version: codeVersion, started_at: now, ended_at: now, error: why,
        }));
      }
    })();
  }

  /** Check outcomes evaluated apart from a materialization (`cbbd validate` over stored partitions). */
  recordCheckResults(runId: string, asset: string, partition: string, checks: readonly CheckResultInput[]): void {
    const now = this.clock();
    this.db.transaction(() => this.insertChecks(runId, asset, partition, checks, now))();
  }

  recordEvent(runId: string, type: string, payload: Record<string, unknown> = {}, level = 'info'): number {
    return Number(this.sql.run(this.kysely.insertInto('events').values({
      run_id: runId, at: this.clock(), level, type,
      asset_key: typeof payload.asset === 'string' ? payload.asset : null,
      partition: typeof payload.partition === 'string' ? payload.partition : null,
      payload: JSON.stringify(redactDeep(payload)),
    })).lastInsertRowid);
  }

  /** One source API call, for the quota ledger (see `api-calls.ts`). */
  recordApiCall(call: ApiCallInput): void {
    insertApiCall(this.sql, this.kysely, call, this.clock());
  }

  /** Poll the run log (from its own connection) for a request to cancel `runId`, made by any process. */
  watchCancel(runId: string, onCancel: (request: CancelRequest) => void): () => void {
    const controls = RunControls.open(this.path);
    if (!controls) return () => {};
    const stop = watchCancelRequest(controls, runId, onCancel);
    return () => {
      stop();
      controls.close();
    };
  }

  /** Delete events older than the retention; runs and materializations are kept. Returns how many were deleted. */
  pruneEvents(retentionDays: number): number {
    return this.sql.run(this.kysely.deleteFrom('events').where('at', '<', this.clock() - retentionDays * 86_400_000)).changes;
  }

  private insertChecks(runId: string, asset: string, partition: string, checks: readonly CheckResultInput[], at: number): void {
    for (const c of checks) {
      this.sql.run(this.kysely.insertInto('check_results').values({
        run_id: runId, asset_key: asset, partition, check_name: c.name, passed: c.passed ? 1 : 0, blocking: c.blocking ? 1 : 0,
        detail: c.detail ? redactSecrets(c.detail) : null, at,
      }));
    }
  }
}
