/**
 * What the source and lakehouse benchmarks share: the project's real assets on a temporary local lakehouse, fed by
 * a simulator at `url` through the real client, with a run log and checkpoints, and one call to plan and run a
 * selection the way `cbbd materialize` does.
 */
import { join } from 'node:path';
import { createAssets } from '../assets/index.ts';
import { DEFAULT_GOLD, type GoldParameters } from '../assets/resources.ts';
import type { AssetDefinition } from '../src/core/asset.ts';
import { cbbdSource, type CbbdSource } from '../src/cbbd/source.ts';
import type { SimScale } from '../src/sim/world.ts';
import { CallAccounting, totalCalls } from '../src/cbbd/call-accounting.ts';
import { fetchScope } from '../src/cbbd/dead-letters.ts';
import { buildAssetGraph, type AssetGraph } from '../src/core/graph.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { RunResult } from '../src/core/materializer.ts';
import { planSelection, runPlanned, type PlannedRun, type Project, type RunControls } from '../src/core/run-selection.ts';
import { RunLog } from '../src/store/run-log.ts';
import { sqliteCheckpoints } from '../src/lake/checkpoints/sqlite.ts';
import { localStorage } from '../src/lake/storage/local.ts';

export interface BenchProject {
  readonly source: CbbdSource;
  readonly root: string;
  readonly definitions: readonly AssetDefinition[];
  readonly graph: AssetGraph;
  readonly runLog: RunLog;
  /** Plan the selection (one season: the benchmark's, or `season`) from the run log, as `cbbd plan` does. */
  plan(selection: string, options?: { force?: boolean; season?: number; callBudget?: number }): Promise<PlannedRun>;
  /** Plan the selection from the run log and materialize it, calendars first, as `cbbd materialize` does. */
  run(selection: string, options?: { force?: boolean; season?: number; callBudget?: number; planned?: PlannedRun; controls?: RunControls }): Promise<RunResult>;
  close(): Promise<void>;
}

/**
 * API calls per endpoint (sorted) from the simulator's counts per path, less the counts `before` (a snapshot taken
 * earlier, to count one pass or one night).
 */
export function callsByEndpoint(byPath: Readonly<Record<string, number>>, before: Readonly<Record<string, number>> = {}): Map<string, number> {
  const calls = new Map<string, number>();
  for (const [path, n] of Object.entries(byPath)) {
    const delta = n - (before[path] ?? 0);
    const endpoint = CallAccounting.endpointOf(path);
    if (delta) calls.set(endpoint, (calls.get(endpoint) ?? 0) + delta);
  }
  return new Map([...calls].sort(([a], [b]) => a.localeCompare(b)));
}

export async function benchProject(settings: { url: string; dir: string; season: number; scale: SimScale; now?: () => Date; firstSeason?: number; gold?: Partial<GoldParameters> }): Promise<BenchProject> {
  const now = settings.now ?? (() => new Date());
  const log = silentLogger();
  // Every call goes to the run log's ledger, as in the CLI (the quota benchmark reads it).
  const ledger: { runLog?: RunLog } = {};
  const source = cbbdSource({
    apiKey: 'bench-key', baseUrl: settings.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 8, timeoutMs: 300_000, retries: 2,
  }, log, undefined, undefined, (name, call) => ledger.runLog?.recordApiCall({ source: name, ...call }));
  const window = { firstSeason: settings.firstSeason ?? settings.season, lastSeason: settings.season, start: '11-01', end: '04-30' };
  const root = join(settings.dir, 'lakehouse');
  const checkpoints = sqliteCheckpoints(join(settings.dir, 'checkpoints.sqlite'));
  const definitions = createAssets({
    source, storage: localStorage(root), window, gameCap: 3_000, now, rollingDays: 3, checkpoints, ...(settings.gold && { gold: { ...DEFAULT_GOLD, ...settings.gold } }),
  });
  const graph = buildAssetGraph(definitions);
  const runLog = await RunLog.open(join(settings.dir, 'runlog.sqlite'), { clock: () => now().getTime() });
  ledger.runLog = runLog;
  // No checkpoints for the planner: the benchmarks measure what each run fetches, settled or not.
  // Each compute runs in a fetch scope, as in the CLI, so the client counts calls per asset.
  const hooks = { aroundCompute: <T>(asset: AssetDefinition, partitions: readonly string[], compute: () => Promise<T>) => fetchScope.run({ asset: asset.key, partitions }, compute) };
  const project: Project = { graph, runLog, window, rollingDays: 3, materialize: { concurrency: 2, retries: 1 }, log, now, hooks };
  const plan = (selection: string, options: { force?: boolean; season?: number; callBudget?: number } = {}) => {
    const season = options.season ?? settings.season;
    return planSelection(project, {
      selection, filter: { seasonFrom: season, seasonTo: season }, force: options.force ?? false, buildNeverBuiltUpstream: false,
      ...(options.callBudget !== undefined && { callBudget: options.callBudget }),
    });
  };
  const callsSoFar = () => totalCalls(source.calls());
  return {
    source, root, definitions, graph, runLog, plan,
    async run(selection, options = {}) {
      // A call budget counts this run's calls only (the source's counts span every run of the benchmark).
      const before = callsSoFar();
      const controls: RunControls = { callsMade: () => callsSoFar() - before, ...options.controls };
      const result = await runPlanned(project, options.planned ?? await plan(selection, options), controls);
      for (const step of result.steps.filter((s) => s.status !== 'succeeded')) console.log(`    ${step.step} ${step.status}: ${step.error}`);
      return result;
    },
    async close() {
      await checkpoints.close();
      await runLog.close();
      await source.close();
    },
  };
}
