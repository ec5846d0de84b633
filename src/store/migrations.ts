/** Run-log migrations as code, applied in name order by Kysely's migrator when the run log opens. */
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('selection', 'text', (c) => c.notNull())
        .addColumn('filter', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('ended_at', 'integer')
        .addColumn('heartbeat_at', 'integer', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('partitions_total', 'integer', (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('runs_by_status').on('runs').columns(['status']).execute();
      await db.schema
        .createTable('materializations')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('data_version', 'text')
        .addColumn('code_version', 'text', (c) => c.notNull())
        .addColumn('inputs', 'text')
        .addColumn('row_count', 'integer')
        .addColumn('bytes', 'integer')
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('ended_at', 'integer')
        .addColumn('error', 'text')
        .addColumn('metadata', 'text')
        .execute();
      await db.schema.createIndex('materializations_by_partition').on('materializations').columns(['asset_key', 'partition']).execute();
      await db.schema.createIndex('materializations_by_run').on('materializations').columns(['run_id']).execute();
      // The latest state of each partition, kept in step with `materializations` so planning reads one row per
      // partition instead of scanning history.
      await sql`CREATE TABLE partition_state (
        asset_key TEXT NOT NULL, partition TEXT NOT NULL, status TEXT NOT NULL,
        data_version TEXT, code_version TEXT, inputs TEXT, inputs_hash INTEGER, row_count INTEGER,
        last_success_at INTEGER, last_attempt_at INTEGER NOT NULL, last_run_id TEXT NOT NULL, error TEXT,
        PRIMARY KEY (asset_key, partition)) WITHOUT ROWID`.execute(db);
      await db.schema
        .createTable('check_results')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition', 'text', (c) => c.notNull())
        .addColumn('check_name', 'text', (c) => c.notNull())
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('blocking', 'integer', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('check_results_by_asset').on('check_results').columns(['asset_key', 'partition']).execute();
      await db.schema
        .createTable('events')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text')
        .addColumn('partition', 'text')
        .addColumn('payload', 'text')
        .execute();
      await db.schema.createIndex('events_by_run').on('events').columns(['run_id', 'id']).execute();
      await db.schema.createIndex('events_by_time').on('events').columns(['at']).execute();
      await sql`CREATE TABLE leases (
        asset_key TEXT NOT NULL, partition TEXT NOT NULL, run_id TEXT NOT NULL, acquired_at INTEGER NOT NULL,
        PRIMARY KEY (asset_key, partition)) WITHOUT ROWID`.execute(db);
      await db.schema.createIndex('leases_by_run').on('leases').columns(['run_id']).execute();
      await sql`CREATE TABLE calendars (
        asset_key TEXT NOT NULL, season INTEGER NOT NULL, dates TEXT NOT NULL,
        PRIMARY KEY (asset_key, season)) WITHOUT ROWID`.execute(db);
    },
  },
  '0002_api_calls': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_calls')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('asset', 'text')
        .addColumn('status', 'integer')
        .addColumn('remaining', 'integer')
        .execute();
      // `cbbd quota` reads a month of one source; the last figure is the newest row of the source that carried one.
      await db.schema.createIndex('api_calls_by_source_time').on('api_calls').columns(['source', 'at']).execute();
    },
  },
  '0003_schedules': {
    async up(db: Kysely<unknown>) {
      // One row: the process that runs the schedules. It beats; a row from a dead process is taken over.
      await sql`CREATE TABLE scheduler_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
        label TEXT NOT NULL, started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL)`.execute(db);
      // The last planned tick of each schedule (or when a scheduler first saw it): what missed ticks are counted from.
      await sql`CREATE TABLE schedule_state (
        schedule TEXT PRIMARY KEY, last_planned_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID`.execute(db);
      await db.schema
        .createTable('schedule_ticks')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('planned_at', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('ended_at', 'integer')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('missed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer')
        .addColumn('exit_code', 'integer')
        .addColumn('run_id', 'text')
        .addColumn('scheduler_pid', 'integer', (c) => c.notNull())
        .addColumn('scheduler_host', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('schedule_ticks_by_schedule').on('schedule_ticks').columns(['schedule', 'id']).execute();
    },
  },
  '0004_run_cancel_and_schedule_switches': {
    async up(db: Kysely<unknown>) {
      // A request to cancel a run, from the page or `cbbd runs cancel` in another process: the run's own process
      // polls for it and stops as on SIGTERM (no new step; nothing half-committed).
      await sql`CREATE TABLE run_cancel_requests (
        run_id TEXT PRIMARY KEY, requested_at INTEGER NOT NULL, requested_by TEXT NOT NULL) WITHOUT ROWID`.execute(db);
      // A schedule turned on or off from the page or the CLI: overrides `enabled` of config.yaml, so `cbbd schedule`
      // and `cbbd serve` (each reading the run log) agree.
      await sql`CREATE TABLE schedule_switches (
        schedule TEXT PRIMARY KEY, enabled INTEGER NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL) WITHOUT ROWID`.execute(db);
    },
  },
  '0005_api_calls_run_id': {
    async up(db: Kysely<unknown>) {
      // The run each call was made for: two runs that overlap in time (a page's run beside a CLI one) no longer share
      // calls by their time spans. Null for calls outside a run (`cbbd fetch`, `cbbd gaps --check`) and older rows.
      await sql`ALTER TABLE api_calls ADD COLUMN run_id TEXT`.execute(db);
      await sql`CREATE INDEX api_calls_by_run ON api_calls (run_id) WHERE run_id IS NOT NULL`.execute(db);
    },
  },
  '0006_process_stamps': {
    async up(db: Kysely<unknown>) {
      // Who holds a run's leases and the scheduler lease, as every sweep judges its leftovers: pid, start time, host
      // and pid namespace (process-alive.ts). A pid and a host name alone took a live run in another container with
      // the same host name for dead, or a reused pid for alive.
      await addColumnOnce(db, 'runs', 'process', 'TEXT');
      await addColumnOnce(db, 'scheduler_lease', 'process', 'TEXT');
    },
  },
  '0007_run_kind': {
    async up(db: Kysely<unknown>) {
      // What a run does: `materialize` builds partitions, `validate` checks stored ones again (a run of the kernel's
      // own since validation moved there; before, only its selection's "validate " prefix said so).
      await addColumnOnce(db, 'runs', 'kind', "TEXT NOT NULL DEFAULT 'materialize'");
      await sql`UPDATE runs SET kind = 'validate' WHERE selection LIKE 'validate %'`.execute(db);
    },
  },
};

/**
 * Add a column unless a migration cut short (SQLite's DDL here runs outside a transaction: a process killed between two
 * statements, or before the migration was recorded) already added it; the migration then completes on the next open.
 */
async function addColumnOnce(db: Kysely<unknown>, table: string, column: string, definition: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  if (rows.some((r) => r.name === column)) return;
  await sql.raw(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`).execute(db);
}
