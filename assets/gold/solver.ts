/**
 * The adjusted-efficiency solver of GOLD.md, over typed arrays: per game, home court corrected and efficiencies
 * clamped; then the fixed point
 *
 *   adj_oe[t] = mean over t's games of OE[g] * (L / adj_de[opp])^alpha
 *   adj_de[t] = mean over t's games of DE[g] * (L / adj_oe[opp])^alpha
 *
 * with every team updated from the previous iteration's values, until the largest change is below the tolerance.
 * Pure: the same games and the same start give the same ratings, bit for bit.
 */

export interface SolverParameters {
  /** Points per 100 possessions taken from the home side and given to the visitor (none at a neutral site). */
  readonly hca: number;
  readonly sosExponent: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Weight of a game 0.5^(days ago / half-life), when set. */
  readonly recencyHalfLifeDays?: number;
  /** Pseudo-games at the league average added to every team (0 = none). */
  readonly shrinkageGames: number;
}

/** One team's side of one game, the unit the solver averages over. */
export interface TeamGame {
  /** Dense team index (0..teams-1) of this side and of its opponent. */
  readonly team: number;
  readonly opponent: number;
  readonly points: number;
  readonly oppPoints: number;
  readonly possessions: number;
  readonly oppPossessions: number;
  readonly minutes: number;
  /** 1 home, -1 away, 0 neutral. */
  readonly venue: 1 | -1 | 0;
  /** Epoch day of the game. */
  readonly day: number;
}

export interface Ratings {
  readonly adjOe: Float64Array;
  readonly adjDe: Float64Array;
}

export interface Solution extends Ratings {
  readonly iterations: number;
  /** The largest change of the last iteration. */
  readonly finalChange: number;
  readonly league: number;
  readonly games: Int32Array;
  readonly rawOe: Float64Array;
  readonly rawDe: Float64Array;
  readonly sosOe: Float64Array;
  readonly sosDe: Float64Array;
  readonly adjTempo: Float64Array;
  readonly srs: Float64Array;
}

const clamp = (x: number) => (x < 40 ? 40 : x > 200 ? 200 : x);

/**
 * Solve for `teams` teams from their games (each game appears once per side), as of `ratingDay` (for the recency
 * weight), starting from `start` where a team has a value (a previous date's solution) and its raw figures elsewhere.
 */
export function solve(teams: number, games: readonly TeamGame[], params: SolverParameters, ratingDay: number, start?: Ratings): Solution {
  const n = games.length;
  const team = new Int32Array(n);
  const opp = new Int32Array(n);
  const oe = new Float64Array(n);
  const de = new Float64Array(n);
  const weight = new Float64Array(n);
  let points = 0;
  let possessions = 0;
  games.forEach((g, i) => {
    team[i] = g.team;
    opp[i] = g.opponent;
    // Home court: the home side's offense loses hca per 100 possessions and its defense concedes hca more; the reverse
    // for the visitor.
    oe[i] = clamp((100 * g.points) / g.possessions - g.venue * params.hca);
    de[i] = clamp((100 * g.oppPoints) / g.oppPossessions + g.venue * params.hca);
    weight[i] = params.recencyHalfLifeDays ? 0.5 ** ((ratingDay - g.day) / params.recencyHalfLifeDays) : 1;
    points += g.points;
    possessions += g.possessions;
  });
  const league = possessions > 0 ? (100 * points) / possessions : 100;
  const weightSum = new Float64Array(teams);
  const count = new Int32Array(teams);
  const rawOe = new Float64Array(teams);
  const rawDe = new Float64Array(teams);
  for (let i = 0; i < n; i++) {
    const t = team[i]!;
    weightSum[t]! += weight[i]!;
    count[t]! += 1;
    rawOe[t]! += weight[i]! * oe[i]!;
    rawDe[t]! += weight[i]! * de[i]!;
  }
  const k = params.shrinkageGames;
  for (let t = 0; t < teams; t++) {
    rawOe[t] = weightSum[t]! > 0 ? (rawOe[t]! + k * league) / (weightSum[t]! + k) : league;
    rawDe[t] = weightSum[t]! > 0 ? (rawDe[t]! + k * league) / (weightSum[t]! + k) : league;
  }
  let adjOe = new Float64Array(teams);
  let adjDe = new Float64Array(teams);
  for (let t = 0; t < teams; t++) {
    const warm = start && Number.isFinite(start.adjOe[t]) && start.adjOe[t]! > 0;
    adjOe[t] = warm ? start.adjOe[t]! : rawOe[t]!;
    adjDe[t] = warm ? start.adjDe[t]! : rawDe[t]!;
  }
  const alpha = params.sosExponent;
  let iterations = 0;
  let change = Number.POSITIVE_INFINITY;
  let nextOe = new Float64Array(teams);
  let nextDe = new Float64Array(teams);
  while (iterations < params.maxIterations && change >= params.tolerance) {
    nextOe.fill(0);
    nextDe.fill(0);
    for (let i = 0; i < n; i++) {
      const t = team[i]!;
      const o = opp[i]!;
      nextOe[t]! += weight[i]! * oe[i]! * (league / adjDe[o]!) ** alpha;
      nextDe[t]! += weight[i]! * de[i]! * (league / adjOe[o]!) ** alpha;
    }
    change = 0;
    for (let t = 0; t < teams; t++) {
      if (weightSum[t]! === 0) {
        nextOe[t] = adjOe[t]!;
        nextDe[t] = adjDe[t]!;
        continue;
      }
      nextOe[t] = clamp((nextOe[t]! + k * league) / (weightSum[t]! + k));
      nextDe[t] = clamp((nextDe[t]! + k * league) / (weightSum[t]! + k));
      change = Math.max(change, Math.abs(nextOe[t]! - adjOe[t]!), Math.abs(nextDe[t]! - adjDe[t]!));
    }
    [adjOe, nextOe] = [nextOe, adjOe];
    [adjDe, nextDe] = [nextDe, adjDe];
    iterations++;
  }
  return { adjOe, adjDe, iterations, finalChange: n ? change : 0, league, games: count, rawOe, rawDe, ...schedule(teams, games, team, opp, adjOe, adjDe, count, params) };
}

/** Strength of schedule, adjusted tempo and a margin rating (SRS), from the solved ratings. */
function schedule(
  teams: number, games: readonly TeamGame[], team: Int32Array, opp: Int32Array, adjOe: Float64Array, adjDe: Float64Array, count: Int32Array, params: SolverParameters,
): Pick<Solution, 'sosOe' | 'sosDe' | 'adjTempo' | 'srs'> {
  const n = games.length;
  const sosOe = new Float64Array(teams);
  const sosDe = new Float64Array(teams);
  const tempo = new Float64Array(teams);
  const margin = new Float64Array(teams);
  for (let i = 0; i < n; i++) {
    const g = games[i]!;
    const t = team[i]!;
    sosOe[t]! += adjDe[opp[i]!]!;
    sosDe[t]! += adjOe[opp[i]!]!;
    tempo[t]! += (((g.possessions + g.oppPossessions) / 2) * 40) / g.minutes;
    margin[t]! += g.points - g.oppPoints - g.venue * params.hca * (g.possessions + g.oppPossessions) / 100;
  }
  let leagueTempo = 0;
  let played = 0;
  for (let t = 0; t < teams; t++) {
    if (!count[t]) continue;
    sosOe[t]! /= count[t]!;
    sosDe[t]! /= count[t]!;
    tempo[t]! /= count[t]!;
    margin[t]! /= count[t]!;
    leagueTempo += tempo[t]! * count[t]!;
    played += count[t]!;
  }
  leagueTempo = played ? leagueTempo / played : 0;
  const oppTempo = new Float64Array(teams);
  for (let i = 0; i < n; i++) oppTempo[team[i]!]! += tempo[opp[i]!]!;
  const adjTempo = new Float64Array(teams);
  for (let t = 0; t < teams; t++) adjTempo[t] = count[t] ? (tempo[t]! * leagueTempo) / (oppTempo[t]! / count[t]!) : Number.NaN;
  // SRS: a team's average margin plus its opponents' average rating, centred on zero, by the same fixed point.
  let srs = Float64Array.from(margin);
  for (let iteration = 0; iteration < params.maxIterations; iteration++) {
    const next = new Float64Array(teams);
    for (let i = 0; i < n; i++) next[team[i]!]! += srs[opp[i]!]!;
    let mean = 0;
    let rated = 0;
    for (let t = 0; t < teams; t++) {
      if (!count[t]) continue;
      next[t] = margin[t]! + next[t]! / count[t]!;
      mean += next[t]!;
      rated++;
    }
    mean = rated ? mean / rated : 0;
    let change = 0;
    for (let t = 0; t < teams; t++) {
      if (!count[t]) continue;
      next[t]! -= mean;
      change = Math.max(change, Math.abs(next[t]! - srs[t]!));
    }
    srs = next;
    if (change < params.tolerance) break;
  }
  return { sosOe, sosDe, adjTempo, srs };
}

/** Barthag: the chance of beating an average team, from offensive and defensive efficiency (exponent 11.5). */
export function barthag(oe: number, de: number): number {
  const o = oe ** 11.5;
  return o / (o + de ** 11.5);
}
