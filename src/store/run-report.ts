/**
 * A run's report, read back from the run log: what `cbbd runs show` prints and what is written to
 * `meta/runs/<run id>.json` when a run ends. Everything in it was already recorded (and redacted) by the run log;
 * nothing here reaches outside it.
 */
import type { RunLogReader, MaterializationView, RunSummary } from './reader.ts';

export interface RunAssetReport {
  readonly asset: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly rows: number;
  readonly bytes: number;
  /** From the first partition started to the last one ended (steps overlap, so these do not add up to the run's). */
  readonly durationMs: number;
  readonly apiCalls: number;
}

export interface RunReport {
  readonly id: string;
  readonly selection: string;
  readonly filter: unknown;
  readonly status: RunSummary['status'];
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly host: string;
  readonly pid: number;
  /** Final outcome of each partition the run touched; `unchanged`: re-checked after its upstream ran, found fresh. */
  readonly partitions: { readonly planned: number; readonly succeeded: number; readonly failed: number; readonly skipped: number; readonly unchanged: number; readonly running: number };
  readonly rows: number;
  readonly bytes: number;
  readonly assets: readonly RunAssetReport[];
  /**
   * Source API calls made for the run's assets while it ran, from the ledger (each attempt counts). `estimated` is
   * the plan's estimate per asset, when the command recorded it.
   */
  readonly apiCalls: {
    readonly total: number;
    readonly failed: number;
    readonly byEndpoint: Readonly<Record<string, number>>;
    readonly estimatedByAsset?: Readonly<Record<string, number>>;
  };
  readonly failures: readonly { readonly asset: string; readonly partition: string; readonly status: 'failed' | 'skipped'; readonly error: string | null }[];
  /** Failures beyond the ones listed. */
  readonly failuresNotListed: number;
  readonly stopped?: string;
  readonly error: string | null;
}

/** Failures listed in a report; the rest are counted (a failed season of game days is hundreds). */
const FAILURES_LISTED = 100;

/** The report of run `runId`, or undefined when the run log has no such run. */
export async function buildRunReport(reader: RunLogReader, runId: string, now = Date.now()): Promise<RunReport | undefined> {
  const run = await reader.getRun(runId);
  if (!run) return undefined;
  const attempts = await reader.materializationsOf(runId);
  // A partition's outcome in the run is its last attempt (a retried step leaves a failed attempt before a success).
  const last = new Map<string, MaterializationView>();
  for (const m of attempts) last.set(`${m.asset}\u0000${m.partition}`, m);
  const byAsset = new Map<string, { succeeded: number; failed: number; skipped: number; rows: number; bytes: number; first: number; end: number; apiCalls: number }>();
  const failures: RunReport['failures'][number][] = [];
  const outcome = { succeeded: 0, failed: 0, skipped: 0, running: 0 };
  for (const m of last.values()) {
    let a = byAsset.get(m.asset);
    if (!a) byAsset.set(m.asset, (a = { succeeded: 0, failed: 0, skipped: 0, rows: 0, bytes: 0, first: m.startedAt, end: m.endedAt ?? m.startedAt, apiCalls: 0 }));
    a.first = Math.min(a.first, m.startedAt);
    a.end = Math.max(a.end, m.endedAt ?? m.startedAt);
    if (m.status === 'running') outcome.running++;
    else {
      outcome[m.status]++;
      a[m.status]++;
    }
    if (m.status === 'succeeded') {
      a.rows += m.rowCount ?? 0;
      a.bytes += m.bytes ?? 0;
    }
    if (m.status === 'failed' || m.status === 'skipped') failures.push({ asset: m.asset, partition: m.partition, status: m.status, error: m.error });
  }
  const end = run.endedAt ?? now;
  const calls = reader.apiCallsOfRun(run, end).filter((c) => c.asset !== null && byAsset.has(c.asset));
  const byEndpoint: Record<string, number> = {};
  for (const c of calls) {
    byEndpoint[c.endpoint] = (byEndpoint[c.endpoint] ?? 0) + c.calls;
    byAsset.get(c.asset!)!.apiCalls += c.calls;
  }
  const summary = (run.summary ?? {}) as { counts?: { unchanged?: number }; stopped?: string; estimatedCalls?: Record<string, number> };
  const estimated = summary.estimatedCalls ?? await estimatedCalls(reader, runId);
  // Failures first, then skips (they follow from failures), each in the order they happened.
  failures.sort((x, y) => (x.status === y.status ? 0 : x.status === 'failed' ? -1 : 1));
  return {
    id: run.id, selection: run.selection, filter: run.filter, status: run.status,
    startedAt: new Date(run.startedAt).toISOString(), endedAt: run.endedAt === null ? null : new Date(run.endedAt).toISOString(),
    durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt, host: run.host, pid: run.pid,
    partitions: { planned: plannedPartitions(run), ...outcome, unchanged: summary.counts?.unchanged ?? 0 },
    rows: [...byAsset.values()].reduce((n, a) => n + a.rows, 0),
    bytes: [...byAsset.values()].reduce((n, a) => n + a.bytes, 0),
    assets: [...byAsset].map(([asset, a]) => ({
      asset, succeeded: a.succeeded, failed: a.failed, skipped: a.skipped, rows: a.rows, bytes: a.bytes, durationMs: a.end - a.first, apiCalls: a.apiCalls,
    })),
    apiCalls: {
      total: calls.reduce((n, c) => n + c.calls, 0),
      failed: calls.reduce((n, c) => n + c.failed, 0),
      byEndpoint,
      ...(estimated && { estimatedByAsset: estimated }),
    },
    failures: failures.slice(0, FAILURES_LISTED),
    failuresNotListed: Math.max(0, failures.length - FAILURES_LISTED),
    ...(summary.stopped !== undefined && { stopped: summary.stopped }),
    error: run.error,
  };
}

/** The plan's estimate of calls per asset as `cbbd materialize` recorded it (`source_calls`), for runs of older versions. */
async function estimatedCalls(reader: RunLogReader, runId: string): Promise<Record<string, number> | undefined> {
  const events = await reader.eventsOf(runId);
  const recorded = events.filter((e) => e.type === 'source_calls').at(-1)?.payload?.estimated;
  if (!recorded || typeof recorded !== 'object') return undefined;
  return Object.fromEntries(Object.entries(recorded as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/**
 * The partitions a run planned: once it ended, the sum of its outcomes (a run re-plans over the real game days once
 * its calendars are fetched, so the plan it started with counted every day of the window); until then, that first plan.
 */
export function plannedPartitions(run: { readonly partitionsTotal: number; readonly summary: unknown }): number {
  const counts = (run.summary as { counts?: { succeeded?: number; failed?: number; skipped?: number; unchanged?: number } } | null)?.counts;
  return counts ? (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.skipped ?? 0) + (counts.unchanged ?? 0) : run.partitionsTotal;
}
