/**
 * Source benchmark: the nightly in-season incremental. A full-scale season is backfilled as of a mid-season morning,
 * then the clock moves one day at a time and every stale raw partition is materialized, as the nightly schedule
 * does. Prints the API calls of each night per endpoint, and checks that no row was lost: after the last night the
 * lakehouse holds every final game, box score and substitution the simulator has.
 * With `--latency real` the simulator answers as slowly as the real API (src/cbbd/sim/latency.ts).
 * Run: npm run bench -- nightly [--season 2024] [--from 2024-01-15] [--nights 7] [--scale full|demo] [--latency real]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GameBoxScorePlayers, GameInfo, PlayerSubsititution } from 'cbbd';
import { readManifest, readRecords } from '../src/lake/raw/store.ts';
import { latencyArg } from './_latency.ts';
import { startSimulator } from '../src/cbbd/sim/serve.ts';
import { localStorage } from '../src/lake/storage/local.ts';
import { benchProject, callsByEndpoint } from './_project.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

export async function nightlyBench(args: string[]): Promise<void> {
  const season = Number(arg(args, '--season', '2024'));
  const nights = Number(arg(args, '--nights', '7'));
  // Ten in the morning UTC: the last West Coast games of the night are final.
  let clock = new Date(`${arg(args, '--from', `${season}-01-15`)}T10:00:00Z`);
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-nightly-'));
  const scale = arg(args, '--scale', 'full') as 'full' | 'demo';
  const latency = latencyArg(args);
  const sim = await startSimulator({ seed: 2024, scale, now, latency });
  const project = await benchProject({ url: sim.url, dir, season, scale, now });
  const storage = localStorage(project.root);
  const run = async () => {
    const before = { ...sim.stats.byPath };
    const t = performance.now();
    const result = await project.run('raw/*');
    const byEndpoint = callsByEndpoint(sim.stats.byPath, before);
    const calls = [...byEndpoint.values()].reduce((a, b) => a + b, 0);
    return { calls, byEndpoint, seconds: (performance.now() - t) / 1000, partitions: result.counts.succeeded };
  };

  console.log(`nightly benchmark: season ${season}, ${scale} scale, backfilled as of ${clock.toISOString()}; latency profile: ${latency?.name ?? 'none'}`);
  const backfill = await run();
  console.log(`  backfill: ${backfill.calls} calls, ${backfill.partitions} partitions, ${backfill.seconds.toFixed(0)} s`);
  const perNight: number[] = [];
  for (let n = 1; n <= nights; n++) {
    clock = new Date(clock.getTime() + 86_400_000);
    const since = new Date(clock.getTime() - 86_400_000).toISOString();
    const newGames = sim.world.season(season).games.filter((g) => g.startDate >= since && g.startDate < clock.toISOString()).length;
    const night = await run();
    perNight.push(night.calls);
    const detail = [...night.byEndpoint].sort(([a], [b]) => a.localeCompare(b)).map(([e, c]) => `${e} ${c}`).join(', ');
    console.log(`  night ${n} (${clock.toISOString().slice(0, 10)}, ${newGames} games became final): ${night.calls} calls in ${night.seconds.toFixed(1)} s — ${detail}`);
  }
  const sorted = [...perNight].sort((a, b) => a - b);
  console.log(`  per night: median ${sorted[sorted.length >> 1]}, max ${sorted.at(-1)} calls (target: at most 150)${latency ? `; gateway timeouts ${sim.stats.gatewayTimeouts}` : ''}`);

  // No rows lost: what the lakehouse holds equals what the simulator serves as of the last night.
  const finals = sim.world.gamesAsOf(season).filter((g) => g.status === 'final').map((g) => g.id);
  const expected = new Set(finals);
  const ids = async <T>(prefix: string, id: (r: T) => number) => new Set((await readRecords<T>(storage, prefix)).map(id));
  const same = (a: Set<number>) => a.size === expected.size && [...a].every((x) => expected.has(x));
  const games = await ids<GameInfo>(`raw/games/season=${season}`, (g) => (g.status === 'final' ? g.id : -1));
  games.delete(-1);
  const boxes = await ids<GameBoxScorePlayers>(`raw/game_players/season=${season}`, (b) => b.gameId);
  const subs = await ids<PlayerSubsititution>(`raw/substitutions/season=${season}`, (s) => s.gameId);
  const lineups = (await readManifest(storage, `raw/lineups/season=${season}`))?.coveredGames as number[];
  console.log(`  rows lost: final games ${same(games) ? 'none' : 'SOME'} (${games.size}/${expected.size}), player box scores ${same(boxes) ? 'none' : 'SOME'}, substitutions ${same(subs) ? 'none' : 'SOME'}, lineups cover ${same(new Set(lineups)) ? 'every final game' : 'NOT every final game'}`);
  await project.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
