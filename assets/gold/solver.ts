/**
 * The adjusted-efficiency solver of GOLD.md, over typed arrays: per game, home court corrected and efficiencies
 * clamped; then the fixed point
 *
 *   adj_oe[t] = mean over t's games of OE[g] * (L / adj_de[opp])^alpha
 *   adj_de[t] = mean over t's games of DE[g] * (L / adj_oe[opp])^alpha
 *
 * with every team updated from the previous iteration's values, and after each iteration both sides rescaled so that
 * their possession-weighted means equal the league average L (at alpha = 1 the equations alone fix the ratings only up
 * to a common factor, and the plain iteration oscillates). Accelerated by Anderson mixing of the same map, until the
 * largest change is below the tolerance. Home court, when `hca` is 'auto', is solved with the ratings: the home teams'
 * efficiency margin beyond what the ratings predict, shrunk toward a league prior. A preseason prior enters as
 * pseudo-games against an average opponent.
 *
 * Also here, so that the tables' code versions hash them: the SRS (a least-squares margin rating) and the plain
 * least-squares margin fit with a home-court term (Massey) that `gold/ratings_backtest` holds our ratings against.
 * Pure: the same games and the same start give the same figures, bit for bit.
 */

export interface SolverParameters {
  /**
   * Points per 100 possessions taken from the home side's offense and added to its defense (the reverse for the
   * visitor; none at a neutral site), or 'auto': estimated on each rating date from the earlier games.
   */
  readonly hca: number | 'auto';
  /** The league prior home court is shrunk toward, in points per game (measured real figures: 3.5, within 1.8 to 4.5). */
  readonly hcaPrior: number;
  /** The prior's weight, in games. */
  readonly hcaPriorGames: number;
  /** The SOS exponent alpha. */
  readonly sosExponent: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Weight of a game 0.5^(days ago / half-life), when set. */
  readonly recencyHalfLifeDays?: number;
  /** Pseudo-games at the league average added to every team (0 = none). */
  readonly shrinkageGames: number;
  /** Weight in games of the preseason prior (0 = no prior). */
  readonly priorGames: number;
  /**
   * How much of a team's distance from the league average last season its prior keeps (the rest regresses); with
   * priorConferenceRegression, of its distance from its conference's mean.
   */
  readonly priorRegression: number;
  /**
   * How much of its conference's mean distance from the league average the prior keeps, priorRegression then applying
   * to the team's distance from its conference's mean only (undefined, or equal to priorRegression: one regression).
   */
  readonly priorConferenceRegression?: number;
  /**
   * Free-throw luck: each side's made free throws are replaced by its attempts times its free-throw percentage over
   * the games before the rating date, shrunk toward the league's with the weight of this many attempts
   * (FREE_THROW_PRIOR_ATTEMPTS when unset; `false`: the points as scored). Only games with plays carry the counts here:
   * the box-score fallback's table does not, so those games keep their points (a choice; the box score has them).
   */
  readonly freeThrowPriorAttempts?: number | false;
}

/**
 * The default weight, in attempts, of the league's free-throw percentage in a team's (a team takes about 20 a game):
 * chosen by the backtest (docs/gold.md).
 */
export const FREE_THROW_PRIOR_ATTEMPTS = 200;

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
  /** The game has no plays: its figures come from the box score, possessions by formula. */
  readonly boxScore?: boolean;
  /** Free throws made and attempted by this side and by its opponent (from the plays; absent for a box-score game). */
  readonly freeThrows?: { readonly made: number; readonly attempted: number; readonly oppMade: number; readonly oppAttempted: number };
}

/**
 * Each side's points with its free-throw luck taken out (freeThrowPriorAttempts): made free throws replaced by
 * attempts times the side's free-throw percentage over these games (every one before the rating date), shrunk toward
 * the league's. Whether a free throw drops is the shooter's skill and chance, not the defense's doing, and from game
 * to game mostly chance: about 20 attempts a side move a margin by some 3 points (SD) that say nothing of either
 * team's strength. A game without the counts keeps its points.
 */
function freeThrowAdjusted(teams: number, games: readonly TeamGame[], params: SolverParameters): { points: Float64Array; oppPoints: Float64Array } {
  const n = games.length;
  const points = new Float64Array(n);
  const oppPoints = new Float64Array(n);
  const k = params.freeThrowPriorAttempts === undefined ? FREE_THROW_PRIOR_ATTEMPTS : params.freeThrowPriorAttempts;
  const made = new Float64Array(teams);
  const attempted = new Float64Array(teams);
  let leagueMade = 0;
  let leagueAttempted = 0;
  if (k !== false) {
    for (const g of games) {
      if (!g.freeThrows) continue;
      made[g.team]! += g.freeThrows.made;
      attempted[g.team]! += g.freeThrows.attempted;
      leagueMade += g.freeThrows.made;
      leagueAttempted += g.freeThrows.attempted;
    }
  }
  const league = leagueAttempted > 0 ? leagueMade / leagueAttempted : 0;
  // With no prior weight (k = 0) a side with no attempts yet takes the league's percentage, not 0 / 0.
  const rate = (t: number) => (attempted[t]! + (k as number) > 0 ? (made[t]! + (k as number) * league) / (attempted[t]! + (k as number)) : league);
  games.forEach((g, i) => {
    const f = g.freeThrows;
    if (k === false || !f || leagueAttempted === 0) {
      points[i] = g.points;
      oppPoints[i] = g.oppPoints;
      return;
    }
    points[i] = g.points - f.made + f.attempted * rate(g.team);
    oppPoints[i] = g.oppPoints - f.oppMade + f.oppAttempted * rate(g.opponent);
  });
  return { points, oppPoints };
}

/** A team's preseason prior, relative to the league: its offense, defense and tempo over the league's. */
export interface TeamPrior {
  readonly oe: number;
  readonly de: number;
  readonly tempo: number;
}

/** The preseason prior of every team (undefined: none), and last season's league figures. */
export interface SeasonPrior {
  readonly teams: readonly (TeamPrior | undefined)[];
  readonly league: number;
  readonly leagueTempo: number;
}

export interface Ratings {
  readonly adjOe: Float64Array;
  readonly adjDe: Float64Array;
  /** Home court, per 100 possessions each side. */
  readonly hca?: number;
}

export interface Solution extends Ratings {
  readonly hca: number;
  readonly iterations: number;
  /** The largest change of the last iteration. */
  readonly finalChange: number;
  readonly league: number;
  readonly leagueTempo: number;
  /** Games played, and of those the ones from a box score. */
  readonly games: Int32Array;
  readonly boxScoreGames: Int32Array;
  /** A team has a rating: games played or a prior. */
  readonly rated: Uint8Array;
  readonly rawOe: Float64Array;
  readonly rawDe: Float64Array;
  readonly sosOe: Float64Array;
  readonly sosDe: Float64Array;
  readonly adjTempo: Float64Array;
  readonly srs: Float64Array;
}

const clamp = (x: number) => (x < 40 ? 40 : x > 200 ? 200 : x);
/** Possessions per game assumed before any game is known (for the home-court prior's units). */
const DEFAULT_TEMPO = 68;

/**
 * Solve for `teams` teams from their games (each game appears once per side), as of `ratingDay` (for the recency
 * weight), starting from `start` where a team has a value (a previous date's solution) and from its raw figures or
 * its prior elsewhere.
 */
export function solve(teams: number, games: readonly TeamGame[], params: SolverParameters, ratingDay: number, start?: Ratings, prior?: SeasonPrior): Solution {
  const n = games.length;
  const team = new Int32Array(n);
  const opp = new Int32Array(n);
  const venue = new Int8Array(n);
  const rawOff = new Float64Array(n);
  const rawDef = new Float64Array(n);
  const weight = new Float64Array(n);
  let points = 0;
  let possessions = 0;
  const scored = freeThrowAdjusted(teams, games, params);
  // As scored, for the raw figures reported.
  const actualOff = new Float64Array(n);
  const actualDef = new Float64Array(n);
  games.forEach((g, i) => {
    team[i] = g.team;
    opp[i] = g.opponent;
    venue[i] = g.venue;
    // Before home court: each side's points (free-throw luck taken out) per 100 of the game's possessions, clamped
    // so a broken possession count cannot explode the solution. The two sides of a game have the same possessions
    // but for who has the ball when a period starts and ends: a difference that says nothing of how well either side
    // played, yet over a side's own count moves its efficiency margin (the simulator gives the visitor the ball to
    // start every second half: home sides are counted 0.48 fewer, some 0.7 per 100 of home court their points never
    // had). So each side's efficiency is over the mean of the two counts (as Oliver's estimate averages both teams').
    const gamePossessions = (g.possessions + g.oppPossessions) / 2;
    rawOff[i] = clamp((100 * scored.points[i]!) / gamePossessions);
    rawDef[i] = clamp((100 * scored.oppPoints[i]!) / gamePossessions);
    weight[i] = params.recencyHalfLifeDays ? 0.5 ** ((ratingDay - g.day) / params.recencyHalfLifeDays) : 1;
    actualOff[i] = clamp((100 * g.points) / gamePossessions);
    actualDef[i] = clamp((100 * g.oppPoints) / gamePossessions);
    // The league average as scored (GOLD.md's L): the adjustment moves points between games, about none in total.
    points += g.points;
    possessions += gamePossessions;
  });
  const league = possessions > 0 ? (100 * points) / possessions : (prior?.league ?? 100);
  const possessionsPerGame = n > 0 ? possessions / n : (prior?.leagueTempo ?? DEFAULT_TEMPO);
  const weightSum = new Float64Array(teams);
  const count = new Int32Array(teams);
  const boxCount = new Int32Array(teams);
  const teamPossessions = new Float64Array(teams);
  for (let i = 0; i < n; i++) {
    const t = team[i]!;
    weightSum[t]! += weight[i]!;
    count[t]! += 1;
    if (games[i]!.boxScore) boxCount[t]! += 1;
    teamPossessions[t]! += (games[i]!.possessions + games[i]!.oppPossessions) / 2;
  }
  const k = params.shrinkageGames;
  const priorWeight = new Float64Array(teams);
  const priorOe = new Float64Array(teams);
  const priorDe = new Float64Array(teams);
  if (prior && params.priorGames > 0) {
    for (let t = 0; t < teams; t++) {
      const p = prior.teams[t];
      if (!p) continue;
      priorWeight[t] = params.priorGames;
      priorOe[t] = p.oe * league;
      priorDe[t] = p.de * league;
    }
  }
  const rated = new Uint8Array(teams);
  for (let t = 0; t < teams; t++) rated[t] = weightSum[t]! > 0 || priorWeight[t]! > 0 ? 1 : 0;

  // Home court: fixed, or solved with the ratings (the last unknown), shrunk toward the league prior.
  const auto = params.hca === 'auto';
  const hcaPrior = (100 * params.hcaPrior) / (2 * possessionsPerGame);
  let homeGames = 0;
  for (let i = 0; i < n; i++) if (venue[i] === 1) homeGames++;

  const rawOe = new Float64Array(teams);
  const rawDe = new Float64Array(teams);
  const corrected = (h: number, off = rawOff, def = rawDef) => {
    const oe = new Float64Array(n);
    const de = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      oe[i] = clamp(off[i]! - venue[i]! * h);
      de[i] = clamp(def[i]! + venue[i]! * h);
    }
    return { oe, de };
  };
  const alpha = params.sosExponent;
  const size = 2 * teams + 1;
  // One step of GOLD.md's fixed point (every team from the previous iteration's values), then the normalization,
  // and home court from the same values. x = [adj_oe; adj_de; hca].
  const step = (x: Float64Array): Float64Array => {
    const h = auto ? x[2 * teams]! : (params.hca as number);
    const next = new Float64Array(size);
    for (let i = 0; i < n; i++) {
      const t = team[i]!;
      const o = opp[i]!;
      const oe = clamp(rawOff[i]! - venue[i]! * h);
      const de = clamp(rawDef[i]! + venue[i]! * h);
      const a = alpha === 1 ? league / x[teams + o]! : (league / x[teams + o]!) ** alpha;
      const b = alpha === 1 ? league / x[o]! : (league / x[o]!) ** alpha;
      next[t]! += weight[i]! * oe * a;
      next[teams + t]! += weight[i]! * de * b;
    }
    for (let t = 0; t < teams; t++) {
      const w = weightSum[t]! + k + priorWeight[t]!;
      if (w === 0) {
        next[t] = x[t]!;
        next[teams + t] = x[teams + t]!;
        continue;
      }
      next[t] = clamp((next[t]! + k * league + priorWeight[t]! * priorOe[t]!) / w);
      next[teams + t] = clamp((next[teams + t]! + k * league + priorWeight[t]! * priorDe[t]!) / w);
    }
    normalize(next);
    next[2 * teams] = auto ? homeCourt(x) : h;
    return next;
  };
  // Possession-weighted means of adj_oe and adj_de over the teams that played, each rescaled to L.
  let totalPossessions = 0;
  for (let t = 0; t < teams; t++) totalPossessions += teamPossessions[t]!;
  const normalize = (x: Float64Array) => {
    if (totalPossessions === 0) return;
    let oe = 0;
    let de = 0;
    for (let t = 0; t < teams; t++) {
      oe += teamPossessions[t]! * x[t]!;
      de += teamPossessions[t]! * x[teams + t]!;
    }
    const a = (league * totalPossessions) / oe;
    const b = (league * totalPossessions) / de;
    for (let t = 0; t < teams; t++) {
      if (!teamPossessions[t]) continue;
      x[t]! *= a;
      x[teams + t]! *= b;
    }
  };

  /**
   * The alpha = 1 fixed point as a matrix scaling. With a = adj_oe / L and p = L / adj_de, the equations read
   * a[t] = (Σ K[i] p[opp] + Pa[t]) / N[t] and 1 / p[t] = (Σ K[j] / a[team] + Pd[t]) / N[t] (rows i of t's games, rows
   * j of its opponents' games against it; K the row's home-court-corrected OE / L times its weight; Pa, Pd the prior's
   * and shrinkage's pseudo-games, N their weight plus the games'): the stationary point of the convex
   *   Φ(x, y) = Σ K[i] e^(y[opp] − x[team]) + Σ Pa e^(−x) + Σ Pd e^(y) + Σ N (x − y),   x = log a, y = log p,
   * found by Newton's method (conjugate gradients on the Hessian, a weighted graph Laplacian) with a line search, then
   * normalized as the plain iteration's fixed point is: the common factor such that the possession-weighted mean of
   * adj_oe is L, and adj_de rescaled so that its mean is L too. With home court 'auto', alternated with its estimate.
   */
  const scalingSolve = (from: Float64Array): { x: Float64Array; iterations: number } => {
    const total = new Float64Array(teams);
    const pa = new Float64Array(teams);
    const pd = new Float64Array(teams);
    for (let t = 0; t < teams; t++) {
      total[t] = weightSum[t]! + k + priorWeight[t]!;
      pa[t] = k + (priorWeight[t]! ? (priorWeight[t]! * priorOe[t]!) / league : 0);
      pd[t] = k + (priorWeight[t]! ? (priorWeight[t]! * priorDe[t]!) / league : 0);
    }
    const z = new Float64Array(2 * teams);
    for (let t = 0; t < teams; t++) {
      z[t] = Math.log(from[t]! / league);
      z[teams + t] = Math.log(league / from[teams + t]!);
    }
    const kRow = new Float64Array(n);
    const e = new Float64Array(n);
    const objective = (v: Float64Array) => {
      let phi = 0;
      for (let i = 0; i < n; i++) phi += kRow[i]! * Math.exp(v[teams + opp[i]!]! - v[team[i]!]!);
      for (let t = 0; t < teams; t++) {
        if (!total[t]) continue;
        phi += pa[t]! * Math.exp(-v[t]!) + pd[t]! * Math.exp(v[teams + t]!) + total[t]! * (v[t]! - v[teams + t]!);
      }
      return phi;
    };
    // Bounds of x = log(adj_oe / L) and y = log(L / adj_de) from the clamp [40, 200].
    const low = new Float64Array(2 * teams);
    const high = new Float64Array(2 * teams);
    for (let t = 0; t < teams; t++) {
      low[t] = Math.log(40 / league);
      high[t] = Math.log(200 / league);
      low[teams + t] = Math.log(league / 200);
      high[teams + t] = Math.log(league / 40);
      z[t] = Math.min(high[t]!, Math.max(low[t]!, z[t]!));
      z[teams + t] = Math.min(high[teams + t]!, Math.max(low[teams + t]!, z[teams + t]!));
    }
    let h = from[2 * teams]!;
    let previousRound: { h: number; residual: number } | undefined;
    let iterations = 0;
    const x = new Float64Array(size);
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < n; i++) kRow[i] = (weight[i]! * clamp(rawOff[i]! - venue[i]! * h)) / league;
      // Newton on Φ from the current point.
      for (let newton = 0; newton < 100 && iterations < params.maxIterations; newton++) {
        const gradient = new Float64Array(2 * teams);
        const diagonal = new Float64Array(2 * teams);
        for (let i = 0; i < n; i++) {
          const t = team[i]!;
          const o = teams + opp[i]!;
          const value = kRow[i]! * Math.exp(z[o]! - z[t]!);
          e[i] = value;
          gradient[t]! -= value;
          gradient[o]! += value;
          diagonal[t]! += value;
          diagonal[o]! += value;
        }
        let largest = 0;
        // The clamp of the ratings as bounds (a projected Newton method): a variable at a bound that the gradient
        // pushes out of the box stays there, fixed, this step.
        const fixed = new Uint8Array(2 * teams);
        for (let t = 0; t < teams; t++) {
          if (!total[t]) continue;
          const ea = pa[t]! * Math.exp(-z[t]!);
          const ed = pd[t]! * Math.exp(z[teams + t]!);
          gradient[t]! += total[t]! - ea;
          gradient[teams + t]! += ed - total[t]!;
          diagonal[t]! += ea;
          diagonal[teams + t]! += ed;
          for (const j of [t, teams + t]) {
            if ((z[j]! <= low[j]! + 1e-12 && gradient[j]! > 0) || (z[j]! >= high[j]! - 1e-12 && gradient[j]! < 0)) fixed[j] = 1;
            else largest = Math.max(largest, Math.abs(gradient[j]!) / total[t]!);
          }
        }
        // Relative residual of the equations: a far smaller change than the tolerance asks of the ratings.
        if (largest < 1e-8) break;
        const hessian = (v: Float64Array, out: Float64Array) => {
          for (let j = 0; j < 2 * teams; j++) out[j] = (diagonal[j]! + 1e-12) * v[j]!;
          for (let i = 0; i < n; i++) {
            const t = team[i]!;
            const o = teams + opp[i]!;
            out[t]! -= e[i]! * v[o]!;
            out[o]! -= e[i]! * v[t]!;
          }
          for (let j = 0; j < 2 * teams; j++) if (fixed[j]) out[j] = v[j]!;
        };
        const rhs = gradient.map((g, j) => (fixed[j] ? 0 : -g));
        const preconditioner = diagonal.map((d, j) => (fixed[j] ? 1 : d));
        const masked = (v: Float64Array, out: Float64Array) => {
          const w = v.map((x, j) => (fixed[j] ? 0 : x));
          hessian(w, out);
          for (let j = 0; j < 2 * teams; j++) if (fixed[j]) out[j] = v[j]!;
        };
        // Inexact Newton: the step solved only as far as the residual is small (quadratic convergence all the same).
        const direction = conjugateGradients(masked, rhs, preconditioner, Math.min(0.1, Math.sqrt(largest)));
        let slope = 0;
        for (let j = 0; j < 2 * teams; j++) slope += gradient[j]! * direction[j]!;
        const phi = objective(z);
        let stepSize = 1;
        let accepted = false;
        const trial = new Float64Array(2 * teams);
        for (let attempt = 0; attempt < 20 && !accepted; attempt++, stepSize /= 2) {
          for (let j = 0; j < 2 * teams; j++) trial[j] = Math.min(high[j]!, Math.max(low[j]!, z[j]! + stepSize * direction[j]!));
          let projected = 0;
          for (let j = 0; j < 2 * teams; j++) projected += gradient[j]! * (trial[j]! - z[j]!);
          accepted = objective(trial) <= phi + 1e-4 * Math.min(projected, stepSize * slope);
        }
        iterations++;
        // No descent left: the point is as good as floating point allows.
        if (!accepted) break;
        z.set(trial);
      }
      for (let t = 0; t < teams; t++) {
        x[t] = league * Math.exp(z[t]!);
        x[teams + t] = league / Math.exp(z[teams + t]!);
      }
      normalizeExact(x);
      for (let j = 0; j < 2 * teams; j++) x[j] = clamp(x[j]!);
      x[2 * teams] = h;
      if (!auto) break;
      // Home court is the root of homeCourt(h) − h: by secant steps once two rounds are known (the plain update
      // converges only as fast as the ratings leave home court alone).
      const residual = homeCourt(x) - h;
      if (Math.abs(residual) < params.tolerance / 10 || iterations >= params.maxIterations) {
        h += residual;
        x[2 * teams] = h;
        break;
      }
      const next = previousRound && residual !== previousRound.residual
        ? h - (residual * (h - previousRound.h)) / (residual - previousRound.residual) : h + residual;
      previousRound = { h, residual };
      h = next;
    }
    return { x, iterations };
  };
  // The plain iteration's normalization at its fixed point: the solution family's member whose adj_oe has mean L
  // (adj_oe · c, adj_de / c solve the equations too), then adj_de rescaled to mean L.
  const normalizeExact = (x: Float64Array) => {
    if (totalPossessions === 0) return;
    let oe = 0;
    for (let t = 0; t < teams; t++) oe += teamPossessions[t]! * x[t]!;
    const c = (league * totalPossessions) / oe;
    for (let t = 0; t < teams; t++) {
      if (!teamPossessions[t]) continue;
      x[t]! *= c;
      x[teams + t]! /= c;
    }
    normalize(x);
  };
  // Home court from ratings: the home teams' efficiency margin beyond what the ratings predict, shrunk to the prior.
  const homeCourt = (x: Float64Array) => {
    let residual = 0;
    for (let i = 0; i < n; i++) {
      if (venue[i] !== 1) continue;
      const t = team[i]!;
      const o = opp[i]!;
      residual += rawOff[i]! - rawDef[i]! - (x[t]! * x[teams + o]! - x[o]! * x[teams + t]!) / league;
    }
    return (residual / 2 + params.hcaPriorGames * hcaPrior) / (homeGames + params.hcaPriorGames);
  };

  let x: Float64Array = new Float64Array(size);
  {
    const h0 = auto ? (start?.hca !== undefined && Number.isFinite(start.hca) ? start.hca : hcaPrior) : (params.hca as number);
    const { oe, de } = corrected(h0);
    for (let i = 0; i < n; i++) {
      rawOe[team[i]!]! += weight[i]! * oe[i]!;
      rawDe[team[i]!]! += weight[i]! * de[i]!;
    }
    for (let t = 0; t < teams; t++) {
      const w = weightSum[t]! + k + priorWeight[t]!;
      const warm = start && Number.isFinite(start.adjOe[t]) && start.adjOe[t]! > 0;
      const initialOe = w > 0 ? (rawOe[t]! + k * league + priorWeight[t]! * priorOe[t]!) / w : league;
      const initialDe = w > 0 ? (rawDe[t]! + k * league + priorWeight[t]! * priorDe[t]!) / w : league;
      x[t] = warm ? start.adjOe[t]! : initialOe;
      x[teams + t] = warm ? start.adjDe[t]! : initialDe;
    }
    x[2 * teams] = h0;
  }

  let iterations = 0;
  let change = n ? Number.POSITIVE_INFINITY : 0;
  if (alpha === 1 && n > 0) {
    // At alpha = 1 the fixed point is a matrix scaling, the minimum of a convex function: solved by Newton's method,
    // which the plain iteration's slow modes (groups of teams linked by a game or two, early in a season) do not slow.
    const solved = scalingSolve(x);
    x = solved.x;
    iterations = solved.iterations;
    // The largest change one more step of the fixed point would make: the tolerance is met by the solution itself.
    const next = step(x);
    change = 0;
    for (let j = 0; j < size; j++) change = Math.max(change, Math.abs(next[j]! - x[j]!));
  }
  if (change >= params.tolerance) {
    // A rating the clamp holds at 40 or 200 (a team of a game or two, early in a season without a prior: the clamp,
    // applied before each rescaling, makes the solution no longer Newton's), or alpha other than 1: the plain fixed
    // point, from where Newton left it when it ran. Slow where few games link the teams: on such a date it may not
    // reach the tolerance within maxIterations (the solver_converged check says so). Anderson acceleration of the
    // damped map: the same fixed point, in far fewer steps than the plain iteration.
    const history: { g: Float64Array; f: Float64Array }[] = [];
    const limit = iterations + params.maxIterations;
    while (iterations < limit) {
      const full = step(x);
      // Damped by half: a group of teams that met only each other (early season) has its own scale, besides the
      // overall one the normalization fixes, which the plain step flips back and forth.
      const g = new Float64Array(size);
      const f = new Float64Array(size);
      change = 0;
      for (let j = 0; j < size; j++) {
        change = Math.max(change, Math.abs(full[j]! - x[j]!));
        g[j] = (x[j]! + full[j]!) / 2;
        f[j] = g[j]! - x[j]!;
      }
      iterations++;
      if (change < params.tolerance) {
        x = full;
        break;
      }
      history.push({ g, f });
      if (history.length > 5) history.shift();
      x = history.length < 2 ? g : anderson(history) ?? g;
    }
  }
  const adjOe = x.slice(0, teams);
  const adjDe = x.slice(teams, 2 * teams);
  const hca = x[2 * teams]!;
  // Raw figures (as scored) with the home court solved.
  rawOe.fill(0);
  rawDe.fill(0);
  const { oe, de } = corrected(hca, actualOff, actualDef);
  for (let i = 0; i < n; i++) {
    rawOe[team[i]!]! += weight[i]! * oe[i]!;
    rawDe[team[i]!]! += weight[i]! * de[i]!;
  }
  for (let t = 0; t < teams; t++) {
    rawOe[t] = weightSum[t]! > 0 ? (rawOe[t]! + k * league) / (weightSum[t]! + k) : Number.NaN;
    rawDe[t] = weightSum[t]! > 0 ? (rawDe[t]! + k * league) / (weightSum[t]! + k) : Number.NaN;
  }
  return {
    adjOe, adjDe, hca, iterations, finalChange: n ? change : 0, league, games: count, boxScoreGames: boxCount, rated, rawOe, rawDe,
    ...schedule(teams, games, team, opp, adjOe, adjDe, count, hca, params, prior, start),
  };
}

/** Strength of schedule, adjusted tempo and a margin rating (SRS), from the solved ratings. */
function schedule(
  teams: number, games: readonly TeamGame[], team: Int32Array, opp: Int32Array, adjOe: Float64Array, adjDe: Float64Array, count: Int32Array,
  hca: number, params: SolverParameters, prior: SeasonPrior | undefined, start: (Ratings & { srs?: Float64Array }) | undefined,
): Pick<Solution, 'sosOe' | 'sosDe' | 'adjTempo' | 'srs' | 'leagueTempo'> {
  const n = games.length;
  const sosOe = new Float64Array(teams);
  const sosDe = new Float64Array(teams);
  const tempo = new Float64Array(teams);
  const margin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = games[i]!;
    const t = team[i]!;
    sosOe[t]! += adjDe[opp[i]!]!;
    sosDe[t]! += adjOe[opp[i]!]!;
    tempo[t]! += (((g.possessions + g.oppPossessions) / 2) * 40) / g.minutes;
    margin[i] = g.points - g.oppPoints - (g.venue * hca * (g.possessions + g.oppPossessions)) / 100;
  }
  let leagueTempo = 0;
  let played = 0;
  for (let t = 0; t < teams; t++) {
    if (!count[t]) continue;
    sosOe[t]! /= count[t]!;
    sosDe[t]! /= count[t]!;
    tempo[t]! /= count[t]!;
    leagueTempo += tempo[t]! * count[t]!;
    played += count[t]!;
  }
  leagueTempo = played ? leagueTempo / played : (prior?.leagueTempo ?? DEFAULT_TEMPO);
  const oppTempo = new Float64Array(teams);
  for (let i = 0; i < n; i++) oppTempo[team[i]!]! += tempo[opp[i]!]!;
  const adjTempo = new Float64Array(teams);
  const p = prior && params.priorGames > 0 ? params.priorGames : 0;
  for (let t = 0; t < teams; t++) {
    const own = count[t] ? (tempo[t]! * leagueTempo) / (oppTempo[t]! / count[t]!) : 0;
    const pt = p && prior!.teams[t] ? prior!.teams[t]!.tempo * leagueTempo : undefined;
    adjTempo[t] = pt === undefined ? (count[t] ? own : Number.NaN) : (count[t]! * own + p * pt) / (count[t]! + p);
    if (!count[t]) {
      sosOe[t] = Number.NaN;
      sosDe[t] = Number.NaN;
    }
  }
  // SRS: a team's average margin (home court taken out) plus its opponents' average rating, centred on zero: the
  // least-squares margin rating, solved as such (conjugate gradients on its normal equations).
  const srs = leastSquaresRatings(teams, team, opp, margin, start?.srs);
  let mean = 0;
  let rated = 0;
  for (let t = 0; t < teams; t++) {
    if (!count[t]) continue;
    mean += srs[t]!;
    rated++;
  }
  mean = rated ? mean / rated : 0;
  for (let t = 0; t < teams; t++) srs[t] = count[t] ? srs[t]! - mean : Number.NaN;
  return { sosOe, sosDe, adjTempo, srs, leagueTempo };
}

/** Conjugate gradients with a diagonal preconditioner for a symmetric positive (semi)definite `apply`. */
function conjugateGradients(apply: (v: Float64Array, out: Float64Array) => void, b: Float64Array, diagonal: Float64Array, relative = 1e-12): Float64Array {
  const size = b.length;
  const x = new Float64Array(size);
  const r = Float64Array.from(b);
  const inverse = diagonal.map((d) => (d > 0 ? 1 / d : 0));
  const zv = r.map((v, j) => v * inverse[j]!);
  const p = Float64Array.from(zv);
  const ap = new Float64Array(size);
  let rz = dot(r, zv);
  const target = relative * relative * Math.max(1e-300, dot(b, b));
  for (let iteration = 0; iteration < 2 * size + 50 && dot(r, r) > target; iteration++) {
    apply(p, ap);
    const pap = dot(p, ap);
    if (!(pap > 0)) break;
    const step = rz / pap;
    for (let j = 0; j < size; j++) {
      x[j]! += step * p[j]!;
      r[j]! -= step * ap[j]!;
    }
    for (let j = 0; j < size; j++) zv[j] = r[j]! * inverse[j]!;
    const next = dot(r, zv);
    const beta = next / rz;
    rz = next;
    for (let j = 0; j < size; j++) p[j] = zv[j]! + beta * p[j]!;
  }
  return x;
}

/** The ridge on every unknown of a least-squares rating: small beside one game's weight of 1, enough to fix the level. */
const RIDGE = 1e-3;

/**
 * Ratings r minimizing Σ (margin_i − (r[team_i] − r[opp_i] + hcaWeight_i·h))² + ridge·|r, h|², over rows i, by
 * conjugate gradients warm-started from `start`. With `homeCourt`, h (the last unknown) is fitted too, with
 * `homeCourt[i]` its coefficient in row i. Ratings of teams without rows stay at 0.
 */
function leastSquaresRatings(teams: number, team: Int32Array, opp: Int32Array, margin: Float64Array, start?: Float64Array, homeCourt?: Float64Array): Float64Array {
  const size = homeCourt ? teams + 1 : teams;
  const x = new Float64Array(size);
  if (start) for (let j = 0; j < size; j++) x[j] = Number.isFinite(start[j]) ? start[j]! : 0;
  const rows = margin.length;
  const apply = (v: Float64Array, out: Float64Array) => {
    for (let j = 0; j < size; j++) out[j] = RIDGE * v[j]!;
    for (let i = 0; i < rows; i++) {
      const t = team[i]!;
      const o = opp[i]!;
      const w = homeCourt ? homeCourt[i]! : 0;
      const row = v[t]! - v[o]! + (w ? w * v[teams]! : 0);
      out[t]! += row;
      out[o]! -= row;
      if (w) out[teams]! += w * row;
    }
  };
  const b = new Float64Array(size);
  for (let i = 0; i < rows; i++) {
    b[team[i]!]! += margin[i]!;
    b[opp[i]!]! -= margin[i]!;
    if (homeCourt) b[teams]! += homeCourt[i]! * margin[i]!;
  }
  const r = new Float64Array(size);
  apply(x, r);
  for (let j = 0; j < size; j++) r[j] = b[j]! - r[j]!;
  const p = Float64Array.from(r);
  const ap = new Float64Array(size);
  let rr = dot(r, r);
  const target = 1e-20 * Math.max(1, dot(b, b));
  for (let iteration = 0; rr > target && iteration < 4 * size + 50; iteration++) {
    apply(p, ap);
    const step = rr / dot(p, ap);
    for (let j = 0; j < size; j++) {
      x[j]! += step * p[j]!;
      r[j]! -= step * ap[j]!;
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let j = 0; j < size; j++) p[j] = r[j]! + beta * p[j]!;
  }
  return x;
}

/** One game for the least-squares margin fit: dense team indexes, and the home team's margin. */
export interface MarginGame {
  readonly home: number;
  readonly away: number;
  readonly neutral: boolean;
  readonly margin: number;
}

/** A plain least-squares margin fit: points better than an average team on a neutral court, and home court in points. */
export interface MasseyFit {
  readonly ratings: Float64Array;
  readonly hca: number;
}

/**
 * Massey's method with a home-court term: home margin ≈ r[home] − r[away] + hca (none at a neutral site), in the
 * least-squares sense over the games given; warm-started from a previous fit.
 */
export function masseyFit(teams: number, games: readonly MarginGame[], start?: MasseyFit): MasseyFit {
  const home = Int32Array.from(games, (g) => g.home);
  const away = Int32Array.from(games, (g) => g.away);
  const margin = Float64Array.from(games, (g) => g.margin);
  const court = Float64Array.from(games, (g) => (g.neutral ? 0 : 1));
  let warm: Float64Array | undefined;
  if (start) {
    warm = new Float64Array(teams + 1);
    warm.set(start.ratings.subarray(0, teams));
    warm[teams] = start.hca;
  }
  const x = leastSquaresRatings(teams, home, away, margin, warm, court);
  return { ratings: x.slice(0, teams), hca: x[teams]! };
}

/** The fit's home margin for a game. */
export function masseyMargin(fit: MasseyFit, home: number, away: number, neutral: boolean): number {
  return fit.ratings[home]! - fit.ratings[away]! + (neutral ? 0 : fit.hca);
}

/**
 * The Anderson-accelerated next point from the last steps (g = step(x), f = g - x): g_k minus the combination of the
 * step differences that best cancels the residual, by least squares over the differences. Undefined when the small
 * system is singular or the result is not finite (the caller then takes the plain step).
 */
function anderson(history: readonly { g: Float64Array; f: Float64Array }[]): Float64Array | undefined {
  const last = history.at(-1)!;
  const m = history.length - 1;
  const df: Float64Array[] = [];
  const dg: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const a = history[i]!;
    const b = history[i + 1]!;
    df.push(b.f.map((v, j) => v - a.f[j]!));
    dg.push(b.g.map((v, j) => v - a.g[j]!));
  }
  // Normal equations (DFᵀDF) γ = DFᵀ f, solved by Gaussian elimination with a little ridge for stability.
  const a = Array.from({ length: m }, (_, r) => Array.from({ length: m }, (_, c) => dot(df[r]!, df[c]!)));
  const b = Array.from({ length: m }, (_, r) => dot(df[r]!, last.f));
  for (let r = 0; r < m; r++) a[r]![r]! += 1e-10 * (a[r]![r]! || 1);
  const gamma = solveSmall(a, b);
  if (!gamma) return undefined;
  const out = Float64Array.from(last.g);
  for (let i = 0; i < m; i++) for (let j = 0; j < out.length; j++) out[j]! -= gamma[i]! * dg[i]![j]!;
  for (let j = 0; j < out.length - 1; j++) {
    if (!Number.isFinite(out[j]!)) return undefined;
    out[j] = clamp(out[j]!);
  }
  return Number.isFinite(out.at(-1)!) ? out : undefined;
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

function solveSmall(a: number[][], b: number[]): number[] | undefined {
  const m = b.length;
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    if (Math.abs(a[pivot]![c]!) < 1e-300) return undefined;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    [b[c], b[pivot]] = [b[pivot]!, b[c]!];
    for (let r = c + 1; r < m; r++) {
      const factor = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < m; k++) a[r]![k]! -= factor * a[c]![k]!;
      b[r]! -= factor * b[c]!;
    }
  }
  const x = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < m; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : undefined;
}

/** Barthag: the chance of beating an average team, from offensive and defensive efficiency (exponent 11.5). */
export function barthag(oe: number, de: number): number {
  const o = oe ** 11.5;
  return o / (o + de ** 11.5);
}
