/** Tables of the run log, as Kysely sees them. Times are epoch milliseconds; JSON columns are text. */
import type { Generated } from 'kysely';

export interface RunsTable {
  id: string;
  selection: string;
  filter: string;
  /** `cancelled`: stopped by a signal (SIGTERM, Ctrl-C); its steps not taken were skipped, those cut short failed. */
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  started_at: number;
  ended_at: number | null;
  heartbeat_at: number;
  pid: number;
  host: string;
  /** The process's stamp (`stampText`: pid, start time, host and pid namespace); null before migration 0006. */
  process: string | null;
  /** `materialize` or `validate` (migration 0007; older runs read `materialize`, validations among them by selection). */
  kind: Generated<string>;
  partitions_total: number;
  summary: string | null;
  error: string | null;
}

export interface MaterializationsTable {
  id: Generated<number>;
  run_id: string;
  asset_key: string;
  partition: string;
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  attempt: number;
  data_version: string | null;
  code_version: string;
  inputs: string | null;
  row_count: number | null;
  bytes: number | null;
  started_at: number;
  ended_at: number | null;
  error: string | null;
  metadata: string | null;
}

export interface PartitionStateTable {
  asset_key: string;
  partition: string;
  status: 'running' | 'succeeded' | 'failed';
  data_version: string | null;
  code_version: string | null;
  inputs: string | null;
  inputs_hash: number | null;
  row_count: number | null;
  last_success_at: number | null;
  last_attempt_at: number;
  last_run_id: string;
  error: string | null;
}

export interface CheckResultsTable {
  id: Generated<number>;
  run_id: string;
  asset_key: string;
  partition: string;
  check_name: string;
  passed: number;
  blocking: number;
  detail: string | null;
  at: number;
}

export interface EventsTable {
  id: Generated<number>;
  run_id: string;
  at: number;
  level: string;
  type: string;
  asset_key: string | null;
  partition: string | null;
  payload: string | null;
}

export interface LeasesTable {
  asset_key: string;
  partition: string;
  run_id: string;
  acquired_at: number;
}

export interface CalendarsTable {
  asset_key: string;
  season: number;
  dates: string;
}

/** The ledger of source API calls: one row per call (each attempt counts against the month's quota). */
export interface ApiCallsTable {
  id: Generated<number>;
  at: number;
  /** Which source: "simulator" or the API's base URL, so figures of one never stand for the other. */
  source: string;
  endpoint: string;
  asset: string | null;
  status: number | null;
  /** `X-CallLimit-Remaining` of the answer, when it carried one. */
  remaining: number | null;
  /** The run the call was made for (null outside a run, and before migration 0005). */
  run_id: string | null;
}

/** The one process running the schedules (`cbbd schedule` or `cbbd serve`): a single row, id 1. */
export interface SchedulerLeaseTable {
  id: number;
  /** Unique per scheduler instance, so a release never frees another's lease. */
  holder: string;
  pid: number;
  host: string;
  /** The holder's stamp (`stampText`); null before migration 0006. */
  process: string | null;
  /** What holds it, e.g. "cbbd schedule" or "cbbd serve". */
  label: string;
  started_at: number;
  heartbeat_at: number;
}

export interface ScheduleStateTable {
  schedule: string;
  /** The planned time of the schedule's last tick, or when a scheduler first saw the schedule. */
  last_planned_at: number;
  updated_at: number;
}

/** One tick of a schedule: what it ran (or why it did not), and how that ended. */
export interface ScheduleTicksTable {
  id: Generated<number>;
  schedule: string;
  planned_at: number;
  started_at: number;
  ended_at: number | null;
  outcome: 'running' | 'ran' | 'skipped' | 'failed';
  reason: string | null;
  /** 1 when this tick stands for the ticks missed while no scheduler ran (run once, at start-up). */
  missed: number;
  /** The argv after `cbbd`, as JSON. */
  command: string;
  /** The child process that ran the command. */
  pid: number | null;
  exit_code: number | null;
  /** The run the command created, when it created one. */
  run_id: string | null;
  scheduler_pid: number;
  scheduler_host: string;
}

export interface RunLogDatabase {
  runs: RunsTable;
  materializations: MaterializationsTable;
  partition_state: PartitionStateTable;
  check_results: CheckResultsTable;
  events: EventsTable;
  leases: LeasesTable;
  calendars: CalendarsTable;
  api_calls: ApiCallsTable;
  scheduler_lease: SchedulerLeaseTable;
  schedule_state: ScheduleStateTable;
  schedule_ticks: ScheduleTicksTable;
}
