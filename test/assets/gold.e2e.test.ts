/**
 * The gold layer end to end at demo scale: the project's real assets against the simulator, from an empty lakehouse.
 * What a user of the gold tables relies on: every GOLD.md check passes; our adjusted ratings rank teams close to the
 * simulator's truth; the solver converges quickly; the market table keeps pushes apart; and no pre-game figure can
 * see the game it describes (altering one game's score changes none of its features and no rating dated on or
 * before its day, and does change later ratings).
 */
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { rollupSql } from '../../assets/silver/pbp.ts';
import { cbbdSource } from '../../src/cbbd/source.ts';
import { startSimulator } from '../../src/cbbd/sim/serve.ts';
import type { AssetDefinition } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { RunLog } from '../../src/core/run-log/run-log.ts';
import { runSelection, type Project } from '../../src/core/run-selection.ts';
import { catalogTables } from '../../src/lake/catalog/catalog.ts';
import { sqliteCheckpoints } from '../../src/lake/checkpoints/sqlite.ts';
import { duckConnection, sqlString } from '../../src/lake/duckdb.ts';
import { runReadOnlyQuery } from '../../src/lake/query/duckdb.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';

const SEASON = 2024;
const closers: (() => Promise<void> | void)[] = [];
let root: string;
let definitions: AssetDefinition[];
let project: Project;
let runLog: RunLog;
let truth: { teams: { teamId: number; net: number }[] };

const query = async (sql: string) => (await runReadOnlyQuery(root, catalogTables(definitions), sql)).rows as Record<string, string | null>[];

/** Spearman's rank correlation (no ties expected among continuous ratings). */
function spearman(pairs: readonly (readonly [number, number])[]): number {
  const ranks = (values: number[]) => {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(values.length);
    order.forEach(([, i], rank) => (r[i] = rank));
    return r;
  };
  const a = ranks(pairs.map((p) => p[0]));
  const b = ranks(pairs.map((p) => p[1]));
  const n = pairs.length;
  const d2 = a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

beforeAll(async () => {
  // The test's own folder: helpers' tempDir is removed after each test, and these tests share one lakehouse.
  const dir = execFileSync('mktemp', ['-d', '/tmp/cbbd-gold-XXXXXX']).toString().trim();
  closers.push(() => execFileSync('rm', ['-rf', dir]) && undefined);
  void tempDir;
  const now = () => new Date('2024-06-01T12:00:00Z');
  const sim = await startSimulator({ seed: 7, scale: 'demo', now });
  const source = cbbdSource({
    apiKey: 'gold-test-key', baseUrl: sim.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 4, timeoutMs: 30_000, retries: 1,
    simulator: { seed: 7, scale: 'demo', gameCap: 3_000 },
  }, silentLogger());
  const checkpoints = sqliteCheckpoints(join(dir, 'checkpoints.sqlite'));
  runLog = await RunLog.open(join(dir, 'runlog.sqlite'));
  closers.push(() => sim.close(), () => source.close(), () => checkpoints.close(), () => runLog.close());
  const window = { firstSeason: SEASON, lastSeason: SEASON, start: '11-01', end: '04-30' };
  root = join(dir, 'lakehouse');
  definitions = createAssets({ source, storage: localStorage(root), window, gameCap: 3_000, now, rollingDays: 3, checkpoints });
  project = { graph: buildAssetGraph(definitions), runLog, checkpoints, window, rollingDays: 3, materialize: { concurrency: 2, retries: 0 }, now };
  const result = await runSelection(project, { selection: 'gold/*,silver/fct_pbp_team_daily_rollup_adj', filter: { seasonFrom: SEASON, seasonTo: SEASON } });
  expect(result.status).toBe('succeeded');
  truth = await (await fetch(`${sim.url}/_sim/truth?season=${SEASON}`)).json() as typeof truth;
}, 300_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('the gold layer', () => {
  it('passes every check GOLD.md asks for, on every partition', async () => {
    // Every gold table, and the play-by-play derivations built (all but the garbage-removed rollup, which nothing reads).
    const built = definitions.filter((d) => d.key.startsWith('gold/') || (d.key.startsWith('silver/fct_pbp_') && !d.key.endsWith('rollup_garbage_removed')));
    expect(built.length).toBe(12);
    for (const asset of built) {
      const results = await runLog.checkResultsOf(asset.key, 10_000);
      expect(results.length, asset.key).toBeGreaterThan(0);
      expect(results.filter((r) => !r.passed), asset.key).toEqual([]);
    }
    const [counts] = await query(`SELECT
      (SELECT count(*) FROM gold.team_power_rankings) AS rankings, (SELECT count(*) FROM gold.team_season_summary) AS summaries,
      (SELECT count(*) FROM silver.dim_teams WHERE conferenceId IS NOT NULL) AS division_one,
      (SELECT min(composite_rank) FROM gold.team_power_rankings) AS best,
      (SELECT count(*) FROM gold.game_predictions_features) AS sides, (SELECT count(*) FROM silver.fct_games) AS games`);
    expect(counts).toMatchObject({ rankings: counts!.division_one, summaries: counts!.division_one });
    expect(Number(counts!.best)).toBe(1);
    expect(Number(counts!.sides)).toBe(2 * Number(counts!.games));
  });

  it('ranks teams close to the simulator\'s truth, better than unadjusted efficiency, in few solver iterations', async () => {
    const rows = await query(`SELECT teamId, pbp_adj_net_eff, pbp_net_eff FROM gold.team_power_rankings WHERE pbp_adj_net_eff IS NOT NULL`);
    const net = new Map(truth.teams.map((t) => [t.teamId, t.net]));
    const adjusted = spearman(rows.map((r) => [Number(r.pbp_adj_net_eff), net.get(Number(r.teamId))!] as const));
    const raw = spearman(rows.map((r) => [Number(r.pbp_net_eff), net.get(Number(r.teamId))!] as const));
    expect(rows.length).toBe(truth.teams.length);
    expect(adjusted).toBeGreaterThan(0.85);
    expect(adjusted).toBeGreaterThan(raw);
    const run = (await runLog.listRuns(5)).at(-1)!;
    const iterations = (await runLog.materializationsOf(run.id))
      .filter((m) => m.asset === 'gold/team_adjusted_efficiencies').map((m) => Number(m.metadata?.iterations));
    expect(iterations.length).toBeGreaterThan(50);
    expect(Math.max(...iterations)).toBeLessThan(50);
  });

  it('rolls up a season of days in one query exactly as day by day', async () => {
    // The rollups were built a step at a time (stepSql); each day's SQL over exactly its earlier days gives the same.
    const days = (await query(`SELECT DISTINCT date FROM silver.fct_pbp_team_daily_rollup ORDER BY date`)).map((r) => r.date!);
    expect(days.length).toBeGreaterThan(50);
    for (const [suffix, hca] of [['', undefined], ['_adj', 4]] as const) {
      for (const day of [days[1]!, days[Math.floor(days.length / 2)]!, days.at(-1)!]) {
        const dayByDay = rollupSql(hca).replace(/^\s*WITH /, `WITH flat AS (SELECT * FROM silver.fct_pbp_game_teams_flat WHERE season = ${SEASON} AND date < '${day}'), `);
        const built = await query(`SELECT * EXCLUDE (season, date) FROM silver.fct_pbp_team_daily_rollup${suffix} WHERE date = '${day}' ORDER BY teamId`);
        expect(built.length, `${suffix} ${day}`).toBeGreaterThan(0);
        expect(built, `${suffix} ${day}`).toEqual(await query(`SELECT * FROM (${dayByDay}) ORDER BY teamId`));
      }
    }
  });

  it('keeps pushes apart from losses, and the home side covers about half the time', async () => {
    const [m] = await query(`SELECT count(*) AS lines, count(*) FILTER (WHERE is_push) AS pushes,
      count(*) FILTER (WHERE is_push AND home_covered IS NOT NULL) AS push_scored,
      avg(home_covered::INTEGER) AS cover_share, avg(spread_error) AS spread_error FROM gold.market_lines_analysis`);
    expect(Number(m!.lines)).toBeGreaterThan(100);
    expect(m!.push_scored).toBe('0');
    expect(Number(m!.cover_share)).toBeGreaterThan(0.4);
    expect(Number(m!.cover_share)).toBeLessThan(0.6);
  });

  it('features and ratings never see the game they precede: altering one final score changes only later ratings', async () => {
    // A final game of mid-season, and one made field goal of it.
    const [game] = await query(`SELECT g.id, g.date FROM silver.fct_games g WHERE g.status = 'final'
      AND g.date = (SELECT date FROM silver.fct_games GROUP BY date HAVING count(*) >= 3 ORDER BY date LIMIT 1 OFFSET 40) ORDER BY g.id LIMIT 1`);
    const day = game!.date!;
    const features = `SELECT * EXCLUDE (team_score, opp_score, team_win) FROM gold.game_predictions_features WHERE gameId = ${game!.id} ORDER BY teamId`;
    const ratings = `SELECT date, teamId, adj_oe, adj_de, srs FROM gold.team_adjusted_efficiencies ORDER BY date, teamId`;
    const beforeFeatures = await query(features);
    const beforeRatings = await query(ratings);
    expect(beforeFeatures.length).toBe(2);
    expect(beforeFeatures[0]!.team_adj_oe).not.toBeNull();

    // Rewrite that day's plays with one made field goal of the game turned into a miss: its final score changes.
    const dayFolder = join(root, `silver/fct_plays/season=${SEASON}/date=${day}`);
    const connection = await duckConnection();
    try {
      const file = join(dayFolder, 'part-0.parquet');
      const [shot] = (await connection.runAndReadAll(`SELECT id FROM read_parquet(${sqlString(file)}) WHERE gameId = ${game!.id} AND scoringPlay AND scoreValue = 2 ORDER BY id LIMIT 1`)).getRows();
      await connection.run(`COPY (SELECT * REPLACE (CASE WHEN id = ${shot![0]} THEN false ELSE scoringPlay END AS scoringPlay) FROM read_parquet(${sqlString(file)}))
        TO ${sqlString(`${file}.new`)} (FORMAT parquet)`);
      renameSync(`${file}.new`, file);
    } finally {
      connection.closeSync();
    }
    const filter = { seasonFrom: SEASON, seasonTo: SEASON };
    expect((await runSelection(project, { selection: 'silver/fct_pbp_plays_enriched', force: true, filter: { ...filter, dateFrom: day, dateTo: day } })).status).toBe('succeeded');
    const rebuild = await runSelection(project, { selection: 'silver/fct_pbp_plays_enriched+', filter });
    expect(rebuild.status).toBe('succeeded');
    const rebuiltRatingDates = rebuild.steps.filter((s) => s.asset === 'gold/team_adjusted_efficiencies').flatMap((s) => s.succeeded);
    expect(rebuiltRatingDates.length).toBeGreaterThan(0);
    expect(rebuiltRatingDates.every((p) => p.slice(5) > day)).toBe(true);

    expect(await query(features)).toEqual(beforeFeatures);
    const afterRatings = await query(ratings);
    const key = (r: Record<string, string | null>) => `${r.date} ${r.teamId}`;
    const before = new Map(beforeRatings.map((r) => [key(r), r]));
    const onOrBefore = afterRatings.filter((r) => r.date! <= day);
    expect(onOrBefore.length).toBeGreaterThan(0);
    for (const r of onOrBefore) expect(r).toEqual(before.get(key(r)));
    expect(afterRatings.filter((r) => r.date! > day).some((r) => JSON.stringify(r) !== JSON.stringify(before.get(key(r))))).toBe(true);
  }, 300_000);
});
