/**
 * Ratings benchmark: how well our adjusted efficiencies rank teams and predict games, against the simulator's truth,
 * a plain least-squares margin fit (Massey) on the same games, our SRS and the market's closing line.
 *
 * Builds the seasons asked for (and the one before the first, so that every season measured can start from a
 * preseason prior) from an empty lakehouse, raw to gold, then prints per season:
 * - the end-of-season ranking: Spearman with the truth's latent net strength of our final `pbp_adj_net_eff`, the
 *   no-garbage variant, our SRS, Massey over all the season's final Division I games, and the API's own rating;
 * - pre-game predictions of final Division I games with a line, from January 15 on: RMSE and MAE against the result,
 *   RMSE against the truth's expected margin, and bias, for ours (`pred_margin`), our pre-game SRS, Massey fitted
 *   on the games before each date, and the line; the truth's own error against results for scale;
 * - the `gold/ratings_backtest` rows of the season.
 *
 * Run: npm run bench -- ratings [--scale demo|full] [--seasons 2024-2026] [--seed 2024] [--dir DIR] [--no-prior-season]
 *   --dir keeps the lakehouse there (and reuses one built before: only what is stale is built again);
 *   --gold '{"priorGames":4}' overrides gold parameters (config `gold:`).
 *   --sweep 'priorGames=0,3,5;priorRegression=0.6,0.8' ('none': unset; 'false': off, as freeThrowPriorAttempts=false) solves every combination in this process over the built
 *   lakehouse (no materialization) and prints the backtest's figures for each: how the defaults were chosen.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { masseyFit, masseyMargin, type MarginGame, type MasseyFit } from '../assets/gold/solver.ts';
import { DIVISION_ONE_SQL, GAMES_SQL, usableGames, type StoredGame } from '../assets/gold/adjusted-efficiencies.ts';
import { masseyPredictions, priorsOf, ratingDates, seasonPrior, solveSeason, type PriorRow } from '../assets/gold/season-walk.ts';
import { DEFAULT_GOLD, type GoldParameters } from '../assets/resources.ts';
import { startSimulator } from '../src/sim/serve.ts';
import { truthOf } from '../src/sim/truth.ts';
import type { SimScale } from '../src/sim/world.ts';
import { catalogTables } from '../src/lake/catalog/catalog.ts';
import { runReadOnlyQuery } from '../src/lake/query/duckdb.ts';
import { benchProject } from './_project.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}

/** Spearman's rank correlation, ties given their mean rank. */
export function spearman(pairs: readonly (readonly [number, number])[]): number {
  const ranks = (values: readonly number[]) => {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(values.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
      for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const a = ranks(pairs.map((p) => p[0]));
  const b = ranks(pairs.map((p) => p[1]));
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

interface Game {
  id: number;
  date: string;
  home: number;
  away: number;
  neutral: boolean;
  margin: number;
  spread: number | null;
}

/** Error figures of predictions against results and against the truth's expected margin. */
function errors(rows: readonly { pred: number; actual: number; truth: number }[]) {
  const n = rows.length;
  const rmse = (f: (r: (typeof rows)[number]) => number) => Math.sqrt(rows.reduce((s, r) => s + f(r) ** 2, 0) / n);
  return {
    n,
    rmse: rmse((r) => r.pred - r.actual),
    rmseTruth: rmse((r) => r.pred - r.truth),
    mae: rows.reduce((s, r) => s + Math.abs(r.pred - r.actual), 0) / n,
    bias: rows.reduce((s, r) => s + r.pred - r.actual, 0) / n,
  };
}

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const f4 = (x: number) => x.toFixed(4);

export async function ratingsBench(args: string[]): Promise<void> {
  const scale = arg(args, '--scale', 'demo') as SimScale;
  const [first, last] = arg(args, '--seasons', '2024-2026').split('-').map(Number) as [number, number?];
  const lastSeason = last ?? first;
  const firstLoaded = args.includes('--no-prior-season') ? first : first - 1;
  const gold = args.includes('--gold') ? JSON.parse(arg(args, '--gold', '{}')) as Partial<GoldParameters> : undefined;
  const keep = args.includes('--dir') ? arg(args, '--dir', '') : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'cbbd-ratings-'));
  if (keep && !existsSync(keep)) mkdirSync(keep, { recursive: true });
  const now = () => new Date(`${lastSeason}-05-01T10:00:00Z`);
  const seed = Number(arg(args, '--seed', '2024'));
  const sim = await startSimulator({ seed, scale, now });
  try {
    const project = await benchProject({ url: sim.url, dir, season: lastSeason, firstSeason: firstLoaded, scale, now, ...(gold && { gold }) });
    console.log(`ratings benchmark: ${scale} scale (seed ${seed}), seasons ${first}-${lastSeason}${firstLoaded < first ? ` (and ${firstLoaded} for the preseason prior)` : ''}, lakehouse ${dir}`);
    for (let season = firstLoaded; season <= lastSeason; season++) {
      const t = performance.now();
      const result = await project.run('+gold/*', { season });
      console.log(`  built ${season}: ${result.status}, ${result.counts.succeeded} partition(s) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    const tables = catalogTables(project.definitions);
    const query = async (sql: string) => (await runReadOnlyQuery(project.root, tables, sql)).rows as Record<string, unknown>[];
    const hasColumn = async (table: string, column: string) =>
      Number((await query(`SELECT count(*) AS n FROM (DESCRIBE ${table}) WHERE column_name = '${column}'`))[0]!.n) > 0;
    const newModel = await hasColumn('gold.game_predictions_features', 'pred_margin');
    const hasBacktest = project.graph.has('gold/ratings_backtest');

    for (let season = first; season <= lastSeason; season++) {
      const truth = truthOf(sim.world, season);
      const strength = new Map(truth.teams.map((t) => [t.teamId, t]));
      const index = new Map(truth.teams.map((t, i) => [t.teamId, i]));
      const expected = (g: Game) => {
        const h = strength.get(g.home)!;
        const a = strength.get(g.away)!;
        return ((h.net - a.net) * (h.tempo + a.tempo)) / 2 / 100 + (g.neutral ? 0 : truth.homeAdvantage);
      };
      const games: Game[] = (await query(`
        WITH d1 AS (SELECT id FROM silver.dim_teams WHERE season = ${season} AND conferenceId IS NOT NULL),
        line AS (SELECT gameId, median(spread) AS spread FROM silver.fct_lines WHERE season = ${season} AND spread IS NOT NULL GROUP BY gameId)
        SELECT g.id, g.date, g.homeTeamId, g.awayTeamId, g.neutralSite, g.homePoints - g.awayPoints AS margin, l.spread
        FROM silver.fct_games g LEFT JOIN line l ON l.gameId = g.id
        WHERE g.season = ${season} AND g.status = 'final' AND g.homePoints IS NOT NULL AND g.awayPoints IS NOT NULL
          AND g.homeTeamId IN (SELECT id FROM d1) AND g.awayTeamId IN (SELECT id FROM d1)
        ORDER BY g.date, g.id`)).map((r) => ({
        id: Number(r.id), date: String(r.date), home: Number(r.homeTeamId), away: Number(r.awayTeamId), neutral: Boolean(r.neutralSite),
        margin: Number(r.margin), spread: r.spread === null ? null : Number(r.spread),
      }));
      const marginGame = (g: Game): MarginGame => ({ home: index.get(g.home)!, away: index.get(g.away)!, neutral: g.neutral, margin: g.margin });

      // End of season: rankings against the truth.
      const finalMassey = masseyFit(truth.teams.length, games.map(marginGame));
      const final = new Map((await query(`SELECT teamId, pbp_adj_net_eff, adj_net_rating FROM gold.team_power_rankings WHERE season = ${season}`))
        .map((r) => [Number(r.teamId), r]));
      const lastDate = async (table: string) => (await query(`SELECT max(date) AS d FROM ${table} WHERE season = ${season}`))[0]!.d;
      const ratingsAt = async (table: string) => new Map((await query(`SELECT teamId, adj_margin, srs FROM ${table} WHERE season = ${season} AND date = '${await lastDate(table)}'`))
        .map((r) => [Number(r.teamId), { margin: Number(r.adj_margin), srs: Number(r.srs) }]));
      const adj = await ratingsAt('gold.team_adjusted_efficiencies');
      const noGarbage = await ratingsAt('gold.team_adjusted_efficiencies_no_garbage');
      const rho = (value: (teamId: number) => number | null | undefined) => {
        const pairs = truth.teams.flatMap((t) => {
          const v = value(t.teamId);
          return v === null || v === undefined || !Number.isFinite(v) ? [] : [[v, t.net] as const];
        });
        return spearman(pairs);
      };
      const ranks = {
        ours: rho((id) => Number(final.get(id)?.pbp_adj_net_eff ?? Number.NaN)),
        noGarbage: rho((id) => noGarbage.get(id)?.margin),
        srs: rho((id) => adj.get(id)?.srs),
        massey: rho((id) => finalMassey.ratings[index.get(id)!]),
        api: rho((id) => (final.get(id)?.adj_net_rating === null ? null : Number(final.get(id)?.adj_net_rating))),
      };

      // Pre-game predictions: ours and SRS from the features table, Massey refitted each date on the games before it.
      const sides = new Map((await query(`SELECT gameId, is_home, ${newModel ? 'pred_margin' : 'NULL AS pred_margin'}, team_adj_oe, team_adj_de, opp_adj_oe, opp_adj_de,
          team_srs, opp_srs, team_pace, opp_pace FROM gold.game_predictions_features WHERE season = ${season} AND is_home`))
        .map((r) => [Number(r.gameId), r]));
      const hcaOf = new Map<string, number>();
      if (await hasColumn('gold.team_adjusted_efficiencies', 'hca')) {
        for (const r of await query(`SELECT date, any_value(hca) AS hca FROM gold.team_adjusted_efficiencies WHERE season = ${season} GROUP BY date`)) hcaOf.set(String(r.date), Number(r.hca));
      }
      const rows: Record<'ours' | 'srs' | 'massey' | 'line' | 'truth', { pred: number; actual: number; truth: number }[]> = { ours: [], srs: [], massey: [], line: [], truth: [] };
      let fit: MasseyFit | undefined;
      let used = 0;
      let fitDate = '';
      for (const g of games) {
        if (g.date !== fitDate) {
          while (used < games.length && games[used]!.date < g.date) used++;
          fit = masseyFit(truth.teams.length, games.slice(0, used).map(marginGame), fit);
          fitDate = g.date;
        }
        if (g.date < `${season}-01-15` || g.spread === null) continue;
        const s = sides.get(g.id);
        if (!s || s.team_adj_oe === null || s.opp_adj_oe === null) continue;
        const truthMargin = expected(g);
        const add = (key: keyof typeof rows, pred: number) => rows[key].push({ pred, actual: g.margin, truth: truthMargin });
        const possessions = (Number(s.team_pace) + Number(s.opp_pace)) / 2;
        const hca = hcaOf.get(g.date) ?? 4; // before this change: 4 per 100 possessions on each side
        const homePoints = g.neutral ? 0 : (2 * hca * possessions) / 100;
        const ours = newModel ? Number(s.pred_margin)
          : ((Number(s.team_adj_oe) - Number(s.team_adj_de)) - (Number(s.opp_adj_oe) - Number(s.opp_adj_de))) * possessions / 100 + homePoints;
        add('ours', ours);
        add('srs', Number(s.team_srs) - Number(s.opp_srs) + homePoints);
        add('massey', masseyMargin(fit!, index.get(g.home)!, index.get(g.away)!, g.neutral));
        add('line', -g.spread);
        add('truth', truthMargin);
      }
      const byPlays = await query(`SELECT count(DISTINCT gameId) AS n FROM silver.fct_pbp_game_teams_flat WHERE season = ${season}`);
      console.log(`\nseason ${season}: ${truth.teams.length} Division I teams, ${games.length} final Division I games (${byPlays[0]!.n} games with plays, all divisions); ${rows.ours.length} with a line from Jan 15 on`);
      console.log(`  end-of-season ranking vs the truth (Spearman): ours ${f4(ranks.ours)}, no-garbage ${f4(ranks.noGarbage)}, our SRS ${f4(ranks.srs)}, Massey ${f4(ranks.massey)}, the API's adjusted rating ${f4(ranks.api)}`);
      console.log(`  ${'pre-game, from Jan 15'.padEnd(24)} ${'games'.padStart(6)} ${'RMSE vs result'.padStart(15)} ${'RMSE vs truth'.padStart(14)} ${'MAE'.padStart(7)} ${'bias'.padStart(7)}`);
      for (const [name, label] of [['ours', 'ours (pred_margin)'], ['massey', 'Massey, pre-game'], ['srs', 'our SRS, pre-game'], ['line', 'the closing line'], ['truth', 'the truth']] as const) {
        const e = errors(rows[name]);
        console.log(`  ${label.padEnd(24)} ${String(e.n).padStart(6)} ${f2(e.rmse).padStart(15)} ${f2(e.rmseTruth).padStart(14)} ${f2(e.mae).padStart(7)} ${f2(e.bias).padStart(7)}`);
      }
      const ours = errors(rows.ours);
      const massey = errors(rows.massey);
      const line = errors(rows.line);
      const verdict = [
        `rank ≥ Massey: ${ranks.ours >= ranks.massey ? 'yes' : 'NO'}`, `rank ≥ 0.93: ${ranks.ours >= 0.93 ? 'yes' : 'NO'}`,
        `RMSE vs truth ≤ Massey's: ${ours.rmseTruth <= massey.rmseTruth ? 'yes' : 'NO'}`, `within 0.5 of the line's: ${ours.rmseTruth <= line.rmseTruth + 0.5 ? 'yes' : 'NO'}`,
      ];
      console.log(`  targets: ${verdict.join(', ')}`);
      if (hasBacktest) {
        const backtest = await query(`SELECT * EXCLUDE (season) FROM gold.ratings_backtest WHERE season = ${season} ORDER BY mae`);
        if (backtest.length) {
          const columns = Object.keys(backtest[0]!);
          console.log(`  gold/ratings_backtest:\n    ${columns.join('  ')}`);
          for (const r of backtest) console.log(`    ${columns.map((c) => (typeof r[c] === 'number' && !Number.isInteger(r[c]) ? (r[c] as number).toFixed(3) : String(r[c]))).join('  ')}`);
        }
      }
    }
    if (args.includes('--sweep')) await sweep(query, sim, firstLoaded, first, lastSeason, { ...DEFAULT_GOLD, ...gold }, arg(args, '--sweep', ''));
    await project.close();
  } finally {
    await sim.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

interface SeasonData {
  season: number;
  teams: { teamId: number; team: string | null; conference: string | null }[];
  games: StoredGame[];
  results: (Game & { lineKnown: boolean })[];
}

/** Every combination of the grid ('a=1,2;b=3,4') over the base parameters. */
function grid(base: GoldParameters, spec: string): GoldParameters[] {
  let out: GoldParameters[] = [base];
  for (const term of spec.split(';').filter(Boolean)) {
    const [name, values] = term.split('=') as [keyof GoldParameters, string];
    out = out.flatMap((p) => values.split(',').map((v) => ({ ...p, [name]: v === 'auto' ? 'auto' : v === 'none' ? undefined : v === 'false' ? false : Number(v) })));
  }
  return out;
}

/**
 * The model solved in this process for each combination of parameters, over the seasons built, and scored as
 * gold/ratings_backtest scores it (games from December 1 with a line: RMSE and MAE against the result), beside what
 * only the simulator can tell (RMSE against the truth's expected margin from January 15, final Spearman).
 */
async function sweep(query: Query, sim: { world: Parameters<typeof truthOf>[0] }, firstLoaded: number, first: number, last: number, base: GoldParameters, spec: string): Promise<void> {
  const seasons: SeasonData[] = [];
  for (let season = firstLoaded; season <= last; season++) {
    const inputs = `WITH flat AS (SELECT * FROM silver.fct_pbp_game_teams_flat WHERE season = ${season}),
      box AS (SELECT * FROM silver.fct_game_teams_without_plays WHERE season = ${season}),
      teams AS (SELECT * FROM silver.dim_teams WHERE season = ${season}), d1 AS (${DIVISION_ONE_SQL})`;
    const teams = (await query(`${inputs} SELECT teamId::DOUBLE AS teamId, team, conference FROM d1`)).map((t) => ({ teamId: Number(t.teamId), team: t.team as string | null, conference: t.conference as string | null }));
    const rows = (await query(`${inputs} ${GAMES_SQL}`)).map((r) => ({ ...r, teamId: Number(r.teamId), opponentId: Number(r.opponentId), gameId: Number(r.gameId), points: Number(r.points), opp_points: Number(r.opp_points), possessions: Number(r.possessions), opp_possessions: Number(r.opp_possessions), game_minutes: Number(r.game_minutes), venue: Number(r.venue), season: Number(r.season), date: String(r.date) })) as unknown as StoredGame[];
    const results = (await query(`
      WITH d1 AS (SELECT id FROM silver.dim_teams WHERE season = ${season} AND conferenceId IS NOT NULL),
      line AS (SELECT gameId, median(spread) AS spread FROM silver.fct_lines WHERE season = ${season} AND spread IS NOT NULL GROUP BY gameId)
      SELECT g.id, g.date, g.homeTeamId, g.awayTeamId, g.neutralSite, g.homePoints - g.awayPoints AS margin, l.spread
      FROM silver.fct_games g LEFT JOIN line l ON l.gameId = g.id
      WHERE g.season = ${season} AND g.status = 'final' AND g.homePoints IS NOT NULL AND g.awayPoints IS NOT NULL
        AND g.homeTeamId IN (SELECT id FROM d1) AND g.awayTeamId IN (SELECT id FROM d1) ORDER BY g.date, g.id`)).map((r) => ({
      id: Number(r.id), date: String(r.date), home: Number(r.homeTeamId), away: Number(r.awayTeamId), neutral: Boolean(r.neutralSite),
      margin: Number(r.margin), spread: r.spread === null ? null : Number(r.spread), lineKnown: r.spread !== null,
    }));
    seasons.push({ season, teams, games: usableGames(rows).used, results });
  }
  // What the targets compare against, the same for every combination: Massey's final Spearman and pre-game RMSE
  // against the truth (games with a line from January 15), and the line's.
  const against = new Map<number, { masseyRho: number; masseyRmse: number; lineRmse: number }>();
  for (const s of seasons.filter((x) => x.season >= first)) {
    const truth = truthOf(sim.world, s.season);
    const strength = new Map(truth.teams.map((t) => [t.teamId, t]));
    const index = new Map(truth.teams.map((t, i) => [t.teamId, i]));
    const marginGames = s.results.map((g) => ({ home: index.get(g.home)!, away: index.get(g.away)!, neutral: g.neutral, margin: g.margin }));
    const finalFit = masseyFit(truth.teams.length, marginGames);
    const pre = masseyPredictions(truth.teams.map((t) => t.teamId), s.results.map((g) => ({ gameId: g.id, date: g.date, homeTeamId: g.home, awayTeamId: g.away, neutral: g.neutral, margin: g.margin })));
    let m = 0;
    let l = 0;
    let k = 0;
    for (const g of s.results) {
      if (!g.lineKnown || g.date < `${s.season}-01-15`) continue;
      const ht = strength.get(g.home)!;
      const at = strength.get(g.away)!;
      const expected = ((ht.net - at.net) * (ht.tempo + at.tempo)) / 2 / 100 + (g.neutral ? 0 : truth.homeAdvantage);
      m += (pre.get(g.id)! - expected) ** 2;
      l += (-g.spread! - expected) ** 2;
      k++;
    }
    against.set(s.season, { masseyRho: spearman(truth.teams.map((t) => [finalFit.ratings[index.get(t.teamId)!]!, t.net] as const)), masseyRmse: Math.sqrt(m / k), lineRmse: Math.sqrt(l / k) });
  }
  console.log(`\nsweep: targets per season: Massey's final Spearman, pre-game RMSE vs truth; the line's: ${[...against].map(([season, a]) => `${season}: ${f4(a.masseyRho)}, ${f2(a.masseyRmse)}; ${f2(a.lineRmse)}`).join('  ')}`);
  const combos = grid(base, spec);
  console.log(`sweep: ${combos.length} combination(s) over seasons ${first}-${last} (priors from ${firstLoaded} on); per season bt RMSE/truth RMSE/Spearman and the targets met (rank >= Massey, >= 0.93, RMSE <= Massey's, within 0.5 of the line's)`);
  console.log(`  ${'parameters'.padEnd(58)} ${'bt RMSE'.padStart(8)} ${'bt MAE'.padStart(7)} ${'truth RMSE'.padStart(10)} ${'Spearman'.padStart(9)} ${'hca'.padStart(5)} ${'iter'.padStart(5)} ${'met'.padStart(6)}`);
  for (const params of combos) {
    const priors = priorsOf(seasons.map((s) => ({ season: s.season, teams: s.teams, games: s.games })), new Set(seasons.map((s) => s.season)), params);
    const totals = { sq: 0, abs: 0, n: 0, truthSq: 0, truthN: 0, rho: 0, seasons: 0, hca: 0, iterations: 0, met: 0 };
    const perSeason: string[] = [];
    for (const s of seasons.filter((x) => x.season >= first)) {
      const truth = truthOf(sim.world, s.season);
      const strength = new Map(truth.teams.map((t) => [t.teamId, t]));
      const days = [...new Set(s.results.map((g) => g.date))].sort();
      const walk = ratingDates(days, () => true);
      const prior = seasonPrior(s.teams, (priors.get(s.season) ?? []) as unknown as PriorRow[]);
      const solved = solveSeason(s.season, walk, new Set(walk), s.teams, s.games, params, prior);
      const byDate = new Map<string, Map<number, Record<string, unknown>>>();
      for (const r of solved.rows) {
        let m = byDate.get(String(r.rating_date));
        if (!m) byDate.set(String(r.rating_date), (m = new Map()));
        m.set(Number(r.teamId), r);
      }
      let sq = 0;
      let n = 0;
      let truthSq = 0;
      let truthN = 0;
      for (const g of s.results) {
        const h = byDate.get(g.date)?.get(g.home);
        const a = byDate.get(g.date)?.get(g.away);
        if (!h || !a || h.adj_tempo === null || a.adj_tempo === null) continue;
        const possessions = (Number(h.adj_tempo) * Number(a.adj_tempo)) / Number(h.league_tempo);
        const own = (Number(h.adj_oe) * Number(a.adj_de)) / Number(h.league_eff);
        const opp = (Number(a.adj_oe) * Number(h.adj_de)) / Number(h.league_eff);
        const pred = ((own - opp) * possessions) / 100 + (g.neutral ? 0 : (2 * Number(h.hca) * possessions) / 100);
        if (g.lineKnown && g.date >= `${s.season - 1}-12-01`) {
          sq += (pred - g.margin) ** 2;
          totals.abs += Math.abs(pred - g.margin);
          n++;
        }
        if (g.lineKnown && g.date >= `${s.season}-01-15`) {
          const ht = strength.get(g.home)!;
          const at = strength.get(g.away)!;
          const expected = ((ht.net - at.net) * (ht.tempo + at.tempo)) / 2 / 100 + (g.neutral ? 0 : truth.homeAdvantage);
          truthSq += (pred - expected) ** 2;
          truthN++;
        }
      }
      const final = byDate.get(walk.at(-1)!)!;
      const rho = spearman(truth.teams.filter((t) => final.has(t.teamId)).map((t) => [Number(final.get(t.teamId)!.adj_margin), t.net] as const));
      const stats = [...solved.stats.values()];
      totals.sq += sq;
      totals.n += n;
      totals.truthSq += truthSq;
      totals.truthN += truthN;
      totals.rho += rho;
      totals.seasons++;
      totals.hca += stats.at(-1)!.hca;
      totals.iterations = Math.max(totals.iterations, ...stats.map((x) => x.iterations));
      const a = against.get(s.season)!;
      const truthRmse = Math.sqrt(truthSq / truthN);
      const met = [rho >= a.masseyRho, rho >= 0.93, truthRmse <= a.masseyRmse, truthRmse <= a.lineRmse + 0.5];
      totals.met += met.filter(Boolean).length;
      perSeason.push(`${s.season}: ${f2(Math.sqrt(sq / n))}/${f2(truthRmse)}/${f4(rho)} ${met.map((x) => (x ? 'y' : 'n')).join('')}`);
    }
    const label = Object.entries(params).filter(([k, v]) => v !== (DEFAULT_GOLD as unknown as Record<string, unknown>)[k] || spec.includes(`${k}=`)).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults';
    console.log(`  ${label.padEnd(58)} ${f3(Math.sqrt(totals.sq / totals.n)).padStart(8)} ${f3(totals.abs / totals.n).padStart(7)} ${f3(Math.sqrt(totals.truthSq / totals.truthN)).padStart(10)} ${f4(totals.rho / totals.seasons).padStart(9)} ${f2(totals.hca / totals.seasons).padStart(5)} ${String(totals.iterations).padStart(5)} ${`${totals.met}/${4 * totals.seasons}`.padStart(6)}   ${perSeason.join('  ')}`);
  }
}

