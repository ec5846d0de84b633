/**
 * The nightly in-season incremental, end to end. A full-scale season is backfilled as of a mid-season morning, then
 * the clock moves one day at a time and the selection (raw to gold by default) is materialized within the nightly's
 * call budget, as the nightly schedule does. Prints each night's calls per endpoint, wall time (and the simulator's
 * share of it), the games whose substitutions and lineups wait, the weekly refreshes deferred, and checks that no row
 * was lost: every final game is stored or waiting, and a last run without a budget stores them all.
 * With `--latency real` the simulator answers as slowly as the real API (src/sim/latency.ts).
 * Run: npm run bench -- nightly [--season 2024] [--from 2024-01-15] [--nights 14] [--scale full|demo]
 *      [--selection '*'] [--budget 150 | --budget none] [--latency real]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GameBoxScorePlayers, GameInfo, PlayerSubsititution } from 'cbbd';
import { readManifest, readRecords } from '../src/authoring/raw/store.ts';
import { latencyArg } from './_latency.ts';
import { startSimulator } from '../src/sim/serve.ts';
import { localStorage } from '../src/lake/storage/local.ts';
import { benchProject, callsByEndpoint } from './_project.ts';
import { waitingWork } from '../src/core/budget/waiting-work.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

export async function nightlyBench(args: string[]): Promise<void> {
  const season = Number(arg(args, '--season', '2024'));
  const nights = Number(arg(args, '--nights', '14'));
  const selection = arg(args, '--selection', '*');
  const budgetArg = arg(args, '--budget', '150');
  const callBudget = budgetArg === 'none' ? undefined : Number(budgetArg);
  // Ten in the morning UTC: the last West Coast games of the night are final.
  let clock = new Date(`${arg(args, '--from', `${season}-01-15`)}T10:00:00Z`);
  const now = () => clock;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-nightly-'));
  const scale = arg(args, '--scale', 'full') as 'full' | 'demo';
  const latency = latencyArg(args);
  const sim = await startSimulator({ seed: 2024, scale, now, latency });
  const project = await benchProject({ url: sim.url, dir, season, scale, now });
  const storage = localStorage(project.root);
  const run = async (budget: number | undefined) => {
    const before = { ...sim.stats.byPath };
    const serveBefore = sim.stats.serveMs;
    const t = performance.now();
    const result = await project.run(selection, budget === undefined ? {} : { callBudget: budget });
    const byEndpoint = callsByEndpoint(sim.stats.byPath, before);
    const calls = [...byEndpoint.values()].reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - t) / 1000;
    return { calls, byEndpoint, seconds, simSeconds: (sim.stats.serveMs - serveBefore) / 1000, partitions: result.counts.succeeded, failed: result.counts.failed };
  };

  console.log(`nightly benchmark: season ${season}, ${scale} scale, "${selection}", call budget ${callBudget ?? 'none'}, backfilled as of ${clock.toISOString()}; latency profile: ${latency?.name ?? 'none'}`);
  const backfill = await run(undefined);
  console.log(`  backfill: ${backfill.calls} calls, ${backfill.partitions} partitions, ${backfill.seconds.toFixed(0)} s`);
  const perNight: { calls: number; seconds: number; pipeline: number }[] = [];
  let longestWaitDays = 0;
  const lineupsAsset = project.graph.get('raw/lineups');
  const weekly = project.definitions.filter((d) => d.deferrable && !d.deferrable.partial && d.volatile).map((d) => d.key);
  let longestWeeklyDelayHours = 0;
  for (let n = 1; n <= nights; n++) {
    clock = new Date(clock.getTime() + 86_400_000);
    const since = new Date(clock.getTime() - 86_400_000).toISOString();
    const newGames = sim.world.season(season).games.filter((g) => g.startDate >= since && g.startDate < clock.toISOString()).length;
    const night = await run(callBudget);
    perNight.push({ calls: night.calls, seconds: night.seconds, pipeline: night.seconds - night.simSeconds });
    const waiting = (await waitingWork(lineupsAsset, project.runLog))!;
    if (waiting.oldest) longestWaitDays = Math.max(longestWaitDays, (clock.getTime() - Date.parse(waiting.oldest)) / 86_400_000);
    // A weekly refresh's delay: how far past its due time (7 days less 4 hours) its partition is, at its oldest.
    const records = project.runLog.loadPartitionRecords(weekly);
    for (const key of weekly) {
      const maxAge = project.graph.get(key).volatile!.maxAgeHours;
      for (const r of records.get(key)?.values() ?? []) {
        if (r.lastSuccessAt !== null) longestWeeklyDelayHours = Math.max(longestWeeklyDelayHours, (clock.getTime() - r.lastSuccessAt) / 3_600_000 - maxAge);
      }
    }
    const detail = [...night.byEndpoint].sort(([a], [b]) => a.localeCompare(b)).map(([e, c]) => `${e} ${c}`).join(', ');
    const weekday = clock.toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' });
    console.log(`  night ${n} (${weekday} ${clock.toISOString().slice(0, 10)}, ${newGames} games started the day before): ${night.calls} calls, ${night.seconds.toFixed(1)} s (${(night.seconds - night.simSeconds).toFixed(1)} s without the simulator), ${night.partitions} partitions${night.failed ? `, ${night.failed} FAILED` : ''}; lineups waiting: ${waiting.games}${waiting.oldest ? ` (oldest ${waiting.oldest.slice(0, 10)})` : ''} — ${detail}`);
  }
  const sorted = [...perNight].sort((a, b) => a.calls - b.calls);
  const bySeconds = [...perNight].sort((a, b) => a.pipeline - b.pipeline);
  const totalCalls = perNight.reduce((n, x) => n + x.calls, 0);
  console.log(`  per night: median ${sorted[sorted.length >> 1]?.calls}, max ${sorted.at(-1)?.calls} calls (target: at most 150); ${totalCalls} calls in ${nights} nights; ` +
    `wall time without the simulator: median ${bySeconds[bySeconds.length >> 1]?.pipeline.toFixed(1)} s, max ${bySeconds.at(-1)?.pipeline.toFixed(1)} s (target: under 120 s)${latency ? `; gateway timeouts ${sim.stats.gatewayTimeouts}` : ''}`);
  console.log(`  longest deferral: a game's substitutions and lineups ${longestWaitDays.toFixed(1)} day(s) after it started; a weekly refresh ${Math.max(0, longestWeeklyDelayHours).toFixed(0)} hour(s) past due`);
  const waitingAtEnd = (await waitingWork(lineupsAsset, project.runLog))!;
  // Games left waiting are asked for by the next run that refreshes their partition: the next night. One more night
  // without a budget works off the backlog, and then the lakehouse must hold every final game.
  let catchUp;
  if (callBudget !== undefined) {
    clock = new Date(clock.getTime() + 86_400_000);
    catchUp = await run(undefined);
    console.log(`  one more night without a budget: ${catchUp.calls} calls (${waitingAtEnd.games} games were waiting, and that day's new finals)`);
  }

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
