/**
 * `cbbd backfill [--seasons FROM-TO]`: every asset of every season in config (or the range given), one season at a
 * time, newest first: the season a user queries first is complete first, and when the month's API quota stops a
 * backfill, what is still missing is the oldest history. Each season is an ordinary run of `*` over that season, so a
 * backfill that was killed goes on where it stopped: committed partitions are fresh and are neither fetched nor
 * computed again, and the partitions of the run that died are stale (the run log marks it failed at the next start).
 */
import { onStopSignals } from '../stop-signals.ts';
import { totalCalls } from '../../cbbd/call-accounting.ts';
import { UsageError } from '../../core/errors.ts';
import { parsePartitionFilter } from '../../core/selection.ts';
import { planSelection } from '../../core/run-selection.ts';
import { preparePlanRun, type PlanRunOutcome } from '../run-plan.ts';
import type { CommandContext } from '../context.ts';
import { formatDuration, formatTable } from '../format.ts';
import { runDisplay, type RunDisplay } from '../progress.ts';
import { cancelledLine, renderRunResult } from './materialize.ts';

export interface BackfillOptions {
  seasons?: string;
  season?: string;
  concurrency?: string;
  allowOverQuota?: boolean;
  json?: boolean;
}

export interface SeasonOutcome {
  season: number;
  /** `fresh`: nothing was stale (done by an earlier backfill). */
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'fresh' | 'not started';
  runId: string | null;
  partitions: number;
  failed: number;
  skipped: number;
  apiCalls: number;
  durationMs: number;
  stopped?: string;
}

export async function backfillCommand(ctx: CommandContext, options: BackfillOptions): Promise<number> {
  if (options.concurrency !== undefined && !(/^\d+$/.test(options.concurrency) && Number(options.concurrency) >= 1)) {
    throw new UsageError(`--concurrency ${options.concurrency} is not a whole number >= 1 (e.g. --concurrency 2).`);
  }
  const filter = parsePartitionFilter({ ...(options.seasons !== undefined && { seasons: options.seasons }), ...(options.season !== undefined && { season: options.season }) }, ctx.window);
  const first = filter.seasonFrom ?? ctx.window.firstSeason;
  const last = filter.seasonTo ?? ctx.window.lastSeason;
  const seasons = Array.from({ length: last - first + 1 }, (_, i) => last - i);
  ctx.log.info(`Backfill of ${seasons.length} season(s), newest first: ${seasons.join(', ')}`);

  // SIGTERM (a container stopped) as SIGINT: no new step, the steps under way get a grace period, the run is
  // recorded as cancelled; the same command resumes where it stopped.
  let runId: string | undefined;
  let progress: RunDisplay | undefined;
  const stop = onStopSignals({
    log: ctx.log,
    // The season under way's display: its bar, its running steps.
    display: { note: (text) => (progress ? progress.note(text) : ctx.log.warn(text)), running: () => progress?.running() ?? [] },
    abandon: async (signal) => {
      const counts = progress?.counts();
      progress?.stop();
      if (runId) ctx.runLog.finishRun(runId, 'cancelled', { abandoned: true }, `cancelled by ${signal}: the steps still under way were abandoned`);
      if (counts) process.stdout.write(`Run ${runId ?? '(not started)'} cancelled.\n${cancelledLine(counts.built, Math.max(0, counts.planned - counts.built))}\n`);
      // In the cloud this uploads the run log: what was committed before the stop is not redone by the next run.
      await ctx.close();
    },
  });
  const abort = { signal: stop.signal };
  const outcomes: SeasonOutcome[] = [];
  try {
    for (const [index, season] of seasons.entries()) {
      if (abort.signal.aborted) break;
      const planned = await planSelection(ctx.project, { selection: '*', filter: { seasonFrom: season, seasonTo: season } });
      if (!planned.plan.steps.length) {
        outcomes.push({ season, outcome: 'fresh', runId: null, partitions: 0, failed: 0, skipped: 0, apiCalls: 0, durationMs: 0 });
        process.stdout.write(`Season ${season} (${index + 1} of ${seasons.length}): already complete, nothing stale.\n`);
        continue;
      }
      // Each season must fit the month's quota before its first call (exit 2 otherwise, the seasons done are kept).
      const run = preparePlanRun(ctx, planned, options.allowOverQuota ?? false);
      // Before its calendar is fetched a season's plan counts every day of the window; the run then re-plans over
      // the game days, so the count is a ceiling, and the run's line says what was built.
      const calendars = new Set(ctx.graph.order.map((k) => ctx.graph.get(k).partitions).flatMap((p) => (p.kind === 'season_date' && p.calendar ? [p.calendar] : [])));
      const upTo = planned.plan.steps.some((s) => calendars.has(s.asset)) ? 'up to ' : '';
      process.stdout.write(`Season ${season} (${index + 1} of ${seasons.length}): ${upTo}${planned.plan.steps.reduce((n, s) => n + s.partitions.length, 0)} stale partition(s) in ${planned.plan.assets.filter((a) => a.stale).length} asset(s), about ${planned.plan.expectedCalls} API call(s)${upTo ? ' (game days are counted once the calendar is fetched)' : ''}\n`);
      const reporter = runDisplay(ctx.log, planned.plan);
      progress = reporter;
      let ran: PlanRunOutcome;
      try {
        ran = await run.start({
          onEvent: (event) => {
            if (event.type === 'run_started') runId = event.runId;
            reporter.onEvent(event);
          },
          signal: abort.signal,
          ...(options.concurrency !== undefined && { concurrency: Number(options.concurrency) }),
        });
      } finally {
        await stop.settled();
        reporter.stop();
      }
      const { result } = ran;
      const outcome: SeasonOutcome = {
        season, outcome: result.status, runId: result.runId, partitions: result.counts.succeeded, failed: result.counts.failed,
        skipped: result.counts.skipped, apiCalls: totalCalls(ran.calls), durationMs: result.durationMs,
        ...(result.stopped !== undefined && { stopped: result.stopped }),
      };
      outcomes.push(outcome);
      process.stdout.write(`  ${renderRunResult(result).split('\n').join('\n  ')}\n  ${outcome.apiCalls} API call(s) this season.\n`);
      // The quota's reserve is reached: the next season would stop at once; say so instead.
      if (result.stopped !== undefined || result.status === 'cancelled') break;
    }
  } finally {
    // Abandoning (a second signal) records the run and exits: nothing here may report on it meanwhile.
    await stop.settled();
    stop.dispose();
  }
  for (const season of seasons.slice(outcomes.length)) {
    outcomes.push({ season, outcome: 'not started', runId: null, partitions: 0, failed: 0, skipped: 0, apiCalls: 0, durationMs: 0 });
  }
  const complete = outcomes.every((o) => o.outcome === 'succeeded' || o.outcome === 'fresh');
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ seasons: outcomes, complete }, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${formatTable(
      ['season', 'outcome', 'run', 'built', 'failed', 'skipped', 'API calls', 'time'],
      outcomes.map((o) => [o.season, o.outcome, o.runId ?? '-', o.partitions, o.failed, o.skipped, o.apiCalls, o.runId ? formatDuration(o.durationMs) : '-']),
    )}\n`);
    const cancelled = outcomes.find((o) => o.outcome === 'cancelled');
    process.stdout.write(complete
      ? `Backfill complete: ${outcomes.length} season(s).\n`
      : cancelled
        ? `cancelled: ${outcomes.reduce((n, o) => n + o.partitions, 0)} partition(s) built, ${outcomes.filter((o) => o.outcome !== 'succeeded' && o.outcome !== 'fresh').length} season(s) left — run the same command to resume\n`
        : 'Backfill not complete: run the same command again to go on where it stopped (committed partitions are not fetched again).\n');
  }
  return stop.received() ? stop.exitCode() : complete ? 0 : 1;
}

