/**
 * A season's schedule on the real game's calendar: opening night on the first Monday of November, non-conference
 * rounds (neutral-court events around Thanksgiving, nothing on Christmas), then each conference's double round
 * robin on its own two days a week (Saturday and one weekday for most), conference tournaments in the week before
 * Selection Sunday, and the national tournament on its real days. Tips are local times at the venue: weekday
 * evenings, Saturdays from noon to late, Sunday afternoons. Games are played as they are scheduled, so tournament
 * fields follow the results.
 */
import type { ConferenceInfo, GameInfo, VenueInfo } from 'cbbd';
import { isoDateToDay } from '../core/partitions.ts';
import { weekdayOf } from './calendar.ts';
import type { Random } from './random.ts';
import type { TeamStrength } from './strengths.ts';

export interface GameKind {
  readonly neutral?: boolean;
  readonly conference?: boolean;
  readonly seasonType?: 'regular' | 'postseason';
  readonly tournament?: string;
  readonly notes?: string;
  readonly homeSeed?: number;
  readonly awaySeed?: number;
}

/** A game to play: its local day (days since 1970-01-01 at the venue), local tip hour, teams, venue and kind. */
export interface Fixture<T> {
  readonly day: number;
  readonly localHour: number;
  readonly home: T;
  readonly away: T;
  /** The venue for a neutral court; the home team's otherwise. */
  readonly neutralVenue?: VenueInfo;
  readonly kind: GameKind;
}

export interface ScheduleShape {
  readonly nonConferenceGames: number;
  readonly conferenceGames: number;
  readonly nationalField: number;
}

export interface ScheduledTeam {
  readonly id: number;
  readonly conferenceId: number | null;
}

export interface ScheduleInput<T extends ScheduledTeam> {
  readonly random: Random;
  readonly season: number;
  readonly shape: ScheduleShape;
  readonly conferences: readonly ConferenceInfo[];
  readonly divisionOne: readonly T[];
  readonly others: readonly T[];
  readonly neutralVenues: readonly VenueInfo[];
  readonly strengths: ReadonlyMap<number, TeamStrength>;
  /** Plays a fixture now and returns the game (tournament brackets need the winners). */
  readonly play: (fixture: Fixture<T>) => GameInfo;
}

const SUNDAY = 0;
const MONDAY = 1;
const FRIDAY = 5;
const SATURDAY = 6;

/**
 * Share of non-conference games on each weekday (Sunday first): every day has games in November and December, the
 * weekend and midweek more than Mondays and Fridays.
 */
const NON_CONFERENCE_WEEKDAYS = [0.12, 0.08, 0.17, 0.17, 0.13, 0.09, 0.24];
/** The weekday a conference plays besides Saturday, and how often leagues choose it. */
const CONFERENCE_WEEKDAYS: readonly [number, number][] = [[2, 0.3], [3, 0.37], [4, 0.27], [1, 0.06]];

/** Opening night: the first Monday of November of the season's first year. */
export function openingDay(season: number): number {
  const nov1 = isoDateToDay(`${season - 1}-11-01`)!;
  return nov1 + ((MONDAY - weekdayOf(nov1) + 7) % 7);
}

/** The first day a conference may play a conference game: December 29, once the non-conference season is over. */
function conferenceStart(season: number): number {
  return isoDateToDay(`${season - 1}-12-29`)!;
}

/** Selection Sunday: the Sunday from March 11 to 17. */
export function selectionSunday(season: number): number {
  const mar11 = isoDateToDay(`${season}-03-11`)!;
  return mar11 + ((SUNDAY - weekdayOf(mar11) + 7) % 7);
}

export function scheduleSeason<T extends ScheduledTeam>(input: ScheduleInput<T>): void {
  const played: GameInfo[] = [];
  const recorded: ScheduleInput<T> = {
    ...input,
    play: (fixture) => {
      const game = input.play(fixture);
      played.push(game);
      return game;
    },
  };
  nonConference(recorded);
  conferencePlay(recorded);
  const champions = conferenceTournaments(recorded, winPcts(played));
  nationalTournament(recorded, champions, winPcts(played));
}

/** Rounds of random pairings from opening night to just before New Year, some against lower divisions. */
function nonConference<T extends ScheduledTeam>({ random, season, shape, divisionOne, others, neutralVenues, play }: ScheduleInput<T>): void {
  const first = openingDay(season);
  const christmas = isoDateToDay(`${season - 1}-12-25`)!;
  const nov1 = isoDateToDay(`${season - 1}-11-01`)!;
  const thanksgiving = nov1 + ((4 - weekdayOf(nov1) + 7) % 7) + 21;
  // Game days: opening night to December 28 (conference play starts after it), without Christmas Eve to Boxing Day.
  const days: number[] = [];
  for (let d = first; d < conferenceStart(season); d++) if (d < christmas - 1 || d > christmas + 1) days.push(d);
  const rounds = shape.nonConferenceGames;
  for (let round = 0; round < rounds; round++) {
    // Opening night is its own round: most teams play on the first Monday or Tuesday.
    const window = round === 0 ? days.slice(0, 2) : days.slice(2 + Math.floor(((round - 1) * (days.length - 2)) / (rounds - 1)), 2 + Math.floor((round * (days.length - 2)) / (rounds - 1)));
    const mte = window.some((d) => Math.abs(d - thanksgiving) <= 3);
    // The day before the Christmas break, teams tip in the afternoon and travel home after.
    const tip = (day: number, allDay = false) => (day === christmas - 2 ? afternoonTip(random) : tipHour(random, day, allDay));
    const pool = random.shuffle([...divisionOne]);
    // A team plays at most once a round, lower-division visitors too.
    const visitors = random.shuffle([...others]);
    while (pool.length >= 2) {
      const a = pool.pop()!;
      const day = round === 0 ? window[random.chance(0.75) ? 0 : 1]! : weightedDay(random, window, NON_CONFERENCE_WEEKDAYS);
      if (random.chance(0.22) && visitors.length) {
        play({ day, localHour: tip(day), home: a, away: visitors.pop()!, kind: {} });
        continue;
      }
      const b = pool.pop()!;
      const [home, away] = random.chance(0.5) ? [a, b] : [b, a];
      // Early-season events on neutral courts, most of them the week of Thanksgiving.
      const neutral = random.chance(mte ? 0.5 : 0.06);
      play({ day, localHour: tip(day, neutral), home, away, kind: neutral ? { neutral } : {}, neutralVenue: neutral ? random.pick(neutralVenues) : undefined });
    }
  }
}

/**
 * Each conference's double round robin, from the turn of the year to early March, two rounds a week on the
 * conference's days: Saturday and its weekday. Some games move a day for television (Saturday to Sunday or Friday,
 * a weekday to the next one or to Monday), as real schedules do.
 */
function conferencePlay<T extends ScheduledTeam>({ random, season, shape, conferences, divisionOne, play }: ScheduleInput<T>): void {
  for (const conference of conferences) {
    const weekday = weighted(random, CONFERENCE_WEEKDAYS);
    const members = random.shuffle(divisionOne.filter((t) => t.conferenceId === conference.id));
    const rounds = roundRobin(members);
    const schedule = [...rounds, ...rounds.map((r) => r.map(([h, a]) => [a, h] as [T, T]))].slice(0, shape.conferenceGames);
    // The conference's days from a start between December 29 and January 4.
    let day = conferenceStart(season) + random.int(0, 6);
    const playDays: number[] = [];
    while (playDays.length < schedule.length) {
      if (weekdayOf(day) === SATURDAY || weekdayOf(day) === weekday) playDays.push(day);
      day++;
    }
    schedule.forEach((pairs, r) => {
      const slot = playDays[r]!;
      const saturday = weekdayOf(slot) === SATURDAY;
      for (const [home, away] of pairs) {
        // A day later or earlier for television, never onto a Friday from a weekday slot.
        const shift = saturday
          ? (random.chance(0.16) ? 1 : random.chance(0.03) ? -1 : 0)
          : (random.chance(0.2) && weekdayOf(slot + 1) !== FRIDAY ? 1 : random.chance(0.05) ? MONDAY - weekdayOf(slot) : 0);
        const gameDay = Math.max(conferenceStart(season), slot + shift);
        play({ day: gameDay, localHour: tipHour(random, gameDay), home, away, kind: { conference: true } });
      }
    });
  }
}

/**
 * The top eight of each conference by record, single elimination on a neutral court on three days in a row, ending
 * on the weekend of Selection Sunday for most conferences and a week earlier for the rest.
 */
function conferenceTournaments<T extends ScheduledTeam>({ random, season, conferences, divisionOne, neutralVenues, play }: ScheduleInput<T>, winPct: (teamId: number) => number): T[] {
  const champions: T[] = [];
  const selection = selectionSunday(season);
  for (const conference of conferences) {
    const venue = random.pick(neutralVenues);
    const final = selection - (random.chance(0.65) ? random.int(0, 1) : 7 + random.int(0, 1));
    const standings = divisionOne.filter((t) => t.conferenceId === conference.id).sort((a, b) => winPct(b.id) - winPct(a.id) || a.id - b.id);
    let field = standings.slice(0, 8).map((team, i) => ({ team, seed: i + 1 }));
    let day = final - Math.ceil(Math.log2(field.length)) + 1;
    while (field.length > 1) {
      const next: typeof field = [];
      for (let i = 0; i < field.length / 2; i++) {
        const high = field[i]!;
        const low = field[field.length - 1 - i]!;
        const game = play({
          // Finals on Selection Sunday are afternoon games, done before the bracket is announced.
          day, localHour: weekdayOf(day) === SUNDAY ? afternoonTip(random) : tipHour(random, day, true), home: high.team, away: low.team, neutralVenue: venue,
          kind: { neutral: true, conference: true, seasonType: 'postseason', tournament: `${conference.abbreviation} Tournament`, homeSeed: high.seed, awaySeed: low.seed },
        });
        next.push(game.homeWinner ? high : low);
      }
      field = next.sort((a, b) => a.seed - b.seed);
      day++;
    }
    champions.push(field[0]!.team);
  }
  return champions;
}

/**
 * The national tournament: champions plus the best at-large teams, seeded by strength, single elimination on its
 * real days: First Four Tuesday and Wednesday after Selection Sunday, each later round over a Thursday–Friday or
 * Saturday–Sunday, the semifinals on the third Saturday and the final on the Monday after.
 */
function nationalTournament<T extends ScheduledTeam>({ random, season, shape, divisionOne, neutralVenues, strengths, play }: ScheduleInput<T>, champions: readonly T[], winPct: (teamId: number) => number): void {
  const net = (t: T) => strengths.get(t.id)!.net;
  const atLarge = divisionOne.filter((t) => !champions.includes(t)).sort((a, b) => net(b) + winPct(b.id) * 10 - (net(a) + winPct(a.id) * 10));
  const fieldSize = shape.nationalField === 68 ? 64 : shape.nationalField;
  const entrants = [...champions, ...atLarge].slice(0, fieldSize).sort((a, b) => net(b) - net(a));
  let bracket = entrants.map((team, i) => ({ team, seed: Math.floor(i / Math.max(1, fieldSize / 16)) + 1 }));
  const selection = selectionSunday(season);
  const kind = (homeSeed: number, awaySeed: number, notes?: string): GameKind =>
    ({ neutral: true, seasonType: 'postseason', tournament: 'National Tournament', homeSeed, awaySeed, ...(notes ? { notes } : {}) });
  if (shape.nationalField === 68) {
    // Four play-in games for the last spots of the field.
    const bubble = [...champions, ...atLarge].slice(fieldSize, fieldSize + 4);
    bubble.forEach((team, i) => {
      const slot = bracket.length - 1 - i;
      const day = selection + 2 + (i % 2);
      const game = play({ day, localHour: 18.5 + (i >> 1) * 2.5, home: bracket[slot]!.team, away: team, neutralVenue: neutralVenues[0], kind: kind(16, 16, 'First Four') });
      if (!game.homeWinner) bracket[slot] = { team, seed: 16 };
    });
  }
  const roundDays = [[4, 5], [6, 7], [11, 12], [13, 14], [20, 20], [22, 22]].map(([a, b]) => [selection + a!, selection + b!] as const);
  let round = 0;
  while (bracket.length > 1) {
    const next: typeof bracket = [];
    const [first, second] = roundDays[Math.min(round, roundDays.length - 1)]!;
    for (let i = 0; i < bracket.length / 2; i++) {
      const high = bracket[i]!;
      const low = bracket[bracket.length - 1 - i]!;
      const day = i % 2 ? second : first;
      const game = play({ day, localHour: tipHour(random, day, true), home: high.team, away: low.team, neutralVenue: neutralVenues[(i + round) % neutralVenues.length], kind: kind(high.seed, low.seed) });
      next.push(game.homeWinner ? high : low);
    }
    bracket = next;
    round++;
  }
}

/** Win percentage of every team over the games so far. */
function winPcts(games: readonly GameInfo[]): (teamId: number) => number {
  const record = new Map<number, { wins: number; played: number }>();
  const add = (teamId: number, won: boolean | null) => {
    const r = record.get(teamId) ?? { wins: 0, played: 0 };
    r.played++;
    if (won) r.wins++;
    record.set(teamId, r);
  };
  for (const g of games) {
    add(g.homeTeamId, g.homeWinner);
    add(g.awayTeamId, g.awayWinner);
  }
  return (teamId) => {
    const r = record.get(teamId);
    return r ? r.wins / r.played : 0;
  };
}

/** A day of `window`, weighted by the share of games its weekday gets. */
function weightedDay(random: Random, window: readonly number[], weights: readonly number[]): number {
  return weighted(random, window.map((d) => [d, weights[weekdayOf(d)]!] as [number, number]));
}

function weighted<V>(random: Random, choices: readonly (readonly [V, number])[]): V {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let x = random.next() * total;
  for (const [value, w] of choices) if ((x -= w) <= 0) return value;
  return choices.at(-1)![0];
}

/**
 * A local tip time: weekday games in the evening, Saturday's from noon to late evening, Sunday's in the afternoon,
 * neutral-court events around the clock of a long day; on the hour or half hour, a few at odd minutes for television.
 */
export function tipHour(random: Random, day: number, allDay = false): number {
  const weekday = weekdayOf(day);
  const hours: readonly (readonly [number, number])[] = allDay || weekday === SATURDAY
    ? [[12, 0.08], [13, 0.07], [14, 0.12], [15, 0.07], [16, 0.13], [17, 0.07], [18, 0.12], [19, 0.16], [20, 0.11], [21, 0.05], [22, 0.02]]
    : weekday === SUNDAY
      ? [[12, 0.15], [13, 0.1], [14, 0.25], [15, 0.1], [16, 0.2], [17, 0.1], [18, 0.1]]
      : [[17, 0.03], [18, 0.22], [19, 0.45], [20, 0.2], [21, 0.08], [22, 0.02]];
  const hour = weighted(random, hours);
  const minute = random.chance(0.62) ? 0 : random.chance(0.75) ? 30 : random.pick([5, 15, 45]);
  return hour + minute / 60;
}

/** An afternoon tip, noon to 3:30 pm local: over before the evening even on the West Coast (still the same UTC date). */
function afternoonTip(random: Random): number {
  return 12 + random.int(0, 3) + (random.chance(0.4) ? 0.5 : 0);
}

/** Circle-method round robin: rounds of (home, away) pairs in which every team meets every other once. */
function roundRobin<T>(teams: readonly T[]): [T, T][][] {
  const list: (T | undefined)[] = [...teams];
  if (list.length % 2) list.push(undefined);
  const rounds: [T, T][][] = [];
  for (let r = 0; r < list.length - 1; r++) {
    const pairs: [T, T][] = [];
    for (let i = 0; i < list.length / 2; i++) {
      const a = list[i];
      const b = list[list.length - 1 - i];
      if (a !== undefined && b !== undefined) pairs.push(r % 2 ? [a, b] : [b, a]);
    }
    rounds.push(pairs);
    list.splice(1, 0, list.pop());
  }
  return rounds;
}
