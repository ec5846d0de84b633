/**
 * Gold benchmark: the play-by-play derivations and every gold asset for one full-scale season, from silver.
 *
 * 1. Season: the clock at the end of the season; raw to silver is built first (not measured), then each
 *    play-by-play and gold asset is materialized on its own, in dependency order: wall time, partitions, and the
 *    process's peak RSS while it ran. Then the figures the gold issue asks for: the solver's iterations per rating
 *    date, the Spearman correlation with the simulator's truth of our adjusted margin, the unadjusted play-by-play
 *    margin and the API's own adjusted rating, and market sanity (home cover share, mean spread error beside the
 *    noise the simulator put in its lines).
 * 2. Nightly: a second lakehouse with `--earlier` complete seasons before the season (default 3: the preseason prior
 *    reads earlier seasons, so a night's cost may grow with the seasons kept), backfilled to a mid-season morning;
 *    the clock moves one day, raw to silver catches up (not measured), then everything stale in the play-by-play
 *    derivations and gold is materialized: one new game day through the whole gold layer, with each asset's time.
 * The simulator runs in this process (its clock must move), so peak RSS includes its world (about 0.3 GB).
 * Run: npm run bench -- gold [--season 2025] [--night 2025-02-15] [--earlier 3] [--night-only]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIVISION_ONE_SQL, GAMES_SQL, usableGames, type StoredGame } from '../assets/gold/adjusted-efficiencies.ts';
import { solveSeason } from '../assets/gold/season-walk.ts';
import { DEFAULT_GOLD } from '../assets/resources.ts';
import { startSimulator } from '../src/sim/serve.ts';
import { GAME_MARGIN_SD } from '../src/sim/game-engine.ts';
import { truthOf } from '../src/sim/truth.ts';
import type { AssetGraph } from '../src/core/graph.ts';
import { catalogTables } from '../src/lake/catalog/catalog.ts';
import { runReadOnlyQuery } from '../src/lake/query/duckdb.ts';
import { benchProject, type BenchProject } from './_project.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

/** The play-by-play derivations and gold (the box scores of games without plays complete the play-by-play's). */
const isDerived = (key: string) => key.startsWith('silver/fct_pbp_') || key === 'silver/fct_game_teams_without_plays' || key.startsWith('gold/');

/** The assets the derivations read that are not derivations themselves, with everything upstream of them. */
function inputsSelection(graph: AssetGraph): string {
  const inputs = new Set<string>();
  for (const key of graph.order.filter(isDerived)) for (const edge of graph.upstream(key)) if (!isDerived(edge.key)) inputs.add(edge.key);
  return [...inputs].map((k) => `+${k}`).join(',');
}

/** Peak RSS while `work` runs, sampled every 20 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

function spearman(pairs: readonly (readonly [number, number])[]): number {
  const ranks = (values: number[]) => {
    const r = new Array<number>(values.length);
    values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).forEach(([, i], rank) => (r[i] = rank));
    return r;
  };
  const a = ranks(pairs.map((p) => p[0]));
  const b = ranks(pairs.map((p) => p[1]));
  const n = pairs.length;
  return 1 - (6 * a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0)) / (n * (n * n - 1));
}

export async function goldBench(args: string[]): Promise<void> {
  const season = Number(arg(args, '--season', '2025'));
  const night = arg(args, '--night', `${season}-02-15`);
  let clock = new Date(`${season}-05-01T10:00:00Z`);
  const now = () => clock;
  const sim = await startSimulator({ seed: 2024, scale: 'full', now });
  const earlier = Number(arg(args, '--earlier', '3'));
  const dirs: string[] = [];
  const open = async (firstSeason = season): Promise<BenchProject> => {
    const dir = mkdtempSync(join(tmpdir(), 'cbbd-gold-'));
    dirs.push(dir);
    return benchProject({ url: sim.url, dir, season, scale: 'full', now, firstSeason });
  };
  try {
    console.log(`gold benchmark: season ${season}, full scale`);
    if (!args.includes('--night-only')) await seasonPart();
    await nightPart();
  } finally {
    await sim.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  async function seasonPart(): Promise<void> {
    const project = await open();
    let t = performance.now();
    const ingest = await project.run(inputsSelection(project.graph));
    console.log(`  raw to silver (not measured): ${ingest.status}, ${ingest.counts.succeeded} partitions, ${((performance.now() - t) / 1000).toFixed(0)} s`);

    console.log(`  ${'asset'.padEnd(48)} ${'partitions'.padStart(10)} ${'wall s'.padStart(8)} ${'peak RSS MB'.padStart(12)}`);
    let total = 0;
    let peakAll = 0;
    for (const key of project.graph.order.filter(isDerived)) {
      t = performance.now();
      const { value: result, peakMb } = await withPeakRss(() => project.run(key));
      const seconds = (performance.now() - t) / 1000;
      total += seconds;
      peakAll = Math.max(peakAll, peakMb);
      console.log(`  ${key.padEnd(48)} ${String(result.counts.succeeded).padStart(10)} ${seconds.toFixed(1).padStart(8)} ${peakMb.toFixed(0).padStart(12)}${result.status === 'succeeded' ? '' : `  ${result.status}`}`);
    }
    console.log(`  all derivations and gold: ${total.toFixed(1)} s, peak RSS ${peakAll.toFixed(0)} MB`);

    const tables = catalogTables(project.definitions);
    const query = async (sql: string) => (await runReadOnlyQuery(project.root, tables, sql)).rows as Record<string, unknown>[];
    // The solver alone over the season's games, as the asset calls it (inputs already in memory).
    const teams = await query(`SELECT id::DOUBLE AS teamId, school AS team, conference FROM silver.dim_teams WHERE conferenceId IS NOT NULL AND season = ${season} ORDER BY id`);
    const inputs = `WITH flat AS (SELECT * FROM silver.fct_pbp_game_teams_flat WHERE season = ${season}),
      box AS (SELECT * FROM silver.fct_game_teams_without_plays WHERE season = ${season}),
      teams AS (SELECT * FROM silver.dim_teams WHERE season = ${season}), d1 AS (${DIVISION_ONE_SQL})`;
    const games = usableGames((await query(`${inputs} ${GAMES_SQL}`)).map((r) => ({
      ...r, teamId: Number(r.teamId), opponentId: Number(r.opponentId), gameId: Number(r.gameId), points: Number(r.points), opp_points: Number(r.opp_points),
      possessions: Number(r.possessions), opp_possessions: Number(r.opp_possessions), game_minutes: Number(r.game_minutes), venue: Number(r.venue), date: String(r.date),
    })) as unknown as StoredGame[]).used;
    const walk = (await query(`SELECT DISTINCT date FROM gold.team_adjusted_efficiencies WHERE season = ${season} ORDER BY date`)).map((r) => String(r.date));
    t = performance.now();
    const solved = solveSeason(season, walk, new Set(walk), teams as never, games, DEFAULT_GOLD);
    const solverMs = performance.now() - t;
    const iterations = [...solved.stats.values()].map((s) => s.iterations);
    console.log(`  solver alone: ${walk.length} rating dates over ${games.length / 2} games in ${solverMs.toFixed(0)} ms; iterations per date max ${Math.max(...iterations)}, mean ${(iterations.reduce((a, b) => a + b, 0) / iterations.length).toFixed(1)}`);

    const truth = new Map(truthOf(sim.world, season).teams.map((s) => [s.teamId, s.net]));
    const rankings = await query(`SELECT teamId::DOUBLE AS teamId, pbp_adj_net_eff, pbp_net_eff, adj_net_rating FROM gold.team_power_rankings WHERE season = ${season}`);
    const rho = (column: string) => spearman(rankings.filter((r) => r[column] !== null).map((r) => [Number(r[column]), truth.get(Number(r.teamId))!] as const));
    console.log(`  Spearman with the true net strength (${rankings.length} Division I teams): pbp_adj_net_eff ${rho('pbp_adj_net_eff').toFixed(3)}, unadjusted pbp_net_eff ${rho('pbp_net_eff').toFixed(3)}, the API's adj_net_rating ${rho('adj_net_rating').toFixed(3)}`);
    const [market] = await query(`SELECT count(*) AS lines, avg(home_covered::INTEGER) AS cover_share, count(*) FILTER (WHERE is_push) AS pushes,
      count(*) FILTER (WHERE is_push AND home_covered IS NOT NULL) AS pushes_scored, avg(spread_error) AS spread_error FROM gold.market_lines_analysis WHERE season = ${season}`);
    // Results scatter GAME_MARGIN_SD around the expected margin, lines 3 (and 0.5 per book) around it: the spread's
    // error against the result is about N(0, sqrt(10² + 3² + 0.5²)), whose mean absolute value is sqrt(2/π) times that.
    const expectedError = Math.sqrt(2 / Math.PI) * Math.sqrt(GAME_MARGIN_SD ** 2 + 3 ** 2 + 0.5 ** 2);
    console.log(`  market: ${market!.lines} lines, home covered ${(Number(market!.cover_share) * 100).toFixed(1)}%, ${market!.pushes} pushes (${market!.pushes_scored} scored as a cover or loss), mean spread_error ${Number(market!.spread_error).toFixed(2)} points (the simulator's noise makes about ${expectedError.toFixed(2)})`);
    await project.close();
  }

  async function nightPart(): Promise<void> {
    // The nightly: one new game day through the play-by-play derivations and gold, with `earlier` seasons before it.
    clock = new Date(`${night}T10:00:00Z`);
    clock = new Date(clock.getTime() - 86_400_000);
    const nightly = await open(season - earlier);
    let t = performance.now();
    const everything = `${inputsSelection(nightly.graph)},silver/fct_pbp_*,silver/fct_game_teams_without_plays,gold/*`;
    for (let s = season - earlier; s < season; s++) {
      const built = await nightly.run(everything, { season: s });
      console.log(`  nightly: season ${s} built (not measured): ${built.status}, ${built.counts.succeeded} partitions, ${((performance.now() - t) / 1000).toFixed(0)} s`);
      t = performance.now();
    }
    const backfill = await nightly.run(everything);
    console.log(`  nightly: backfilled to ${clock.toISOString()} (not measured): ${backfill.status}, ${backfill.counts.succeeded} partitions, ${((performance.now() - t) / 1000).toFixed(0)} s`);
    clock = new Date(`${night}T10:00:00Z`);
    t = performance.now();
    const caughtUp = await nightly.run(inputsSelection(nightly.graph));
    console.log(`  the night of ${night}: raw to silver ${caughtUp.status}, ${caughtUp.counts.succeeded} partitions, ${((performance.now() - t) / 1000).toFixed(1)} s (not measured)`);
    t = performance.now();
    const { value: gold, peakMb } = await withPeakRss(() => nightly.run('silver/fct_pbp_*,silver/fct_game_teams_without_plays,gold/*'));
    const byAsset = new Map<string, { partitions: number; ms: number }>();
    for (const step of gold.steps) {
      const a = byAsset.get(step.asset) ?? { partitions: 0, ms: 0 };
      byAsset.set(step.asset, { partitions: a.partitions + step.succeeded.length, ms: a.ms + step.durationMs });
    }
    console.log(`  the night's play-by-play derivations and gold (${earlier} earlier season(s) in the lakehouse): ${gold.status}, ${gold.counts.succeeded} partitions in ${((performance.now() - t) / 1000).toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB`);
    console.log(`    ${[...byAsset].map(([k, a]) => `${k} ${a.partitions} (${(a.ms / 1000).toFixed(1)} s)`).join(', ')}`);
    await nightly.close();
  }
}
