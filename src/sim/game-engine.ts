/**
 * A game simulated possession by possession: shots (range, made or missed, assisted, blocked), rebounds, turnovers,
 * steals, fouls, free throws, substitutions and timeouts, each an event with the score and the ten players on the
 * floor. Box scores, substitutions and lineups are derived from these events, so their sums always agree.
 * Deterministic from (seed, game id): events are regenerated on demand instead of kept for a whole season.
 */
import { Random } from './random.ts';
import type { SimPlayer } from './rosters.ts';

export type Side = 0 | 1; // home, away
export type ShotRange = 'rim' | 'jumper' | 'three_pointer' | 'free_throw';
export type EventKind = 'jumpball' | 'shot' | 'rebound' | 'turnover' | 'steal' | 'block' | 'foul' | 'substitution' | 'timeout' | 'end_period';

export interface GameEvent {
  readonly period: number;
  /** Seconds left in the period. */
  readonly seconds: number;
  readonly kind: EventKind;
  /** The team of the acting player (null for timeouts and period ends). */
  readonly side: Side | null;
  /** Index in the side's roster of the acting player. */
  readonly player: number | null;
  /** The other player: the assister, the player who stole or blocked, the player subbed in. */
  readonly other: number | null;
  readonly range?: ShotRange;
  readonly made?: boolean;
  readonly offensive?: boolean;
  readonly points: number;
  readonly home: number;
  readonly away: number;
  /** Roster indexes on the floor, home then away, after the event. */
  readonly floor: readonly [readonly number[], readonly number[]];
  /** True when the event ends a possession of `possessionSide`. */
  readonly endsPossession: boolean;
  readonly possessionSide: Side;
}

export interface TeamInGame {
  readonly roster: readonly SimPlayer[];
  /** Points per 100 possessions above average, on offense and on defense (positive = fewer allowed). */
  readonly offense: number;
  readonly defense: number;
  readonly tempo: number;
}

export interface SimulatedGame {
  readonly events: readonly GameEvent[];
  readonly periodPoints: readonly [number[], number[]];
  readonly periods: number;
}

const HALF = 1200;
const OVERTIME = 300;
/**
 * An edge moves a possession's shot, turnover and rebound chances, which together are worth a little less than the
 * edge in points: scaled so that a team 10 points per 100 possessions better does score 10 more per 100.
 */
const EDGE_TO_POINTS = 1.09;
/** Efficiency (points per possession) a team gives back per point it is ahead of the expected score line. */
const GAME_STATE_PULL = 0.006;
/**
 * The SD in points of a game's final margin around the margin the strengths predict, that the possessions and the
 * pull above come to (measured over full-scale seasons by `npm run bench -- realism`).
 */
export const GAME_MARGIN_SD = 10;

/**
 * Simulate a game. `homeEdge` is the home advantage in points (0 on a neutral court). Without `keepEvents` only the
 * score is kept (the same draws are made, so the score matches a later full replay of the same game).
 */
export function simulateGame(seed: number, gameId: number, home: TeamInGame, away: TeamInGame, homeEdge: number, keepEvents = true): SimulatedGame {
  const r = Random.derive(seed, 'game', gameId);
  const teams = [home, away] as const;
  const events: GameEvent[] = [];
  // Replaced (never mutated) on each substitution, so every event can share the arrays instead of copying them.
  const floor: [readonly number[], readonly number[]] = [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]];
  const played: [number[], number[]] = [home.roster.map(() => 0), away.roster.map(() => 0)];
  const score: [number, number] = [0, 0];
  const periodPoints: [number[], number[]] = [[0], [0]];
  const teamFouls: [number, number] = [0, 0];
  let period = 1;
  let seconds = HALF;
  let lastSubCheck = HALF;
  const tempo = (home.tempo + away.tempo) / 2;
  // Seconds of a possession, so that a game has about `tempo` possessions a team.
  const meanLength = 2400 / (2 * tempo);
  // The home margin the strengths predict, and how far into regulation the game is (for the game-state pull below).
  const expected = ((home.offense + home.defense - away.offense - away.defense) * tempo) / 100 + homeEdge;
  const elapsed = () => Math.min(1, period <= 2 ? ((period - 1) * HALF + HALF - seconds) / 2400 : 1);
  // Efficiency edge of each side's offense over the other's defense, with the home edge split between them, less a
  // pull toward the expected score line: a team far ahead of it eases off and empties its bench, a team far behind
  // presses and fouls. Real margins stray from the spread by about 10 points, where independent possessions at these
  // rates would stray by 14.
  const edge = (side: Side) => {
    const ahead = (side === 0 ? 1 : -1) * (score[0] - score[1] - expected * elapsed());
    return EDGE_TO_POINTS * ((teams[side].offense - teams[1 - side as Side].defense) / 100 + (side === 0 ? 1 : -1) * (homeEdge / 2) / tempo) - GAME_STATE_PULL * ahead;
  };

  const emit = (e: Omit<GameEvent, 'home' | 'away' | 'floor' | 'period' | 'seconds'>) => {
    if (e.points && e.side !== null) {
      score[e.side] += e.points;
      periodPoints[e.side][period - 1]! += e.points;
    }
    if (keepEvents) events.push({ ...e, period, seconds, home: score[0], away: score[1], floor: [floor[0], floor[1]] });
    else if (e.endsPossession || e.kind === 'end_period') events.length = 0; // nothing to keep; see the rare-possession fix-up below
  };
  const pick = (side: Side, weight: (p: SimPlayer) => number, exclude = -1) => {
    const onFloor = floor[side];
    const roster = teams[side].roster;
    let total = 0;
    for (const i of onFloor) if (i !== exclude) total += weight(roster[i]!);
    let x = r.next() * total;
    let last = onFloor[0]!;
    for (const i of onFloor) {
      if (i === exclude) continue;
      last = i;
      if ((x -= weight(roster[i]!)) <= 0) return i;
    }
    return last;
  };
  const tick = (dt: number) => {
    const used = Math.min(dt, seconds);
    seconds -= used;
    for (const side of [0, 1] as Side[]) for (const i of floor[side]) played[side][i]! += used;
  };
  const substitute = () => {
    // At a dead ball: each side swaps whoever is furthest over their share of minutes for whoever is furthest under.
    const elapsed = (period <= 2 ? (period - 1) * HALF + (HALF - seconds) : 2400 + (period - 3) * OVERTIME + (OVERTIME - seconds)) || 1;
    for (const side of [0, 1] as Side[]) {
      const roster = teams[side].roster;
      const owed = (i: number) => (roster[i]!.minutes / 40) * elapsed - played[side][i]!;
      const bench = roster.map((_, i) => i).filter((i) => !floor[side].includes(i));
      for (let swaps = 0; swaps < 2; swaps++) {
        const out = [...floor[side]].sort((a, b) => owed(a) - owed(b))[0]!;
        const inn = bench.sort((a, b) => owed(b) - owed(a))[0]!;
        if (owed(inn) - owed(out) < 150) break;
        floor[side] = floor[side].map((i) => (i === out ? inn : i));
        bench[bench.indexOf(inn)] = out;
        emit({ kind: 'substitution', side, player: out, other: inn, points: 0, endsPossession: false, possessionSide: side });
      }
    }
  };
  const freeThrows = (side: Side, shooter: number, count: number): boolean => {
    let lastMade = false;
    for (let k = 0; k < count; k++) {
      lastMade = r.chance(teams[side].roster[shooter]!.freeThrow);
      const last = k === count - 1;
      emit({ kind: 'shot', side, player: shooter, other: null, range: 'free_throw', made: lastMade, points: lastMade ? 1 : 0, endsPossession: last && lastMade, possessionSide: side });
    }
    return lastMade;
  };
  /** A rebound after a miss; true when the offense keeps the ball. */
  const rebound = (side: Side, afterFreeThrow: boolean): boolean => {
    const offensive = r.chance(afterFreeThrow ? 0.14 : 0.29 + edge(side) * 0.2);
    const rebSide = offensive ? side : ((1 - side) as Side);
    emit({ kind: 'rebound', side: rebSide, player: pick(rebSide, (p) => p.rebounding), other: null, offensive, points: 0, endsPossession: !offensive, possessionSide: side });
    return offensive;
  };

  let offense: Side = r.chance(0.5) ? 0 : 1;
  emit({ kind: 'jumpball', side: offense, player: floor[offense][4]!, other: null, points: 0, endsPossession: false, possessionSide: offense });

  for (;;) {
    if (seconds <= 0) {
      emit({ kind: 'end_period', side: null, player: null, other: null, points: 0, endsPossession: false, possessionSide: offense });
      if (period >= 2 && score[0] !== score[1]) break;
      period++;
      seconds = period <= 2 ? HALF : OVERTIME;
      lastSubCheck = seconds;
      if (period === 2 || period === 3) teamFouls[0] = teamFouls[1] = 0;
      periodPoints[0].push(0);
      periodPoints[1].push(0);
      offense = (period % 2 ? 0 : 1) as Side;
      substitute();
      continue;
    }
    // TV timeouts at the first dead ball under 16, 12, 8 and 4 minutes, and substitutions every few minutes.
    if (period <= 2 && [960, 720, 480, 240].some((t) => seconds <= t && lastSubCheck > t)) {
      emit({ kind: 'timeout', side: null, player: null, other: null, points: 0, endsPossession: false, possessionSide: offense });
      substitute();
      lastSubCheck = seconds;
    } else if (lastSubCheck - seconds > 150) {
      substitute();
      lastSubCheck = seconds;
    }
    tick(Math.max(3, Math.min(30, r.normal(meanLength * 0.97, 5))));
    const defense = (1 - offense) as Side;
    const e = edge(offense);
    let keep = true;
    let attempts = 0;
    while (keep && attempts++ < 6) {
      keep = false;
      if (r.chance(0.15 - e * 0.15)) {
        const loser = pick(offense, (p) => p.usage);
        const stolen = r.chance(0.5);
        emit({ kind: 'turnover', side: offense, player: loser, other: null, points: 0, endsPossession: !stolen, possessionSide: offense });
        if (stolen) emit({ kind: 'steal', side: defense, player: pick(defense, () => 1), other: null, points: 0, endsPossession: true, possessionSide: offense });
        break;
      }
      if (r.chance(0.13)) {
        // A non-shooting foul: in the bonus it sends the team to the line, otherwise the ball is inbounded.
        teamFouls[defense]++;
        emit({ kind: 'foul', side: defense, player: pick(defense, () => 1), other: null, points: 0, endsPossession: false, possessionSide: offense });
        if (teamFouls[defense] >= 7) {
          const shooter = pick(offense, (p) => p.usage);
          if (!freeThrows(offense, shooter, teamFouls[defense] >= 10 ? 2 : 1)) keep = rebound(offense, true);
          break;
        }
      }
      const shooter = pick(offense, (p) => p.usage);
      const player = teams[offense].roster[shooter]!;
      const range: ShotRange = r.chance(player.threeRate) ? 'three_pointer' : r.chance(0.55) ? 'rim' : 'jumper';
      const base = range === 'three_pointer' ? 0.312 : range === 'rim' ? 0.555 : 0.34;
      const made = r.chance(base + player.shooting + e * 0.35);
      const fouled = r.chance(range === 'rim' ? 0.3 : range === 'jumper' ? 0.12 : 0.03);
      const value = range === 'three_pointer' ? 3 : 2;
      if (fouled) {
        teamFouls[defense]++;
        emit({ kind: 'foul', side: defense, player: pick(defense, () => 1), other: null, points: 0, endsPossession: false, possessionSide: offense });
      }
      if (made) {
        const assisted = r.chance(range === 'three_pointer' ? 0.85 : range === 'jumper' ? 0.6 : 0.45);
        emit({ kind: 'shot', side: offense, player: shooter, other: assisted ? pick(offense, (p) => p.usage, shooter) : null, range, made: true, points: value, endsPossession: !fouled, possessionSide: offense });
        if (fouled && !freeThrows(offense, shooter, 1)) keep = rebound(offense, true);
        break;
      }
      if (fouled) {
        // A fouled miss is not a field-goal attempt: the shooter goes to the line instead.
        if (!freeThrows(offense, shooter, value)) keep = rebound(offense, true);
        break;
      }
      emit({ kind: 'shot', side: offense, player: shooter, other: null, range, made: false, points: 0, endsPossession: false, possessionSide: offense });
      if (r.chance(range === 'rim' ? 0.2 : range === 'jumper' ? 0.07 : 0.02)) {
        emit({ kind: 'block', side: defense, player: pick(defense, (p) => p.rebounding), other: null, points: 0, endsPossession: false, possessionSide: offense });
      }
      keep = rebound(offense, false);
      if (keep) tick(r.int(2, 8));
    }
    if (keep && events.length) {
      // Six chances in one possession: end it quietly (rare).
      events[events.length - 1] = { ...events[events.length - 1]!, endsPossession: true };
    }
    offense = defense;
  }
  return { events, periodPoints, periods: period };
}
