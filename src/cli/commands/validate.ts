/**
 * `cbbd validate [selection] [--season N | --seasons A-B]`: every check over the lakehouse as stored. Each built
 * partition of the selection gets its checks again over its stored files (see `lake/stored-checks.ts`); checks that
 * exist only at materialization are listed as "not re-runnable" with their last recorded result. The outcomes go to
 * the run log under a run of their own, so `cbbd status` and the page show them. Exit 1 when any check fails.
 */
import type { AssetDefinition } from '../../core/asset.ts';
import { seasonOfKey } from '../../core/partitions.ts';
import { loadPlannerState } from '../../core/run-selection.ts';
import { LiveRunState } from '../../core/run-state.ts';
import { parsePartitionFilter, selectAssets } from '../../core/selection.ts';
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
  const assets = selectAssets(ctx.graph, selection).map((key) => ctx.graph.get(key));
  const state = await loadPlannerState(ctx.project);
  const live = new LiveRunState(ctx.graph, state, ctx.window);
  const inScope = (partition: string) => {
    if (filter.seasonFrom === undefined) return true;
    const season = seasonOfKey(partition);
    return season !== undefined && season >= filter.seasonFrom && season <= (filter.seasonTo ?? filter.seasonFrom);
  };
  const started = Date.now();
  const runId = ctx.runLog.startRun({ selection: `validate ${selection}`, filter, partitions: [] });
  const latest = await ctx.runLog.latestCheckOutcomes();
  const checks = await StoredChecks.open(ctx.storage, (key) => (ctx.graph.has(key) ? tableLayout(ctx.graph.get(key)) : undefined));
  const report: AssetValidation[] = [];
  try {
    for (const asset of assets) {
      const built = [...(state.records.get(asset.key) ?? new Map())].filter(([p, r]) => r.status === 'succeeded' && inScope(p)).map(([p]) => p).sort();
      const entry: AssetValidation = { asset: asset.key, partitions: built.length, passed: 0, failed: 0, notRerunnable: [], failures: [] };
      const recorded = latest.get(asset.key);
      entry.notRerunnable = StoredChecks.notRerunnable(asset).map((name) => {
        const failedHere = (recorded?.failed ?? []).filter((f) => f.name === name && built.includes(f.partition)).length;
        return { name, lastPassed: built.length && recorded ? Math.max(0, built.length - failedHere) : 0, lastFailed: failedHere };
      });
      for (const partition of built) {
        const { results } = await checks.check(asset, partition, (a: AssetDefinition, dependency, p) => live.inputPartitions(a, dependency, [p]));
        ctx.runLog.recordCheckResults(runId, asset.key, partition, results);
        for (const r of results) {
          if (r.passed) entry.passed++;
          else {
            entry.failed++;
            entry.failures.push({ partition, check: r.name, blocking: r.blocking, detail: r.detail ?? null });
          }
        }
      }
      report.push(entry);
    }
  } catch (error) {
    ctx.runLog.finishRun(runId, 'failed', { validate: true }, (error as Error).message);
    throw error;
  } finally {
    await checks.close();
  }
  const failed = report.reduce((n, a) => n + a.failed, 0);
  const counts = { partitions: report.reduce((n, a) => n + a.partitions, 0), passed: report.reduce((n, a) => n + a.passed, 0), failed };
  ctx.runLog.finishRun(runId, failed ? 'failed' : 'succeeded', { validate: counts });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runId, ...counts, assets: report }, null, 2)}\n`);
    return failed ? 1 : 0;
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
  return failed ? 1 : 0;
}
