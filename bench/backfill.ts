/**
 * Source benchmark: a one-season backfill of every raw asset against the simulator at full scale (about 362
 * Division I teams, 5,900 games), through the real client and HTTP. Prints the calls per endpoint, the time, and what
 * a naive per-game pipeline would have needed.
 * Run: npm run bench -- backfill [--season 2024]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssets } from '../assets/index.ts';
import { CallAccounting } from '../src/cbbd/call-accounting.ts';
import { cbbdSource } from '../src/cbbd/source.ts';
import { startSimulator } from '../src/cbbd/sim/serve.ts';
import { noCheckpoints } from '../src/core/checkpoints.ts';
import { buildAssetGraph } from '../src/core/graph.ts';
import { silentLogger } from '../src/core/logger.ts';
import { materialize } from '../src/core/materializer.ts';
import { buildPlan } from '../src/core/planner.ts';
import { RunLog } from '../src/core/run-log/run-log.ts';
import { localStorage } from '../src/lake/storage/local.ts';

export async function backfillBench(args: string[]): Promise<void> {
  const i = args.indexOf('--season');
  const season = i >= 0 ? Number(args[i + 1]) : 2024;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-backfill-'));
  const t0 = performance.now();
  const sim = await startSimulator({ seed: 2024, scale: 'full' });
  sim.world.season(season);
  const generated = performance.now() - t0;
  const log = silentLogger();
  const source = cbbdSource({
    apiKey: 'bench-key', baseUrl: sim.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 8, timeoutMs: 120_000, retries: 2,
    simulator: { seed: 2024, scale: 'full', gameCap: 3_000 },
  }, log);
  const window = { firstSeason: season, lastSeason: season, start: '11-01', end: '04-30' };
  const graph = buildAssetGraph(createAssets({ source, storage: localStorage(join(dir, 'lakehouse')), window, gameCap: 3_000, now: () => new Date(), rollingDays: 3, checkpoints: noCheckpoints }));
  const runLog = await RunLog.open(join(dir, 'runlog.sqlite'));
  const options = { window, rollingDays: 3, filter: { seasonFrom: season, seasonTo: season } };
  const state = { now: new Date(), records: new Map(), calendars: new Map(), settled: new Map() };
  const rssBefore = process.memoryUsage().rss;
  const t1 = performance.now();
  const result = await materialize(graph, buildPlan(graph, '*', state, options), runLog, state, {
    ...options, concurrency: 2, retries: 1, log, replan: (live) => buildPlan(graph, '*', live, options),
  });
  const ran = performance.now() - t1;
  const games = sim.world.season(season).games.length;
  const calls = sim.stats;
  console.log(`backfill benchmark: season ${season}, full scale: ${sim.world.divisionOneTeams.length} Division I teams, ${games.toLocaleString()} games`);
  console.log(`  simulator: generated the season in ${(generated / 1000).toFixed(1)} s`);
  console.log(`  run ${result.status}: ${result.counts.succeeded} partitions in ${(ran / 1000).toFixed(1)} s (simulator serving included), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (before the run ${Math.round(rssBefore / 1e6)} MB)`);
  console.log(`  API calls: ${calls.total} in all (target: at most 1,000)`);
  const byEndpoint = new Map<string, number>();
  for (const [path, n] of Object.entries(calls.byPath)) {
    const endpoint = CallAccounting.endpointOf(path);
    byEndpoint.set(endpoint, (byEndpoint.get(endpoint) ?? 0) + n);
  }
  for (const [endpoint, n] of [...byEndpoint].sort(([a], [b]) => a.localeCompare(b))) console.log(`    ${endpoint.padEnd(26)} ${n}`);
  console.log(`  a naive pipeline (plays, substitutions and lineups per game): about ${(games * 3).toLocaleString()} calls`);
  for (const step of result.steps.filter((s) => s.status !== 'succeeded')) console.log(`  ${step.step} ${step.status}: ${step.error}`);
  await runLog.close();
  await source.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
