/**
 * Runs in a fresh process for the planner benchmark: opens a seeded run log, plans the whole graph three times and
 * computes `status`, then prints timings and peak memory as JSON. Usage: planner-probe.ts RUNLOG SEASONS NOW
 */
import { computeStatus } from '../src/cli/commands/status.ts';
import type { CommandContext } from '../src/cli/context.ts';
import { noCheckpoints } from '../src/core/checkpoints.ts';
import { buildAssetGraph } from '../src/core/graph.ts';
import { buildPlan } from '../src/core/planner.ts';
import { RunLog } from '../src/store/run-log.ts';
import type { Project } from '../src/core/run-selection.ts';
import type { PlannerState } from '../src/core/state.ts';
import { benchAssets } from './planner-graph.ts';

const [path, seasonsText, nowText] = process.argv.slice(2);
const now = new Date(nowText!);
const window = { firstSeason: 2026 - Number(seasonsText) + 1, lastSeason: 2026, start: '11-01', end: '04-30' };
const graph = buildAssetGraph(benchAssets());
const runLog = await RunLog.open(path!);
const loadMs: number[] = [];
const planMs: number[] = [];
let plan: ReturnType<typeof buildPlan> | undefined;
let coldMaxRssMb = 0;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const state: PlannerState = { now, records: runLog.loadPartitionRecords(), calendars: runLog.loadCalendars(), settled: new Map() };
  const t1 = performance.now();
  plan = buildPlan(graph, '*', state, { window, rollingDays: 3 });
  planMs.push(performance.now() - t1);
  loadMs.push(t1 - t0);
  // What one `cbbd plan` costs: the peak after the first (cold) load and plan, before repeats pile up garbage.
  if (i === 0) coldMaxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
}
const project: Project = { graph, runLog, window, rollingDays: 3, checkpoints: noCheckpoints, materialize: { concurrency: 1, retries: 0 } };
const ctx = { runLog, graph, window, project, config: { source: { rollingDays: 3 } } } as unknown as CommandContext;
const s0 = performance.now();
await computeStatus(ctx, '*');
const statusMs = performance.now() - s0;
const reasons: Record<string, number> = {};
for (const a of plan!.assets) for (const [k, v] of Object.entries(a.byReason)) reasons[k] = (reasons[k] ?? 0) + v;
process.stdout.write(JSON.stringify({
  loadMs, planMs, statusMs, coldMaxRssMb, stale: plan!.stalePartitions, steps: plan!.steps.length, reasons,
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
}));
await runLog.close();
