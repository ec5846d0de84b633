/**
 * The run-log store: runs, materializations, checks, events, partition leases, calendars, the API-call ledger and
 * the schedules' lease and ticks, in one SQLite file (WAL). It implements the kernel's `RunRecorder` and
 * `PlannerStateSource` (src/core); the kernel never imports it. The server and the schedules read it; the CLI opens it.
 *
 * May import: src/core.
 */
export { RunLog, RunLogReader, type CheckResultInput, type PartitionRef, type SuccessInput } from './run-log.ts';
export { RunControls, watchCancelRequest, CANCEL_POLL_MS } from './run-controls.ts';
export { ScheduleLog } from './schedule-log.ts';
