/**
 * Source benchmark: a one-season backfill of every raw asset against the simulator at full scale (about 362
 * Division I teams, 5,900 games), through the real client and HTTP. Prints the calls per endpoint, the time, and what
 * a naive per-game pipeline would have needed.
 * With `--latency real` the simulator answers as slowly as the real API (src/sim/latency.ts), so the time is
 * what a real backfill would take.
 * Run: npm run bench -- backfill [--season 2024] [--latency real]
 * With --seasons it measures the `cbbd backfill` command itself, raw to gold, over several seasons, with a kill and a
 * resume half-way (see backfill-command.ts): npm run bench -- backfill --seasons 2020-2024 --scale full
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencyArg } from './_latency.ts';
import { startSimulator } from '../src/sim/serve.ts';
import { benchProject, callsByEndpoint } from './_project.ts';
import { backfillCommandBench } from './backfill-command.ts';

export async function backfillBench(args: string[]): Promise<void> {
  if (args.includes('--seasons')) return backfillCommandBench(args);
  const i = args.indexOf('--season');
  const season = i >= 0 ? Number(args[i + 1]) : 2024;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-backfill-'));
  const t0 = performance.now();
  const latency = latencyArg(args);
  const sim = await startSimulator({ seed: 2024, scale: 'full', latency });
  sim.world.season(season);
  const generated = performance.now() - t0;
  const project = await benchProject({ url: sim.url, dir, season, scale: 'full' });
  const rssBefore = process.memoryUsage().rss;
  const t1 = performance.now();
  const result = await project.run('raw/*');
  const ran = performance.now() - t1;
  const games = sim.world.season(season).games.length;
  const calls = sim.stats;
  console.log(`backfill benchmark: season ${season}, full scale: ${sim.world.divisionOneTeams.length} Division I teams, ${games.toLocaleString()} games`);
  console.log(`  simulator: generated the season in ${(generated / 1000).toFixed(1)} s; latency profile: ${latency ? `${latency.name} (${(calls.latencyMs / 1000).toFixed(0)} s of waiting summed over requests, ${calls.gatewayTimeouts} gateway timeouts)` : 'none'}`);
  console.log(`  run ${result.status}: ${result.counts.succeeded} partitions in ${(ran / 1000).toFixed(1)} s (simulator serving included), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (before the run ${Math.round(rssBefore / 1e6)} MB)`);
  console.log(`  API calls: ${calls.total} in all (target: at most 1,000)`);
  for (const [endpoint, n] of callsByEndpoint(calls.byPath)) console.log(`    ${endpoint.padEnd(26)} ${n}`);
  console.log(`  a naive pipeline (plays, substitutions and lineups per game): about ${(games * 3).toLocaleString()} calls`);
  await project.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
