/**
 * The adjusted-efficiency solver, the least-squares margin fit and the preseason prior on synthetic seasons whose
 * answers are known: the printed ratings are the solution's (one more step of GOLD.md's fixed point moves nothing
 * beyond the tolerance), home court is recovered when estimated and taken as given when fixed, the solver converges
 * on a sparse early-season schedule without a prior, the prior fades as games accrue and a season's prior reads only
 * earlier seasons, and the config's defaults are the model's.
 */
import { describe, expect, it } from 'vitest';
import { PRIOR_CHAIN_SEASONS, priorsOf, ratingDates, seasonPrior, solveSeason, type GameRow, type TeamRow } from '../../assets/gold/season-walk.ts';
import { masseyFit, masseyMargin, solve, type SolverParameters, type TeamGame } from '../../assets/gold/solver.ts';
import { DEFAULT_GOLD, fixedHca } from '../../assets/resources.ts';
import { configSchema } from '../../src/config/config.ts';

/** A small deterministic random stream (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

interface World { oe: number[]; de: number[]; league: number }

/** Teams with offense and defense around 105 points per 100 possessions. */
function world(teams: number, seed: number): World {
  const r = random(seed);
  return { oe: Array.from({ length: teams }, () => 105 + 8 * normal(r)), de: Array.from({ length: teams }, () => 105 + 8 * normal(r)), league: 105 };
}

/**
 * `games` games between random pairs (both sides of each, as the solver reads them): efficiency oe·de/L plus home
 * court `hca` per 100 possessions each side (none at a neutral site, one game in five) and noise.
 */
function season(w: World, games: number, seed: number, hca = 2.5, noise = 8): TeamGame[] {
  const r = random(seed);
  const out: TeamGame[] = [];
  for (let g = 0; g < games; g++) {
    const home = Math.floor(r() * w.oe.length);
    let away = Math.floor(r() * (w.oe.length - 1));
    if (away >= home) away++;
    const neutral = r() < 0.2;
    const h = neutral ? 0 : hca;
    const possessions = 66 + Math.floor(r() * 8);
    const homePoints = Math.round(((w.oe[home]! * w.de[away]!) / w.league + h + noise * normal(r)) * possessions / 100);
    const awayPoints = Math.round(((w.oe[away]! * w.de[home]!) / w.league - h + noise * normal(r)) * possessions / 100);
    const day = 20_000 + Math.floor(g / 4);
    const venue = neutral ? 0 : 1;
    out.push({ team: home, opponent: away, points: homePoints, oppPoints: awayPoints, possessions, oppPossessions: possessions, minutes: 40, venue: venue as 0 | 1, day });
    out.push({ team: away, opponent: home, points: awayPoints, oppPoints: homePoints, possessions, oppPossessions: possessions, minutes: 40, venue: -venue as 0 | -1, day });
  }
  return out;
}

const params = (overrides: Partial<SolverParameters> = {}): SolverParameters => ({ ...DEFAULT_GOLD, ...overrides });

/** One step of GOLD.md's fixed point at alpha = 1 from `oe`, `de`, then both sides rescaled to the league average. */
function literalStep(teams: number, games: readonly TeamGame[], oe: Float64Array, de: Float64Array, hca: number) {
  const clamp = (x: number) => Math.min(200, Math.max(40, x));
  let points = 0;
  let possessions = 0;
  for (const g of games) {
    points += g.points;
    possessions += g.possessions;
  }
  const league = (100 * points) / possessions;
  const sumOe = new Float64Array(teams);
  const sumDe = new Float64Array(teams);
  const n = new Float64Array(teams);
  const weight = new Float64Array(teams);
  for (const g of games) {
    sumOe[g.team]! += clamp((100 * g.points) / g.possessions - g.venue * hca) * (league / de[g.opponent]!);
    sumDe[g.team]! += clamp((100 * g.oppPoints) / g.oppPossessions + g.venue * hca) * (league / oe[g.opponent]!);
    n[g.team]! += 1;
    weight[g.team]! += g.possessions;
  }
  const nextOe = sumOe.map((s, t) => s / n[t]!);
  const nextDe = sumDe.map((s, t) => s / n[t]!);
  const mean = (x: Float64Array) => x.reduce((s, v, t) => s + v * weight[t]!, 0) / weight.reduce((s, v) => s + v, 0);
  const a = league / mean(nextOe);
  const b = league / mean(nextDe);
  return { oe: nextOe.map((v) => v * a), de: nextDe.map((v) => v * b), league, mean };
}

describe('the adjusted-efficiency solver', () => {
  it('prints the solution: one more step of the fixed point moves no rating by the tolerance, and both sides average L', () => {
    const w = world(40, 1);
    const games = season(w, 500, 2);
    const s = solve(40, games, params({ hca: 2.5 }), 30_000);
    expect(s.iterations).toBeLessThan(50);
    expect(s.finalChange).toBeLessThan(DEFAULT_GOLD.tolerance);
    const next = literalStep(40, games, s.adjOe, s.adjDe, 2.5);
    for (let t = 0; t < 40; t++) {
      expect(Math.abs(next.oe[t]! - s.adjOe[t]!)).toBeLessThan(DEFAULT_GOLD.tolerance);
      expect(Math.abs(next.de[t]! - s.adjDe[t]!)).toBeLessThan(DEFAULT_GOLD.tolerance);
    }
    expect(next.mean(s.adjOe)).toBeCloseTo(s.league, 6);
    expect(next.mean(s.adjDe)).toBeCloseTo(s.league, 6);
    // A far tighter tolerance gives the same ratings to well within what anyone prints.
    const tight = solve(40, games, params({ hca: 2.5, tolerance: 1e-9 }), 30_000);
    for (let t = 0; t < 40; t++) expect(Math.abs(tight.adjOe[t]! - s.adjOe[t]!)).toBeLessThan(0.001);
  });

  it('ranks teams by their true strength, home court estimated near the one played', () => {
    const w = world(60, 3);
    const games = season(w, 1500, 4, 3);
    const s = solve(60, games, params({ hcaPriorGames: 0 }), 30_000);
    expect(s.hca).toBeGreaterThan(2.2);
    expect(s.hca).toBeLessThan(3.8);
    const truth = w.oe.map((o, t) => o - w.de[t]!);
    const estimate = [...s.adjOe].map((o, t) => o - s.adjDe[t]!);
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    const mt = mean(truth);
    const me = mean(estimate);
    const r = truth.reduce((a, x, t) => a + (x - mt) * (estimate[t]! - me), 0)
      / Math.sqrt(truth.reduce((a, x) => a + (x - mt) ** 2, 0) * estimate.reduce((a, x) => a + (x - me) ** 2, 0));
    expect(r).toBeGreaterThan(0.9);
    // Shrunk toward the league prior when the prior weighs as much as the games: about halfway.
    const shrunk = solve(60, games, params({ hcaPriorGames: 1200, hcaPrior: 0 }), 30_000);
    expect(shrunk.hca).toBeLessThan(s.hca * 0.7);
    expect(shrunk.hca).toBeGreaterThan(s.hca * 0.3);
    // A fixed number is taken as given.
    expect(solve(60, games, params({ hca: 4 }), 30_000).hca).toBe(4);
  });

  it('converges quickly on a sparse early-season schedule without a prior, as at alpha 0.85', () => {
    const w = world(60, 5);
    for (const count of [20, 35, 60, 90]) {
      const games = season(w, count, 6 + count);
      for (const sosExponent of [1, 0.85]) {
        const s = solve(60, games, params({ sosExponent, priorGames: 0 }), 30_000);
        expect(s.iterations, `${count} games, alpha ${sosExponent}`).toBeLessThan(50);
        expect(s.finalChange, `${count} games, alpha ${sosExponent}`).toBeLessThan(DEFAULT_GOLD.tolerance);
        for (let t = 0; t < 60; t++) if (s.games[t]) expect(Number.isFinite(s.adjOe[t]!)).toBe(true);
      }
    }
  });

  it('starts teams at their prior, whose weight fades as games accrue', () => {
    const w = world(30, 7);
    const prior = { league: 105, leagueTempo: 68, teams: Array.from({ length: 30 }, (_, t) => ({ oe: t === 0 ? 1.2 : 1, de: 1, tempo: 1 })) };
    const none = solve(30, [], params({ priorGames: 5 }), 30_000, undefined, prior);
    expect(none.rated[0]).toBe(1);
    expect(none.adjOe[0]).toBeCloseTo(126, 6);
    expect(none.games[0]).toBe(0);
    const few = season(w, 30, 8);
    const many = season(w, 600, 8);
    const pull = (games: TeamGame[]) => {
      const withPrior = solve(30, games, params({ priorGames: 5 }), 30_000, undefined, prior);
      const without = solve(30, games, params({ priorGames: 0 }), 30_000);
      return Math.abs(withPrior.adjOe[0]! - without.adjOe[0]!);
    };
    expect(pull(many)).toBeLessThan(pull(few));
  });

  it('takes free-throw luck out: which game a team\'s free throws dropped in does not move its rating, and the raw figures stay as scored', () => {
    const w = world(30, 9);
    const games = season(w, 400, 10);
    // Every side shot 20 free throws; team 0 made 18 in its first game and 8 in its second, or the reverse (the
    // points follow: ten points from one game to the other, the same in total).
    const withFreeThrows = (swap: boolean) => {
      const firsts = games.map((g, i) => ({ g, i })).filter(({ g }) => g.team === 0).slice(0, 2).map(({ i }) => i);
      const made = (i: number) => (firsts.includes(i) ? ((i === firsts[0]) !== swap ? 18 : 8) : 14);
      const partner = (i: number) => (i % 2 ? i - 1 : i + 1);
      const shifted = games.map((g, i) => ({ ...g, points: g.points + made(i) - 14, oppPoints: g.oppPoints + made(partner(i)) - 14 }));
      return shifted.map((g, i) => ({ ...g, freeThrows: { made: made(i), attempted: 20, oppMade: made(partner(i)), oppAttempted: 20 } }));
    };
    const a = solve(30, withFreeThrows(false), params(), 30_000);
    const b = solve(30, withFreeThrows(true), params(), 30_000);
    for (let t = 0; t < 30; t++) expect(Math.abs(a.adjOe[t]! - b.adjOe[t]!) + Math.abs(a.adjDe[t]! - b.adjDe[t]!)).toBeLessThan(0.01);
    // As scored (freeThrowPriorAttempts false) the same games rate team 0's two opponents differently.
    const asScoredA = solve(30, withFreeThrows(false), params({ freeThrowPriorAttempts: false }), 30_000);
    const asScoredB = solve(30, withFreeThrows(true), params({ freeThrowPriorAttempts: false }), 30_000);
    const moved = Math.max(...Array.from({ length: 30 }, (_, t) => Math.abs(asScoredA.adjDe[t]! - asScoredB.adjDe[t]!)));
    expect(moved).toBeGreaterThan(0.2);
    // The raw figures and the league average are as scored (at the same home court).
    const fixed = solve(30, withFreeThrows(false), params({ hca: 2.5 }), 30_000);
    const fixedAsScored = solve(30, withFreeThrows(false), params({ hca: 2.5, freeThrowPriorAttempts: false }), 30_000);
    for (let t = 0; t < 30; t++) expect(fixed.rawOe[t]).toBeCloseTo(fixedAsScored.rawOe[t]!, 9);
    expect(fixed.league).toBe(fixedAsScored.league);
  });

  it('stays finite with no prior weight on free throws when a team has shot none yet', () => {
    const w = world(30, 9);
    // Team 0's sides took no free throws; with freeThrowPriorAttempts 0 its percentage would be 0 / 0.
    const games = season(w, 400, 10).map((g) => ({ ...g, freeThrows: g.team === 0 ? { made: 0, attempted: 0, oppMade: 14, oppAttempted: 20 } : { made: 14, attempted: 20, oppMade: g.opponent === 0 ? 0 : 14, oppAttempted: g.opponent === 0 ? 0 : 20 } }));
    const result = solve(30, games, params({ freeThrowPriorAttempts: 0 }), 30_000);
    for (let t = 0; t < 30; t++) expect(Number.isFinite(result.adjOe[t]!) && Number.isFinite(result.adjDe[t]!)).toBe(true);
  });
});

describe('the least-squares margin fit', () => {
  it('recovers ratings and home court from noiseless margins, warm-started or not', () => {
    const ratings = [5, -3, 0, 8, -10];
    const games = [];
    for (let h = 0; h < 5; h++) for (let a = 0; a < 5; a++) if (h !== a) games.push({ home: h, away: a, neutral: (h + a) % 3 === 0, margin: ratings[h]! - ratings[a]! + ((h + a) % 3 === 0 ? 0 : 3) });
    const fit = masseyFit(5, games);
    expect(fit.hca).toBeCloseTo(3, 3);
    for (let h = 0; h < 5; h++) for (let a = 0; a < 5; a++) if (h !== a) expect(masseyMargin(fit, h, a, true)).toBeCloseTo(ratings[h]! - ratings[a]!, 2);
    const warm = masseyFit(5, games, { ratings: new Float64Array([1, 1, 1, 1, 1]), hca: 0 });
    expect(warm.hca).toBeCloseTo(3, 3);
  });
});

describe('the season walk and the preseason prior', () => {
  const teams: TeamRow[] = Array.from({ length: 20 }, (_, i) => ({ teamId: 100 + i, team: `T${i}`, conference: i < 10 ? 'A' : 'B' }));
  const rows = (w: World, seed: number, year: number): GameRow[] => season(w, 200, seed).map((g) => ({
    teamId: 100 + g.team, opponentId: 100 + g.opponent, points: g.points, opp_points: g.oppPoints, possessions: g.possessions, opp_possessions: g.oppPossessions,
    game_minutes: 40, venue: g.venue, date: `${year}-0${1 + Math.floor((g.day - 20_000) / 15) % 3}-${String(1 + ((g.day - 20_000) % 15)).padStart(2, '0')}`,
  })).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  it('gives a season a prior from the season before only, chained from the first season with games', () => {
    const w = world(20, 9);
    const seasons = [2022, 2023, 2024].map((season, i) => ({ season, teams, games: rows(w, 10 + i, season) }));
    const priors = priorsOf(seasons, new Set([2022, 2023, 2024]), params({ priorConferenceRegression: undefined }));
    expect(priors.get(2022)!.every((r) => r.prior_source === 'none' && r.prior_adj_oe === null)).toBe(true);
    expect(seasonPrior(teams, priors.get(2022) as never)).toBeUndefined();
    expect(priors.get(2023)!.length).toBe(20);
    expect(priors.get(2023)!.every((r) => r.previous_season === 2022 && r.prior_source === 'previous_season')).toBe(true);
    // A season's own games do not move its prior; the season before's do.
    const altered = seasons.map((s) => (s.season === 2024 ? { ...s, games: s.games.map((g) => ({ ...g, points: g.points + 5 })) } : s));
    expect(priorsOf(altered, new Set([2024]), params({ priorConferenceRegression: undefined })).get(2024)).toEqual(priors.get(2024));
    const earlier = seasons.map((s) => (s.season === 2023 ? { ...s, games: s.games.map((g) => ({ ...g, points: g.points + 5 })) } : s));
    expect(priorsOf(earlier, new Set([2024]), params({ priorConferenceRegression: undefined })).get(2024)).not.toEqual(priors.get(2024));
    // Regressed toward the league average (one regression for both levels): the prior's spread is the regression's
    // share of last season's.
    const r = priors.get(2023)!;
    const spread = (key: string) => Math.max(...r.map((x) => Number(x[key]))) - Math.min(...r.map((x) => Number(x[key])));
    expect(spread('prior_adj_oe') / spread('previous_adj_oe')).toBeCloseTo(DEFAULT_GOLD.priorRegression, 6);
    // A team new to Division I starts at its conference's mean.
    const newcomer = priorsOf([seasons[0]!, { ...seasons[1]!, teams: [...teams, { teamId: 999, team: 'New', conference: 'A' }] }], new Set([2023]), params()).get(2023)!;
    expect(newcomer.find((x) => x.teamId === 999)!.prior_source).toBe('conference_mean');
  });

  it(`reads at most ${PRIOR_CHAIN_SEASONS} seasons back: a night's prior costs the same however many seasons the lakehouse keeps`, () => {
    const w = world(20, 21);
    const seasons = [2020, 2021, 2022, 2023, 2024].map((season, i) => ({ season, teams, games: rows(w, 30 + i, season) }));
    const all = priorsOf(seasons, new Set([2024]), params()).get(2024);
    // Without the season four back, the same prior; without the one three back, another.
    expect(priorsOf(seasons.slice(1), new Set([2024]), params()).get(2024)).toEqual(all);
    expect(priorsOf(seasons.slice(2), new Set([2024]), params()).get(2024)).not.toEqual(all);
    // Each season asked for is chained on its own: asking for several gives each the figures it has alone.
    expect(priorsOf(seasons, new Set([2022, 2024]), params()).get(2024)).toEqual(all);
  });

  it('regresses a conference\'s mean and a team\'s distance from it apart, with priorConferenceRegression', () => {
    const w = world(20, 23);
    const seasons = [2023, 2024].map((season, i) => ({ season, teams, games: rows(w, 40 + i, season) }));
    const one = priorsOf(seasons, new Set([2024]), params({ priorConferenceRegression: undefined })).get(2024)!;
    // The same share for both: the one regression toward the league average.
    const same = priorsOf(seasons, new Set([2024]), params({ priorConferenceRegression: DEFAULT_GOLD.priorRegression })).get(2024)!;
    same.forEach((r, i) => expect(Number(r.prior_adj_oe)).toBeCloseTo(Number(one[i]!.prior_adj_oe), 9));
    // The conference's mean kept whole, the team's own distance from it regressed away: every team at its conference's mean.
    const conference = priorsOf(seasons, new Set([2024]), params({ priorConferenceRegression: 1, priorRegression: 0 })).get(2024)!;
    for (const c of ['A', 'B']) {
      const members = conference.filter((r) => r.conference === c);
      const mean = members.reduce((s, r) => s + Number(r.previous_adj_oe), 0) / members.length;
      for (const r of members) expect(Number(r.prior_adj_oe)).toBeCloseTo(mean, 9);
    }
  });

  it('walks a season date by date: the same figures whichever dates are asked for, one more date after the last game day', () => {
    const w = world(20, 11);
    const games = rows(w, 12, 2024);
    const walk = ratingDates(games.map((g) => g.date), () => true);
    expect(walk.at(-1)! > games.at(-1)!.date).toBe(true);
    expect(ratingDates(games.map((g) => g.date), (d) => d <= games.at(-1)!.date)).toEqual(walk.slice(0, -1));
    const all = solveSeason(2024, walk, new Set(walk), teams, games, params());
    const last = solveSeason(2024, walk, new Set([walk.at(-1)!]), teams, games, params());
    expect(last.rows).toEqual(all.rows.filter((r) => r.rating_date === walk.at(-1)));
    expect(all.rows.filter((r) => r.rating_date === walk.at(-1)).reduce((n, r) => n + Number(r.games_played), 0)).toBe(games.length);
    const priorRows = priorsOf([{ season: 2023, teams, games: rows(w, 13, 2023) }, { season: 2024, teams, games }], new Set([2024]), params()).get(2024)!;
    const withPrior = solveSeason(2024, walk, new Set([walk[0]!]), teams, games, params(), seasonPrior(teams, priorRows as never));
    // On the first day every team has its prior and no game.
    expect(withPrior.rows.length).toBe(20);
    expect(withPrior.rows.every((r) => r.games_played === 0)).toBe(true);
  });
});

describe('the gold parameters', () => {
  it('config.yaml\'s defaults are the model\'s (assets/resources.ts)', () => {
    const gold = configSchema.parse({}).gold;
    expect(gold).toEqual(DEFAULT_GOLD);
    expect(configSchema.parse({ gold: { hca: 3 } }).gold.hca).toBe(3);
    expect(() => configSchema.parse({ gold: { hca: 'home' } })).toThrow();
    expect(fixedHca({ ...DEFAULT_GOLD, hca: 3 })).toBe(3);
    expect(fixedHca(DEFAULT_GOLD)).toBeCloseTo((100 * DEFAULT_GOLD.hcaPrior) / (2 * 68), 2);
  });
});
