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
  let adjOe: Float64Array = new Float64Array(teams);
  let adjDe: Float64Array = new Float64Array(teams);
  for (let t = 0; t < teams; t++) {
    const warm = start && Number.isFinite(start.adjOe[t]) && start.adjOe[t]! > 0;
    adjOe[t] = warm ? start.adjOe[t]! : rawOe[t]!;
    adjDe[t] = warm ? start.adjDe[t]! : rawDe[t]!;
  }
  const alpha = params.sosExponent;
  // One Jacobi step of GOLD.md's fixed point: every team from the previous iteration's values. x = [adj_oe; adj_de].
  const step = (x: Float64Array): Float64Array => {
    const next = new Float64Array(2 * teams);
    for (let i = 0; i < n; i++) {
      const t = team[i]!;
      const o = opp[i]!;
      next[t]! += weight[i]! * oe[i]! * (league / x[teams + o]!) ** alpha;
      next[teams + t]! += weight[i]! * de[i]! * (league / x[o]!) ** alpha;
    }
    for (let t = 0; t < teams; t++) {
      if (weightSum[t]! === 0) {
        next[t] = x[t]!;
        next[teams + t] = x[teams + t]!;
        continue;
      }
      next[t] = clamp((next[t]! + k * league) / (weightSum[t]! + k));
      next[teams + t] = clamp((next[teams + t]! + k * league) / (weightSum[t]! + k));
    }
    return next;
  };
  let x: Float64Array = new Float64Array(2 * teams);
  x.set(adjOe, 0);
  x.set(adjDe, teams);
  // Anderson acceleration (depth 3): the same fixed point, reached in far fewer steps when few games link the teams
  // (early season, where the plain iteration's error shrinks only by the SOS exponent per step).
  const history: { g: Float64Array; f: Float64Array }[] = [];
  let iterations = 0;
  let change = Number.POSITIVE_INFINITY;
  while (iterations < params.maxIterations) {
    const g = step(x);
    const f = new Float64Array(2 * teams);
    change = 0;
    for (let j = 0; j < f.length; j++) {
      f[j] = g[j]! - x[j]!;
      change = Math.max(change, Math.abs(f[j]!));
    }
    iterations++;
    if (change < params.tolerance) {
      x = g;
      break;
    }
    history.push({ g, f });
    if (history.length > 4) history.shift();
    x = history.length < 2 ? g : anderson(history) ?? g;
  }
  adjOe = x.slice(0, teams);
  adjDe = x.slice(teams);
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
  // SRS: a team's average margin plus its opponents' average rating, centred on zero. Damped by half: the plain
  // update oscillates for ever when the schedule splits teams into two sides that only meet each other (the first
  // week: one game won by 10 must give +5 and -5, not flip between +10/-10 and 0/0).
  let srs = Float64Array.from(margin);
  for (let iteration = 0; iteration < 10 * params.maxIterations; iteration++) {
    const next = new Float64Array(teams);
    for (let i = 0; i < n; i++) next[team[i]!]! += srs[opp[i]!]!;
    let mean = 0;
    let rated = 0;
    for (let t = 0; t < teams; t++) {
      if (!count[t]) continue;
      next[t] = (srs[t]! + margin[t]! + next[t]! / count[t]!) / 2;
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

/**
 * The Anderson-accelerated next point from the last steps (g = step(x), f = g - x): g_k minus the combination of the
 * step differences that best cancels the residual, by least squares over at most three differences. Undefined when
 * the small system is singular or the result is not finite (the caller then takes the plain step).
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
  // Normal equations (DFᵀDF) γ = DFᵀ f, m ≤ 3, solved by Gaussian elimination with a little ridge for stability.
  const a = Array.from({ length: m }, (_, r) => Array.from({ length: m }, (_, c) => dot(df[r]!, df[c]!)));
  const b = Array.from({ length: m }, (_, r) => dot(df[r]!, last.f));
  for (let r = 0; r < m; r++) a[r]![r]! += 1e-10 * (a[r]![r]! || 1);
  const gamma = solveSmall(a, b);
  if (!gamma) return undefined;
  const out = Float64Array.from(last.g);
  for (let i = 0; i < m; i++) for (let j = 0; j < out.length; j++) out[j]! -= gamma[i]! * dg[i]![j]!;
  for (let j = 0; j < out.length; j++) {
    if (!Number.isFinite(out[j]!)) return undefined;
    out[j] = clamp(out[j]!);
  }
  return out;
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
