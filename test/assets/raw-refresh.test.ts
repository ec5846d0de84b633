/**
 * The raw layer's nightly refresh, through the real assets, the real client and the simulator over HTTP, with a
 * clock moved a day at a time: only what can still change is asked again, substitutions and lineups come per newly
 * final game, a late stat correction is picked up, and no final game is missing afterwards.
 */
import type { GameBoxScorePlayers, GameInfo, PlayerSubsititution } from 'cbbd';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { readManifest, readRecords } from '../../src/authoring/raw/store.ts';
import { cbbdSource, type CbbdSource } from '../../src/cbbd/source.ts';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { RunResult } from '../../src/core/materializer.ts';
import { runSelection, type Project } from '../../src/core/run-selection.ts';
import { RunLog } from '../../src/store/run-log.ts';
import { sqliteCheckpoints } from '../../src/lake/checkpoints/sqlite.ts';
import { localStorage } from '../../src/lake/storage/local.ts';

const SELECTION = 'raw/games,raw/teams,raw/game_players,raw/substitutions,raw/lineups,raw/plays';
let clock = new Date('2024-01-20T10:00:00Z');
let sim: RunningSim;
let source: CbbdSource;
let runLog: RunLog;
let run: (callBudget?: number) => Promise<{ result: RunResult; calls: Record<string, number> }>;
let storage: ReturnType<typeof localStorage>;
let dir: string;

beforeAll(async () => {
  // Kept for the whole file (tempDir's folders go after each test): the budgeted night goes on from the last one.
  dir = mkdtempSync(join(tmpdir(), 'cbbd-refresh-'));
  sim = await startSimulator({ seed: 11, scale: 'demo', now: () => clock });
  source = cbbdSource({
    apiKey: 'refresh-test-key', baseUrl: sim.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 4, timeoutMs: 30_000, retries: 1,
  }, silentLogger());
  storage = localStorage(join(dir, 'lakehouse'));
  const window = { firstSeason: 2024, lastSeason: 2024, start: '11-01', end: '04-30' };
  const checkpoints = sqliteCheckpoints(join(dir, 'checkpoints.sqlite'));
  const graph = buildAssetGraph(createAssets({ source, storage, window, gameCap: 3_000, now: () => clock, rollingDays: 3, checkpoints }));
  runLog = await RunLog.open(join(dir, 'runlog.sqlite'), { clock: () => clock.getTime() });
  const project: Project = { graph, runLog, checkpoints, window, rollingDays: 3, materialize: { concurrency: 2, retries: 0 }, now: () => clock };
  run = async (callBudget?: number) => {
    const before = { ...sim.stats.byPath };
    const total = sim.stats.total;
    const result = await runSelection(
      project,
      { selection: SELECTION, filter: { seasonFrom: 2024, seasonTo: 2024 }, ...(callBudget !== undefined && { callBudget }) },
      { callsMade: () => sim.stats.total - total },
    );
    const calls: Record<string, number> = {};
    for (const [path, n] of Object.entries(sim.stats.byPath)) {
      const key = path.replace(/\/\d+$/, '/{id}');
      if (n - (before[path] ?? 0)) calls[key] = (calls[key] ?? 0) + n - (before[path] ?? 0);
    }
    return { result, calls };
  };
}, 120_000);
afterAll(async () => {
  await runLog.close();
  await source.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const finals = () => sim.world.gamesAsOf(2024).filter((g) => g.status === 'final');

describe('the nightly refresh of the raw layer', () => {
  it('backfills, then asks only for what can still change, night after night, and loses nothing', async () => {
    const backfill = await run();
    expect(backfill.result.status).toBe('succeeded');
    expect(backfill.calls['/substitutions/team']).toBeGreaterThan(20);
    const windowsBefore = (await readManifest(storage, 'raw/games/season=2024'))!.windows as { from: string; to: string }[];

    let corrected = false;
    let becameFinal = 0;
    for (let night = 1; night <= 4; night++) {
      const finalBefore = new Set(finals().map((g) => g.id));
      const boxesBefore = await readRecords<GameBoxScorePlayers>(storage, 'raw/game_players/season=2024');
      clock = new Date(clock.getTime() + 86_400_000);
      const newlyFinal = finals().filter((g) => !finalBefore.has(g.id)).length;
      becameFinal += newlyFinal;
      const { result, calls } = await run();
      expect(result.status).toBe('succeeded');
      // No per-team fan-out again: one call per game that became final, for each of the two per-game sources.
      expect(calls['/substitutions/team'] ?? 0).toBe(0);
      expect(calls['/substitutions/game/{id}'] ?? 0).toBe(newlyFinal);
      expect(calls['/lineups/game/{id}'] ?? 0).toBe(newlyFinal);
      // Settled windows are kept: a night asks one or two windows per date-range endpoint.
      expect(calls['/games']).toBeLessThanOrEqual(2);
      // Plays: the game days of the rolling window only (3 days), plus gaps.
      expect(calls['/plays/date'] ?? 0).toBeLessThanOrEqual(3);
      // A box score served preliminary the night before is corrected now, and the stored copy follows.
      const boxesAfter = new Map((await readRecords<GameBoxScorePlayers>(storage, 'raw/game_players/season=2024')).map((b) => [`${b.gameId}|${b.teamId}`, b]));
      if (boxesBefore.some((b) => JSON.stringify(b) !== JSON.stringify(boxesAfter.get(`${b.gameId}|${b.teamId}`)))) corrected = true;
    }
    expect(corrected).toBe(true);
    expect(becameFinal).toBeGreaterThan(3);

    const windowsAfter = (await readManifest(storage, 'raw/games/season=2024'))!.windows as { from: string; to: string }[];
    expect(windowsAfter[0]).toEqual(windowsBefore[0]);
    const games = await readRecords<GameInfo>(storage, 'raw/games/season=2024');
    const expected = new Set(finals().map((g) => g.id));
    expect(new Set(games.filter((g) => g.status === 'final').map((g) => g.id))).toEqual(expected);
    expect(new Set((await readRecords<PlayerSubsititution>(storage, 'raw/substitutions/season=2024')).map((s) => s.gameId))).toEqual(expected);
    expect(new Set((await readManifest(storage, 'raw/lineups/season=2024'))!.coveredGames as number[])).toEqual(expected);
  }, 240_000);

  it('within a call budget, defers newly final games\' substitutions and lineups (oldest first), keeps per-game answers in one part, and works the backlog off the next night', async () => {
    const coveredBefore = new Set((await readManifest(storage, 'raw/lineups/season=2024'))!.coveredGames as number[]);
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    const newlyFinal = finals().filter((g) => !coveredBefore.has(g.id));
    expect(newlyFinal.length).toBeGreaterThan(4);
    // Enough for the scores, box scores and plays of the night (about 8 calls here), not for every new game.
    const tight = await run(14);
    expect(tight.result.status).toBe('succeeded');
    const perGame = (tight.calls['/substitutions/game/{id}'] ?? 0) + (tight.calls['/lineups/game/{id}'] ?? 0);
    expect(perGame).toBeLessThan(2 * newlyFinal.length);
    const manifest = (await readManifest(storage, 'raw/lineups/season=2024'))!;
    const covered = new Set(manifest.coveredGames as number[]);
    const waiting = newlyFinal.filter((g) => !covered.has(g.id));
    expect(manifest.waitingGames).toBe(waiting.length);
    expect(waiting.length).toBeGreaterThan(0);
    // The oldest games went first: every waiting game started no earlier than every game fetched tonight.
    const fetched = newlyFinal.filter((g) => covered.has(g.id));
    expect(fetched.every((f) => waiting.every((w) => f.startDate <= w.startDate))).toBe(true);
    expect(manifest.oldestWaitingGame).toBe(waiting.map((g) => g.startDate).sort()[0]);
    // Per-game answers are compacted into one part beside the per-team answers of the backfill.
    expect(manifest.parts.filter((p) => p.path.includes('/game/')).length).toBe(1);

    // The next night without a budget asks for the games that waited, and those that became final since.
    clock = new Date(clock.getTime() + 86_400_000);
    const sinceLast = finals().filter((g) => !covered.has(g.id) && !waiting.some((w) => w.id === g.id));
    const catchUp = await run();
    expect(catchUp.calls['/lineups/game/{id}'] ?? 0).toBe(waiting.length + sinceLast.length);
    const after = (await readManifest(storage, 'raw/lineups/season=2024'))!;
    expect(after.waitingGames).toBe(0);
    const expected = new Set(finals().map((g) => g.id));
    expect(new Set(after.coveredGames as number[])).toEqual(expected);
    expect(new Set((await readRecords<PlayerSubsititution>(storage, 'raw/substitutions/season=2024')).map((s) => s.gameId))).toEqual(expected);
    expect(after.parts.filter((p) => p.path.includes('/game/')).length).toBe(1);
  }, 240_000);
});
