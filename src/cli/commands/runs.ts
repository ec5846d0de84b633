/**
 * `cbbd runs`: the recent runs, newest first. `cbbd runs show <id>`: one run's report (selection, partitions by
 * outcome, rows, bytes, API calls per endpoint against the plan's estimate, durations per asset, failures with their
 * reasons), the same report that is written to `meta/runs/<id>.json` when a run ends.
 */
import { UsageError } from '../../core/errors.ts';
import { buildRunReport, plannedPartitions, type RunReport } from '../../store/run-report.ts';
import type { RunSummary } from '../../store/run-log.ts';
import { runSummaryKey } from '../run-summaries.ts';
import type { CommandContext } from '../context.ts';
import { formatDuration, formatTable, formatTime } from '../format.ts';
import { withThousands } from '../../core/thousands.ts';
import { hostname } from 'node:os';
import { RunControls } from '../../store/run-controls.ts';

export interface RunsListOptions {
  limit?: string;
  json?: boolean;
}

interface RunRow {
  id: string;
  /** `materialize` or `validate`. */
  kind: RunSummary['kind'];
  startedAt: string;
  durationMs: number | null;
  selection: string;
  filter: unknown;
  status: RunSummary['status'];
  partitions: { planned: number; succeeded: number | null; failed: number | null; skipped: number | null };
  apiCalls: number;
}

export async function runsListCommand(ctx: CommandContext, options: RunsListOptions): Promise<number> {
  const limit = Number(options.limit ?? 20);
  if (!/^\d+$/.test(options.limit ?? '20') || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit ${options.limit} is not a whole number from 1 to 1000 (e.g. --limit 50).`);
  }
  ctx.runLog.recoverOrphans();
  const now = Date.now();
  const rows: RunRow[] = (await ctx.runLog.listRuns(limit)).map((run) => {
    const counts = (run.summary as { counts?: { succeeded?: number; failed?: number; skipped?: number; unchanged?: number } } | null)?.counts;
    // The ledger's calls recorded with the run's id (older runs: made for an asset while the run was going).
    const calls = ctx.runLog.apiCallsOfRun(run, now).reduce((n, c) => n + c.calls, 0);
    return {
      id: run.id, kind: run.kind, startedAt: new Date(run.startedAt).toISOString(), durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt,
      selection: run.selection, filter: run.filter, status: run.status,
      partitions: { planned: plannedPartitions(run), succeeded: counts === undefined ? null : (counts.succeeded ?? 0) + (counts.unchanged ?? 0), failed: counts?.failed ?? null, skipped: counts?.skipped ?? null },
      apiCalls: calls,
    };
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (!rows.length) {
    process.stdout.write('No runs yet: `cbbd materialize <selection>` or `cbbd backfill` starts one.\n');
    return 0;
  }
  process.stdout.write(`${formatTable(
    ['run', 'started', 'duration', 'selection', 'outcome', 'built', 'failed', 'skipped', 'API calls'],
    rows.map((r) => [
      r.id, formatTime(Date.parse(r.startedAt)), r.durationMs === null ? 'running' : formatDuration(r.durationMs), `${r.selection}${filterText(r.filter)}`,
      r.status, r.partitions.succeeded === null ? `-/${r.partitions.planned}` : `${r.partitions.succeeded}/${r.partitions.planned}`,
      r.partitions.failed ?? '-', r.partitions.skipped ?? '-', r.apiCalls,
    ]),
  )}\n\n\`cbbd runs show <run>\` prints one run's summary.\n`);
  return 0;
}

export async function runsShowCommand(ctx: CommandContext, typed: string, options: { json?: boolean }): Promise<number> {
  ctx.runLog.recoverOrphans();
  const runId = await resolveRunId(ctx, typed);
  runSummaryKey(runId); // a malformed id is a usage error, before any read
  const report = await buildRunReport(ctx.runLog, runId);
  if (!report) throw new UsageError(`No run ${runId} in the run log (${ctx.config.runLog.path}); \`cbbd runs\` lists the recent ones.`);
  process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : renderRunReport(report)}\n`);
  return 0;
}

/**
 * `cbbd runs cancel <id>`: record a cancel request in the run log; the run's own process (a `cbbd materialize`, a
 * page's run in `cbbd serve`, a schedule's tick) sees it within a second and stops as on SIGTERM. With `--wait`,
 * waits for the run to end (exit 0 once it is cancelled or ended otherwise).
 */
export async function runsCancelCommand(ctx: CommandContext, runId: string, options: { wait?: boolean }): Promise<number> {
  runSummaryKey(runId); // a malformed id is a usage error, before any write
  ctx.runLog.recoverOrphans();
  const controls = RunControls.open(ctx.config.runLog.path);
  if (!controls) throw new UsageError('The run log is in memory: no other process can hold a run to cancel.');
  try {
    const { outcome } = controls.requestCancel(runId, `cbbd runs cancel (pid ${process.pid} on ${hostname()})`);
    if (outcome === 'unknown') throw new UsageError(`No run ${runId} in the run log (${ctx.config.runLog.path}); \`cbbd runs\` lists the recent ones.`);
    if (outcome !== 'requested') {
      process.stdout.write(`Run ${runId} is not running (it ${outcome === 'cancelled' ? 'was cancelled' : outcome}); nothing to cancel.\n`);
      return 0;
    }
    process.stdout.write(`Cancel requested for run ${runId}: it takes no new step; the steps under way finish or fail whole (never half-committed).\n`);
    if (!options.wait) return 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      ctx.runLog.recoverOrphans();
      const run = await ctx.runLog.getRun(runId);
      if (run && run.status !== 'running') {
        process.stdout.write(`Run ${runId} ${run.status}.\n`);
        return 0;
      }
    }
  } finally {
    controls.close();
  }
}

/** A run's report as text. */
export function renderRunReport(r: RunReport): string {
  const p = r.partitions;
  const lines = [
    `Run ${r.id}: ${r.status}${r.stopped ? ` (stopped: ${r.stopped})` : ''}`,
    `  selection   ${r.selection}${filterText(r.filter)}`,
    `  started     ${r.startedAt.replace('T', ' ').slice(0, 19)} UTC on ${r.host} (pid ${r.pid})${r.durationMs === null ? ', still running' : `, took ${formatDuration(r.durationMs)}`}`,
    `  partitions  ${p.planned} planned: ${p.succeeded} succeeded, ${p.unchanged} unchanged, ${p.failed} failed, ${p.skipped} skipped${p.running ? `, ${p.running} running` : ''}`,
    `  written     ${withThousands(r.rows)} rows, ${formatBytes(r.bytes)}`,
    `  API calls   ${r.apiCalls.total}${r.apiCalls.failed ? ` (${r.apiCalls.failed} without a usable answer)` : ''}${Object.keys(r.apiCalls.byEndpoint).length ? `: ${Object.entries(r.apiCalls.byEndpoint).map(([e, n]) => `${e} ${n}`).join(', ')}` : ''}`,
  ];
  if (r.error) lines.push(`  error       ${r.error}`);
  if (r.assets.length) {
    const estimated = r.apiCalls.estimatedByAsset ?? {};
    lines.push('', formatTable(
      ['asset', 'succeeded', 'failed', 'skipped', 'rows', 'bytes', 'time', 'API calls', 'estimated'],
      r.assets.map((a) => [a.asset, a.succeeded, a.failed, a.skipped, a.rows, formatBytes(a.bytes), formatDuration(a.durationMs), a.apiCalls, estimated[a.asset] ?? '-']),
    ).split('\n').map((l) => `  ${l}`).join('\n'));
  }
  if (r.failures.length) {
    lines.push('', 'Failures:');
    for (const f of r.failures) lines.push(`  ${f.status} ${f.asset} ${f.partition}: ${f.error ?? 'no reason recorded'}`);
    if (r.failuresNotListed) lines.push(`  ... and ${r.failuresNotListed} more (cbbd runs show ${r.id} --json lists the first 100)`);
  }
  return lines.join('\n');
}

function filterText(filter: unknown): string {
  if (!filter || typeof filter !== 'object') return '';
  const f = filter as { seasonFrom?: number; seasonTo?: number; dateFrom?: string; dateTo?: string };
  const parts: string[] = [];
  if (f.seasonFrom !== undefined) parts.push(f.seasonFrom === f.seasonTo ? `season ${f.seasonFrom}` : `seasons ${f.seasonFrom}-${f.seasonTo ?? ''}`);
  if (f.dateFrom !== undefined) parts.push(f.dateFrom === f.dateTo ? f.dateFrom : `${f.dateFrom}..${f.dateTo ?? ''}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * A run id as typed: the whole id, or enough of it to name one run of the last thousand: its start (r20261206-1954),
 * or its random end (e2dc4d), as `cbbd runs` prints them.
 */
export async function resolveRunId(ctx: Pick<CommandContext, 'runLog' | 'config'>, typed: string): Promise<string> {
  if (await ctx.runLog.getRun(typed)) return typed;
  const text = typed.trim().toLowerCase();
  if (text.length < 4) return typed;
  const matches = (await ctx.runLog.listRuns(1000)).map((r) => r.id).filter((id) => id.startsWith(text) || id.endsWith(text));
  if (matches.length > 1) {
    throw new UsageError(`"${typed}" names ${matches.length} runs (${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', ...' : ''}): type more of the id.`);
  }
  return matches[0] ?? typed;
}
