/**
 * Reading the run log: what the planner, the CLI and the web server need, as domain values (camelCase names,
 * booleans, parsed JSON), never as rows. Kysely for the queries; raw SQL only where a measured hot path needs it,
 * with the reason beside it.
 */
import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { PartitionRecord, PartitionRecords } from '../core/state.ts';
import type { RunKind } from '../core/run-recorder.ts';
import { Statements } from './_statements.ts';
import { readApiCallsBetween, readApiCallsOfRun, readApiCallUsage, type ApiCallsInSpan, type ApiCallUsage } from './api-calls.ts';
import type { CheckResultsTable, EventsTable, MaterializationsTable, RunLogDatabase, RunsTable } from './schema.ts';

export interface RunSummary {
  readonly id: string;
  /** `materialize` or `validate` (the kernel's run kinds). */
  readonly kind: RunKind;
  readonly selection: string;
  readonly filter: unknown;
  readonly status: RunsTable['status'];
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly pid: number;
  readonly host: string;
  readonly partitionsTotal: number;
  readonly summary: unknown;
  readonly error: string | null;
}

export interface MaterializationView {
  readonly id: number;
  readonly runId: string;
  readonly asset: string;
  readonly partition: string;
  readonly status: MaterializationsTable['status'];
  readonly attempt: number;
  readonly dataVersion: string | null;
  readonly codeVersion: string;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** The failure's message (the stored error is the serialized error, redacted). */
  readonly error: string | null;
  /** Source API calls the partition took (raw assets), when recorded. */
  readonly apiCalls: number | null;
  /** Records quarantined (bronze), when recorded. */
  readonly quarantine: { readonly records: number; readonly firstProblem?: string } | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

export interface CheckResultView {
  readonly runId: string;
  readonly asset: string;
  readonly partition: string;
  readonly name: string;
  readonly passed: boolean;
  readonly blocking: boolean;
  readonly detail: string | null;
  readonly at: number;
}

export interface RunEventView {
  readonly id: number;
  readonly runId: string;
  readonly at: number;
  readonly level: string;
  readonly type: string;
  readonly asset: string | null;
  readonly partition: string | null;
  readonly payload: Readonly<Record<string, unknown>> | null;
}

const STATUSES: readonly PartitionRecord['status'][] = ['succeeded', 'failed', 'running'];

/** The run log's reads. The web server gets only this; `RunLog` adds the writes. */
export class RunLogReader {
  protected readonly sql: Statements;

  protected constructor(
    protected readonly db: Database.Database,
    protected readonly kysely: Kysely<RunLogDatabase>,
  ) {
    this.sql = new Statements(db);
  }

  /**
   * The latest state of every partition of the given assets (all assets when omitted). Raw SQL on purpose: the
   * planner loads a hundred thousand records per command, and rows as arrays with the status as a small integer
   * (mapped to shared strings) create the fewest JS values; a query builder's row objects cost several times more.
   */
  loadPartitionRecords(assetKeys?: readonly string[]): Map<string, PartitionRecords> {
    const keys = assetKeys ?? (this.db.prepare(`SELECT DISTINCT asset_key FROM partition_state`).pluck().all() as string[]);
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

  /** Source API calls of `source` since `monthStart`, by endpoint (and since `dayStart`), and its last quota figure. */
  apiCallUsage(source: string, monthStart: number, dayStart: number): ApiCallUsage {
    return readApiCallUsage(this.sql, this.kysely, source, monthStart, dayStart);
  }

  /** Source API calls between two times (a run's span), by endpoint and the asset they were made for. */
  apiCallsBetween(from: number, to: number): ApiCallsInSpan[] {
    return readApiCallsBetween(this.sql, this.kysely, from, to);
  }

  /**
   * The calls a run made, by endpoint and asset: those recorded with its id; for a run from before the ledger kept run
   * ids, those made for an asset during its span.
   */
  apiCallsOfRun(run: { readonly id: string; readonly startedAt: number; readonly endedAt: number | null }, now = Date.now()): ApiCallsInSpan[] {
    return readApiCallsOfRun(this.sql, this.kysely, run.id) ?? readApiCallsBetween(this.sql, this.kysely, run.startedAt, run.endedAt ?? now).filter((c) => c.asset !== null);
  }

  /** The encoded inputs a partition was last built from (to explain which upstream changed). */
  builtInputs(asset: string, partition: string): string | null {
    return this.sql.get(this.kysely.selectFrom('partition_state').select('inputs').where('asset_key', '=', asset).where('partition', '=', partition))?.inputs ?? null;
  }

  /** Game days per season, by calendar asset. */
  loadCalendars(): Map<string, Map<number, readonly string[]>> {
    const out = new Map<string, Map<number, readonly string[]>>();
    for (const row of this.sql.all(this.kysely.selectFrom('calendars').select(['asset_key', 'season', 'dates']))) {
      let bySeason = out.get(row.asset_key);
      if (!bySeason) out.set(row.asset_key, (bySeason = new Map()));
      bySeason.set(row.season, JSON.parse(row.dates) as string[]);
    }
    return out;
  }

  async listRuns(limit = 50): Promise<RunSummary[]> {
    const rows = await this.kysely.selectFrom('runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
    return rows.map(toRunSummary);
  }

  async getRun(id: string): Promise<RunSummary | undefined> {
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

  /** Every attempt of every partition of a run, in order. */
  async materializationsOf(runId: string): Promise<MaterializationView[]> {
    const rows = await this.kysely.selectFrom('materializations').selectAll().where('run_id', '=', runId).orderBy('id').execute();
    return rows.map(toMaterialization);
  }

  /** The last materializations of an asset, newest first. */
  async recentMaterializationsOf(asset: string, limit = 20): Promise<MaterializationView[]> {
    const rows = await this.kysely.selectFrom('materializations').selectAll().where('asset_key', '=', asset).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toMaterialization);
  }

  async eventsOf(runId: string, afterId = 0): Promise<RunEventView[]> {
    const rows = await this.kysely.selectFrom('events').selectAll().where('run_id', '=', runId).where('id', '>', afterId).orderBy('id').execute();
    return rows.map(toEvent);
  }

  /** Events of every run after an id (for the live stream of the page). */
  async eventsAfter(afterId: number, limit = 500): Promise<RunEventView[]> {
    const rows = await this.kysely.selectFrom('events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map(toEvent);
  }

  async checkResultsOf(asset: string, limit = 100): Promise<CheckResultView[]> {
    const rows = await this.kysely.selectFrom('check_results').selectAll().where('asset_key', '=', asset).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toCheckResult);
  }

  /**
   * The latest outcome of every check on every partition, by asset: how many passed, and the ones that failed (a
   * check that failed and then passed on a rebuild counts as passed).
   */
  async latestCheckOutcomes(): Promise<Map<string, { passed: number; failed: CheckResultView[] }>> {
    const latest = this.kysely.selectFrom('check_results').select((eb) => eb.fn.max('id').as('id')).groupBy(['asset_key', 'partition', 'check_name']);
    const rows = await this.kysely.selectFrom('check_results').selectAll().where('id', 'in', latest).orderBy('id').execute();
    const out = new Map<string, { passed: number; failed: CheckResultView[] }>();
    for (const row of rows) {
      let entry = out.get(row.asset_key);
      if (!entry) out.set(row.asset_key, (entry = { passed: 0, failed: [] }));
      if (row.passed === 1) entry.passed++;
      else entry.failed.push(toCheckResult(row));
    }
    return out;
  }

  /** Partitions held by runs still running, by asset. */
  runningPartitions(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const query = this.kysely.selectFrom('leases as l').innerJoin('runs as r', 'r.id', 'l.run_id').select(['l.asset_key', 'l.partition']).where('r.status', '=', 'running');
    for (const { asset_key: asset, partition } of this.sql.all(query)) {
      let set = out.get(asset);
      if (!set) out.set(asset, (set = new Set()));
      set.add(partition);
    }
    return out;
  }

  /** Whether a run is under way (its status is still "running"). */
  runInProgress(): boolean {
    return this.db.prepare("SELECT 1 FROM runs WHERE status = 'running' LIMIT 1").raw().get() !== undefined;
  }

  /**
   * Changes whenever anything is recorded, so a cache knows it is stale (a run ending changes the count of running
   * ones). Raw SQL on purpose: the server asks on every request, and sub-selects in one prepared statement cost
   * microseconds.
   */
  changeToken(): string {
    const row = this.db.prepare(`SELECT (SELECT max(id) FROM events), (SELECT max(id) FROM materializations), (SELECT count(*) FROM runs), (SELECT count(*) FROM runs WHERE status = 'running')`).raw().get() as unknown[];
    return row.join(':');
  }

  /** The id of the newest event (0 when none): where a live stream that wants only new events starts. */
  lastEventId(): number {
    return Number(this.sql.get(this.kysely.selectFrom('events').select((eb) => eb.fn.max('id').as('last')))?.last ?? 0);
  }
}

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRunSummary(row: Selectable<RunsTable>): RunSummary {
  return {
    id: row.id, selection: row.selection, filter: parseJson(row.filter), status: row.status, startedAt: row.started_at,
    endedAt: row.ended_at, pid: row.pid, host: row.host, partitionsTotal: row.partitions_total, kind: row.kind === 'validate' ? 'validate' : 'materialize',
    summary: parseJson(row.summary), error: row.error,
  };
}

/** A failure is stored as the serialized error (JSON); a skip or an orphan's end as plain text. */
function errorMessage(stored: string | null): string | null {
  if (stored === null || !stored.startsWith('{')) return stored;
  try {
    return (JSON.parse(stored) as { message?: string }).message ?? stored;
  } catch {
    return stored;
  }
}

function toMaterialization(row: Selectable<MaterializationsTable>): MaterializationView {
  const metadata = parseJson<Record<string, unknown>>(row.metadata);
  return {
    id: row.id, runId: row.run_id, asset: row.asset_key, partition: row.partition, status: row.status, attempt: row.attempt,
    dataVersion: row.data_version, codeVersion: row.code_version, rowCount: row.row_count, bytes: row.bytes,
    startedAt: row.started_at, endedAt: row.ended_at,
    error: errorMessage(row.error),
    apiCalls: typeof metadata?.apiCalls === 'number' ? metadata.apiCalls : null,
    quarantine: (metadata?.quarantine as MaterializationView['quarantine'] | undefined) ?? null,
    metadata,
  };
}

function toCheckResult(row: Selectable<CheckResultsTable>): CheckResultView {
  return {
    runId: row.run_id, asset: row.asset_key, partition: row.partition, name: row.check_name,
    passed: row.passed === 1, blocking: row.blocking === 1, detail: row.detail, at: row.at,
  };
}

function toEvent(row: Selectable<EventsTable>): RunEventView {
  return {
    id: row.id, runId: row.run_id, at: row.at, level: row.level, type: row.type, asset: row.asset_key, partition: row.partition,
    payload: parseJson(row.payload),
  };
}
