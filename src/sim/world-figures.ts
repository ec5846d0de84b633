/**
 * Figures that say how much like real Division I basketball a simulated season is: the spread of team strengths,
 * how far results stray from what the strengths predict, the home team's win share, how well the lines price games,
 * the weekly rhythm, tip times, how often plays carry `onFloor`, the box-score rates, and how well a simple adjusted
 * margin ranks the teams. Pure functions of a world and a season; `bench/realism.ts` prints them.
 */
import type { GameInfo } from 'cbbd';
import { localDateOf } from './calendar.ts';
import { playsOf, teamBoxesOf } from './game-views.ts';
import { linesOf } from './season-views.ts';
import type { SimWorld } from './world.ts';

export interface WorldFigures {
  readonly divisionOneTeams: number;
  readonly divisionOneGames: number;
  readonly strength: { readonly sd: number; readonly min: number; readonly max: number };
  /** Year-to-year correlation of team net strength (this season with the one before). */
  readonly persistence: number;
  /** SD of (home margin − margin the true strengths predict), Division I games against each other. */
  readonly marginDeviationSd: number;
  /** Slope of the margin on the predicted margin (1 when the strengths mean what they say). */
  readonly marginSlope: number;
  readonly homeWinShare: number;
  /** SD of (home margin + first provider's spread): the closing line's error against the result. */
  readonly lineErrorSd: number;
  readonly weekdays: readonly WeekdayFigures[];
  /** Games on the busiest Saturday of January and February, and the mean over those Saturdays. */
  readonly janFebSaturdays: { readonly mean: number; readonly max: number };
  /** Share of games whose UTC date is the day after their local date (evening tips in the Americas). */
  readonly nextUtcDayShare: number;
  /** Distinct tip times (UTC hour and minute) used. */
  readonly tipTimes: number;
  readonly gameDays: number;
  readonly onFloorShare: number;
  readonly box: BoxRates;
  readonly spearman: number;
}

export interface WeekdayFigures {
  readonly weekday: string;
  readonly mean: number;
  readonly max: number;
}

/** Season rates from the team box scores (per team-game, summed before dividing). */
export interface BoxRates {
  readonly possessionsPer40: number;
  readonly pointsPerPossession: number;
  readonly effectiveFieldGoal: number;
  readonly turnoverRate: number;
  readonly offensiveReboundRate: number;
  readonly freeThrowRate: number;
  readonly threePointAttemptRate: number;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** Home court the adjusted margin assumes, in points: the figure rating sites use for recent seasons. */
const RATING_HOME_POINTS = 3.5;

/** Every figure of a season. `sampleEvery` replays only every n-th game for the plays and box scores (they are slow). */
export function worldFigures(world: SimWorld, season: number, sampleEvery = 1): WorldFigures {
  const { games, strengths } = world.season(season);
  const d1 = new Set(world.divisionOneTeams.map((t) => t.id));
  const nets = world.divisionOneTeams.map((t) => strengths.get(t.id)!.net);
  const previous = world.strengths(season - 1);
  const finals = games.filter((g) => g.status === 'final' && g.homePoints !== null && g.awayPoints !== null);
  const between = finals.filter((g) => d1.has(g.homeTeamId) && d1.has(g.awayTeamId));
  const margin = (g: GameInfo) => g.homePoints! - g.awayPoints!;
  const predicted = between.map((g) => world.expectedMargin(g));
  const deviations = between.map((g, i) => margin(g) - predicted[i]!);
  const priced = between.flatMap((g) => {
    const spread = linesOf(world, g)?.lines[0]?.spread;
    return spread === undefined || spread === null ? [] : [margin(g) + spread];
  });
  const home = between.filter((g) => !g.neutralSite);
  const sampled = finals.filter((_, i) => i % sampleEvery === 0);
  return {
    divisionOneTeams: d1.size,
    divisionOneGames: between.length,
    strength: { sd: sd(nets), min: Math.min(...nets), max: Math.max(...nets) },
    persistence: correlation(world.divisionOneTeams.map((t) => previous.get(t.id)!.net), nets),
    marginDeviationSd: sd(deviations),
    marginSlope: slope(predicted, between.map(margin)),
    homeWinShare: home.filter((g) => g.homeWinner).length / home.length,
    lineErrorSd: sd(priced),
    ...rhythm(games),
    onFloorShare: onFloorShare(world, sampled),
    box: boxRates(world, sampled),
    spearman: spearman(adjustedMargins(between, d1), new Map(world.divisionOneTeams.map((t) => [t.id, strengths.get(t.id)!.net]))),
  };
}

function rhythm(games: readonly GameInfo[]): Pick<WorldFigures, 'weekdays' | 'janFebSaturdays' | 'nextUtcDayShare' | 'tipTimes' | 'gameDays'> {
  const perDate = new Map<string, number>();
  let nextDay = 0;
  for (const g of games) {
    const local = localDateOf(g.startDate, g.state);
    perDate.set(local, (perDate.get(local) ?? 0) + 1);
    if (local !== g.startDate.slice(0, 10)) nextDay++;
  }
  const weekdayOf = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();
  const first = [...perDate.keys()].sort()[0]!;
  const last = [...perDate.keys()].sort().at(-1)!;
  // Every date of the season counts, including the ones without games, so a mean is per calendar week.
  const byWeekday: number[][] = WEEKDAYS.map(() => []);
  for (let d = Date.parse(`${first}T12:00:00Z`); d <= Date.parse(`${last}T12:00:00Z`); d += 86_400_000) {
    const date = new Date(d).toISOString().slice(0, 10);
    byWeekday[weekdayOf(date)]!.push(perDate.get(date) ?? 0);
  }
  const saturdays = [...perDate].filter(([date]) => weekdayOf(date) === 6 && /-0[12]-/.test(date)).map(([, n]) => n);
  return {
    weekdays: WEEKDAYS.map((weekday, i) => ({ weekday, mean: mean(byWeekday[i]!), max: Math.max(...byWeekday[i]!) })),
    janFebSaturdays: { mean: mean(saturdays), max: Math.max(0, ...saturdays) },
    nextUtcDayShare: nextDay / games.length,
    tipTimes: new Set(games.map((g) => g.startDate.slice(11, 16))).size,
    gameDays: new Set(games.map((g) => g.startDate.slice(0, 10))).size,
  };
}

function onFloorShare(world: SimWorld, games: readonly GameInfo[]): number {
  let plays = 0;
  let withFloor = 0;
  for (const g of games) {
    for (const p of playsOf({ game: g, ...world.replay(g) }, false, world.onFloorTracked(g))) {
      plays++;
      if (p.onFloor.length) withFloor++;
    }
  }
  return plays ? withFloor / plays : 0;
}

function boxRates(world: SimWorld, games: readonly GameInfo[]): BoxRates {
  const t = { poss: 0, minutes: 0, pts: 0, fgm: 0, fga: 0, tpm: 0, tpa: 0, fta: 0, tov: 0, oreb: 0, oppDreb: 0 };
  for (const g of games) {
    for (const b of teamBoxesOf({ game: g, ...world.replay(g) })) {
      const s = b.teamStats;
      t.poss += s.possessions ?? 0;
      t.minutes += b.gameMinutes ?? 40;
      t.pts += s.points.total ?? 0;
      t.fgm += s.fieldGoals.made ?? 0;
      t.fga += s.fieldGoals.attempted ?? 0;
      t.tpm += s.threePointFieldGoals.made ?? 0;
      t.tpa += s.threePointFieldGoals.attempted ?? 0;
      t.fta += s.freeThrows.attempted ?? 0;
      t.tov += s.turnovers.total ?? 0;
      t.oreb += s.rebounds.offensive ?? 0;
      t.oppDreb += b.opponentStats.rebounds.defensive ?? 0;
    }
  }
  return {
    possessionsPer40: (t.poss / t.minutes) * 40,
    pointsPerPossession: t.pts / t.poss,
    effectiveFieldGoal: (t.fgm + 0.5 * t.tpm) / t.fga,
    turnoverRate: t.tov / t.poss,
    offensiveReboundRate: t.oreb / (t.oreb + t.oppDreb),
    freeThrowRate: t.fta / t.fga,
    threePointAttemptRate: t.tpa / t.fga,
  };
}

/**
 * A simple adjusted margin (Massey): each team's rating is the points it is better than an average team, fitted by
 * least squares to every game's margin with a fixed home court, the ratings summing to zero.
 */
export function adjustedMargins(games: readonly GameInfo[], teams: ReadonlySet<number>): Map<number, number> {
  const rating = new Map([...teams].map((id) => [id, 0]));
  const played = new Map<number, { opponent: number; margin: number }[]>();
  for (const g of games) {
    const m = g.homePoints! - g.awayPoints! - (g.neutralSite ? 0 : RATING_HOME_POINTS);
    played.set(g.homeTeamId, [...(played.get(g.homeTeamId) ?? []), { opponent: g.awayTeamId, margin: m }]);
    played.set(g.awayTeamId, [...(played.get(g.awayTeamId) ?? []), { opponent: g.homeTeamId, margin: -m }]);
  }
  // Gauss-Seidel on the normal equations: a rating is its mean margin plus its opponents' mean rating.
  for (let sweep = 0; sweep < 300; sweep++) {
    for (const [id, list] of played) rating.set(id, mean(list.map((x) => x.margin + rating.get(x.opponent)!)));
    const centre = mean([...rating.values()]);
    for (const [id, r] of rating) rating.set(id, r - centre);
  }
  return rating;
}

/** Spearman's rank correlation of two ratings of the same teams. */
export function spearman(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): number {
  const ids = [...a.keys()].filter((id) => b.has(id));
  const ranks = (m: ReadonlyMap<number, number>) => {
    const order = [...ids].sort((x, y) => m.get(x)! - m.get(y)!);
    return new Map(order.map((id, i) => [id, i]));
  };
  const ra = ranks(a);
  const rb = ranks(b);
  return correlation(ids.map((id) => ra.get(id)!), ids.map((id) => rb.get(id)!));
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0;
}

function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

function correlation(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}
