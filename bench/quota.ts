/**
 * Quota benchmark: the month's API budget against the simulator at full scale, with a monthly quota of 1,200 calls
 * (the free tier's 1,000 plus a little), driven through the same functions as `cbbd materialize` and `cbbd quota`:
 *   1. a season's backfill (2024, as of April 20 2024) runs, with its estimate per asset against the calls made;
 *   2. a second season (2023) is refused before its first call, with the numbers;
 *   3. `cbbd quota` as it would print;
 *   4. the second season with --allow-over-quota: the quota is spent mid-run and the run stops cleanly;
 *   5. the simulator's clock moves to May 1: the same command completes the rest.
 * Then (with `--nightly`, or alone with `--only-nightly`) the estimate error per asset over a backfill as of
 * mid-January and seven nightly runs, as `bench nightly` runs them.
 * Run: npm run bench -- quota [--quota 1200] [--scale full|demo] [--nightly | --only-nightly] [--nights 7]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSim } from '../src/sim/serve.ts';
import { assertPlanFitsQuota, quotaBudget, quotaStatus, quotaStopRule } from '../src/core/budget/quota.ts';
import type { RunResult } from '../src/core/materializer.ts';
import { renderBudgetLine, renderEstimateErrors, renderQuota } from '../src/cli/quota-report.ts';
import { renderRunResult } from '../src/cli/commands/materialize.ts';
import { benchProject, type BenchProject } from './_project.ts';

const RESERVE = '10%';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

/** Plan, check the budget as `cbbd materialize` does, run with the stop rule; returns undefined when refused. */
interface Ran { readonly result: RunResult; readonly estimated: Map<string, number>; readonly made: Record<string, number> }

async function materialize(project: BenchProject, season: number, now: () => Date, allowOverQuota = false): Promise<Ran | { refused: string }> {
  const status = quotaStatus(project.source.ledgerName, now(), (m, d) => project.runLog.apiCallUsage(project.source.ledgerName, m, d));
  const budget = quotaBudget(status, RESERVE);
  const planned = await project.plan('raw/*', { season });
  console.log(`    ${renderBudgetLine(planned.plan.expectedCalls, status, budget, RESERVE)}`);
  if (!allowOverQuota) {
    try {
      assertPlanFitsQuota(planned.plan.expectedCalls, budget, RESERVE);
    } catch (error) {
      return { refused: (error as Error).message };
    }
  }
  const before = project.source.callsByAsset();
  const result = await project.run('raw/*', {
    planned, controls: { stopTakingSteps: quotaStopRule(project.source.quota, RESERVE, { ...(budget && { budget }), allowOverQuota }) },
  });
  const after = project.source.callsByAsset();
  const made = Object.fromEntries(Object.entries(after).map(([a, n]) => [a, n - (before[a] ?? 0)]));
  console.log(renderRunResult(result).split('\n').map((l) => `    ${l}`).join('\n'));
  return { result, estimated: new Map(planned.plan.assets.map((a) => [a.asset, a.expectedCalls])), made };
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

async function quotaScenario(quota: number, scale: 'demo' | 'full'): Promise<void> {
  let clock = new Date('2024-04-20T10:00:00Z');
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-quota-'));
  const sim: RunningSim = await startSimulator({ seed: 2024, scale, now, monthlyCallQuota: quota });
  const project = await benchProject({ url: sim.url, dir, season: 2024, firstSeason: 2023, scale, now });
  const usage = () => project.runLog.apiCallUsage(project.source.ledgerName, 0, 0).endpoints.reduce((n, e) => n + e.month, 0);
  console.log(`quota benchmark: ${scale} scale, simulated quota ${quota.toLocaleString('en-US')} calls a month, reserve ${RESERVE}, clock ${clock.toISOString()}`);

  console.log('  1. backfill season 2024 (no figure yet: the first answer brings it)');
  let t = performance.now();
  const first = await materialize(project, 2024, now) as Ran;
  console.log(`    ${usage()} calls in ${((performance.now() - t) / 1000).toFixed(0)} s; the simulator says ${sim.quota.usage().keys[0]?.remaining} left`);
  console.log(indent(renderEstimateErrors(first.estimated, first.made)));

  console.log('  2. season 2023, as `cbbd materialize raw/* --season 2023`');
  const refused = await materialize(project, 2023, now);
  console.log('refused' in refused ? `    refused before any call (exit 2): cbbd: ${refused.refused}` : '    NOT refused');

  console.log('  3. cbbd quota');
  const status = quotaStatus(project.source.ledgerName, now(), (m, d) => project.runLog.apiCallUsage(project.source.ledgerName, m, d));
  console.log(indent(renderQuota(status, quotaBudget(status, RESERVE))));

  console.log('  4. season 2023 with --allow-over-quota');
  const callsBefore = usage();
  t = performance.now();
  const over = await materialize(project, 2023, now, true) as Ran;
  const stale = (await project.plan('raw/*', { season: 2023 })).plan;
  console.log(`    ${usage() - callsBefore} calls (${sim.stats.quotaRefused} refused by the simulator) in ${((performance.now() - t) / 1000).toFixed(0)} s; stopped: ${over.result.stopped ?? 'no'}`);
  console.log(`    afterwards the plan has ${stale.stalePartitions} stale partition(s) of season 2023 (failed ${over.result.counts.failed} + skipped ${over.result.counts.skipped} + never planned before the calendar), about ${stale.expectedCalls} calls`);

  console.log('  5. the simulator\'s clock moves to 2024-05-01: the same command');
  clock = new Date('2024-05-01T10:00:00Z');
  const callsBeforeMay = usage();
  t = performance.now();
  const rest = await materialize(project, 2023, now) as Ran;
  const after = (await project.plan('raw/*', { season: 2023 })).plan;
  console.log(`    ${usage() - callsBeforeMay} calls in ${((performance.now() - t) / 1000).toFixed(0)} s, run ${rest.result.status}; stale partitions of 2023 left: ${after.stalePartitions}`);
  console.log(indent(renderEstimateErrors(rest.estimated, rest.made)));
  await project.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Estimated against made, per asset, over a backfill as of mid-January and seven nights. */
async function nightlyEstimates(nights: number, scale: 'demo' | 'full'): Promise<void> {
  let clock = new Date('2024-01-15T10:00:00Z');
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-quota-nightly-'));
  const sim = await startSimulator({ seed: 2024, scale, now });
  const project = await benchProject({ url: sim.url, dir, season: 2024, scale, now });
  const totals = { estimated: new Map<string, number>(), made: {} as Record<string, number> };
  const run = async () => {
    const planned = await project.plan('raw/*');
    const before = project.source.callsByAsset();
    await project.run('raw/*', { planned });
    const after = project.source.callsByAsset();
    const estimated = new Map(planned.plan.assets.filter((a) => a.expectedCalls).map((a) => [a.asset, a.expectedCalls]));
    const made: Record<string, number> = {};
    for (const [a, n] of Object.entries(after)) if (n - (before[a] ?? 0)) made[a] = n - (before[a] ?? 0);
    return { estimated, made };
  };
  console.log(`quota benchmark, estimates: ${scale} scale, season 2024 backfilled as of ${clock.toISOString()}, then ${nights} nights`);
  const backfill = await run();
  console.log('  backfill:');
  console.log(indent(renderEstimateErrors(backfill.estimated, backfill.made)));
  for (let n = 1; n <= nights; n++) {
    clock = new Date(clock.getTime() + 86_400_000);
    const night = await run();
    const e = [...night.estimated.values()].reduce((a, b) => a + b, 0);
    const m = Object.values(night.made).reduce((a, b) => a + b, 0);
    const plays = `raw/plays ${night.estimated.get('raw/plays') ?? 0} / ${night.made['raw/plays'] ?? 0}`;
    console.log(`  night ${n} (${clock.toISOString().slice(0, 10)}): estimated ${e}, made ${m} (${plays})`);
    for (const [a, x] of night.estimated) totals.estimated.set(a, (totals.estimated.get(a) ?? 0) + x);
    for (const [a, x] of Object.entries(night.made)) totals.made[a] = (totals.made[a] ?? 0) + x;
  }
  console.log(`  the ${nights} nights together:`);
  console.log(indent(renderEstimateErrors(totals.estimated, totals.made)));
  await project.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}

export async function quotaBench(args: string[]): Promise<void> {
  const nights = Number(arg(args, '--nights', '7'));
  const scale = arg(args, '--scale', 'full') as 'demo' | 'full';
  if (!args.includes('--only-nightly')) await quotaScenario(Number(arg(args, '--quota', '1200')), scale);
  if (args.includes('--nightly') || args.includes('--only-nightly')) await nightlyEstimates(nights, scale);
}
