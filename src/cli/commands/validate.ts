/**
 * `cbbd validate [selection] [--season N | --seasons A-B]`: every check over the lakehouse as stored. Each built
 * partition of the selection gets its checks again over its stored files (see `authoring/stored-checks.ts`; the run itself is the kernel's, `core/validation.ts`); checks that
 * exist only at materialization are listed as "not re-runnable" with their last recorded result. The outcomes go to
 * the run log under a run of their own, so `cbbd status` and the page show them. Exit 1 when any check fails.
 */
import { loadPlannerState } from '../../core/run-selection.ts';
import { parsePartitionFilter } from '../../core/selection.ts';
import { validateStored, type ValidationResult } from '../../core/validation.ts';
import { onStopSignals } from '../stop-signals.ts';
import { StoredChecks } from '../../authoring/stored-checks.ts';
import { tableLayout } from '../../lake/table-layout.ts';
import type { CommandContext } from '../context.ts';
import { formatDuration, formatTable } from '../format.ts';

export interface ValidateOptions {
  season?: string;
  seasons?: string;
  json?: boolean;
}

interface AssetValidation {
  asset: string;
  partitions: number;
  passed: number;
  failed: number;
  /** Declared checks evaluated at materialization only, with their last recorded outcome per partition. */
  notRerunnable: { name: string; lastPassed: number; lastFailed: number }[];
  failures: { partition: string; check: string; blocking: boolean; detail: string | null }[];
}

export async function validateCommand(ctx: CommandContext, selection: string, options: ValidateOptions): Promise<number> {
  const filter = parsePartitionFilter({ ...(options.season !== undefined && { season: options.season }), ...(options.seasons !== undefined && { seasons: options.seasons }) }, ctx.window);
  const state = await loadPlannerState(ctx.project);
  const started = Date.now();
  const latest = await ctx.runLog.latestCheckOutcomes();
  const checks = await StoredChecks.open(ctx.storage, (key) => (ctx.graph.has(key) ? tableLayout(ctx.graph.get(key)) : undefined));
  // Stopped as every command is: no partition checked after the first signal, the run recorded as cancelled.
  let runId: string | undefined;
  const stop = onStopSignals({
    log: ctx.log,
    abandon: async (signal) => {
      if (runId) ctx.runLog.finishRun(runId, 'cancelled', { validate: true, abandoned: true }, `cancelled by ${signal}: the check under way was abandoned`);
      await ctx.close();
    },
  });
  let result: ValidationResult;
  try {
    result = await validateStored(ctx.graph, ctx.window, state, ctx.runLog, checks, { selection, filter, signal: stop.signal, onStart: (id) => (runId = id) });
  } finally {
    await stop.settled();
    stop.dispose();
    await checks.close();
  }
  const { counts } = result;
  runId = result.runId;
  const report: AssetValidation[] = result.assets.map((entry) => {
    const recorded = latest.get(entry.asset);
    const notRerunnable = StoredChecks.notRerunnable(ctx.graph.get(entry.asset)).map((name) => {
      const failedHere = (recorded?.failed ?? []).filter((f) => f.name === name && entry.built.includes(f.partition)).length;
      return { name, lastPassed: entry.partitions && recorded ? Math.max(0, entry.partitions - failedHere) : 0, lastFailed: failedHere };
    });
    return { asset: entry.asset, partitions: entry.partitions, passed: entry.passed, failed: entry.failed, notRerunnable, failures: entry.failures };
  });
  const { failed } = counts;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runId, ...counts, assets: report }, null, 2)}\n`);
    return failed ? 1 : result.status === 'cancelled' ? stop.exitCode() : 0;
  }
  const rows = report.filter((a) => a.partitions > 0);
  process.stdout.write(`${formatTable(
    ['asset', 'partitions', 'checks passed', 'failed', 'not re-runnable (last result)'],
    rows.map((a) => [a.asset, a.partitions, a.passed, a.failed, a.notRerunnable.map((n) => `${n.name}${n.lastFailed ? ` (${n.lastFailed} failed)` : ''}`).join(', ') || '-']),
  )}\n`);
  const never = report.filter((a) => a.partitions === 0).length;
  process.stdout.write(`\nValidation ${runId}: ${counts.partitions} stored partition(s) of ${rows.length} asset(s) checked in ${formatDuration(Date.now() - started)}: ${counts.passed} check(s) passed, ${failed} failed` +
    `${never ? `; ${never} selected asset(s) have no built partition${filter.seasonFrom !== undefined ? ' in these seasons' : ''}` : ''}.\n`);
  if (rows.some((a) => a.notRerunnable.length)) {
    process.stdout.write('Checks marked "not re-runnable" read what a materialization computed (quarantined records, solver iterations), not the stored data: their last result at materialization stands (`cbbd status` shows it).\n');
  }
  const failures = report.flatMap((a) => a.failures.map((f) => `  ${a.asset} ${f.partition}: ${f.check}${f.blocking ? '' : ' (warning)'}${f.detail ? `: ${f.detail}` : ''}`));
  if (failures.length) {
    process.stdout.write(`\nFailed checks:\n${failures.slice(0, 50).join('\n')}\n${failures.length > 50 ? `  ... and ${failures.length - 50} more (cbbd validate --json lists them all)\n` : ''}`);
  }
  if (result.status === 'cancelled') process.stdout.write(`Validation ${runId} was stopped before every partition was checked; the same command checks them all again.\n`);
  return failed ? 1 : result.status === 'cancelled' ? stop.exitCode() : 0;
}
