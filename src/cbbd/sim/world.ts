/**
 * The simulator's world: conferences, teams of every division, venues, and for each season a schedule of games
 * played from latent team strengths (offense, defense, tempo) with a home advantage of about 3 points.
 * Everything is a pure function of (seed, scale); seasons are generated on first use and cached.
 */
import type { ConferenceInfo, GameInfo, TeamInfo, VenueInfo } from 'cbbd';
import { isoDateToDay } from '../../core/partitions.ts';
import { abbreviate, conferenceName, mascot, schoolNames, state } from './names.ts';
import { simulateGame, type SimulatedGame, type TeamInGame } from './game-engine.ts';
import { Random } from './random.ts';
import { rosterOf, type SimPlayer } from './rosters.ts';

export type SimScale = 'demo' | 'full';

export interface WorldOptions {
  readonly seed: number;
  readonly scale: SimScale;
  /** Games that start before this instant are final; later ones are scheduled. */
  readonly now: () => Date;
}

interface ScaleShape {
  conferences: number;
  teamsPerConference: [number, number];
  otherTeams: number;
  nonConferenceGames: number;
  conferenceGames: number;
  nationalField: number;
}

const SCALES: Record<SimScale, ScaleShape> = {
  demo: { conferences: 4, teamsPerConference: [8, 8], otherTeams: 40, nonConferenceGames: 10, conferenceGames: 14, nationalField: 16 },
  full: { conferences: 32, teamsPerConference: [9, 14], otherTeams: 1_140, nonConferenceGames: 12, conferenceGames: 18, nationalField: 68 },
};

/** Latent strengths of one team in one season: points per 100 possessions above average, possessions per 40. */
export interface TeamStrength {
  readonly teamId: number;
  readonly team: string;
  readonly offense: number;
  readonly defense: number;
  readonly net: number;
  readonly tempo: number;
}

export interface SimTeam extends TeamInfo {
  readonly division: 1 | 2 | 3;
  /** Long-run quality, around which each season's strength drifts. */
  readonly baseQuality: number;
}

export interface Season {
  readonly season: number;
  readonly games: readonly GameInfo[];
  readonly strengths: ReadonlyMap<number, TeamStrength>;
}

/** Home advantage in points, which the engine splits between the two teams' efficiencies. */
const HOME_POINTS = 4;

export class SimWorld {
  readonly seed: number;
  readonly scale: SimScale;
  readonly conferences: readonly ConferenceInfo[];
  readonly teams: readonly SimTeam[];
  readonly venues: readonly VenueInfo[];
  private readonly now: () => Date;
  private readonly seasons = new Map<number, Season>();
  private readonly rosters = new Map<string, SimPlayer[]>();
  private readonly gameIndex = new Map<number, Map<number, GameInfo>>();

  constructor(options: WorldOptions) {
    this.seed = options.seed;
    this.scale = options.scale;
    this.now = options.now;
    const shape = SCALES[options.scale];
    const random = Random.derive(options.seed, 'world');
    const taken = new Set<string>();
    this.conferences = Array.from({ length: shape.conferences }, (_, i) => {
      const name = conferenceName(random, taken);
      taken.add(name);
      return { id: i + 1, sourceId: String(100 + i), name, abbreviation: abbreviate(name), shortName: name.split(' ')[0]! };
    });
    const d1Count = this.conferences.map(() => random.int(...shape.teamsPerConference));
    const names = schoolNames(random, d1Count.reduce((a, b) => a + b, 0) + shape.otherTeams);
    const teams: SimTeam[] = [];
    const venues: VenueInfo[] = [];
    let nameIndex = 0;
    this.conferences.forEach((conference, c) => {
      // Conferences differ in strength, as real ones do.
      const conferenceQuality = random.normal(0, 4);
      for (let t = 0; t < d1Count[c]!; t++) teams.push(this.makeTeam(random, teams.length + 1, names[nameIndex++]!, 1, conferenceQuality, conference, venues));
    });
    for (let t = 0; t < shape.otherTeams; t++) {
      teams.push(this.makeTeam(random, teams.length + 1, names[nameIndex++]!, random.chance(0.5) ? 2 : 3, -14, undefined, venues));
    }
    for (let i = 0; i < 6; i++) {
      venues.push({ id: 9000 + i, sourceId: String(90000 + i), name: `${names[i % names.length]} Neutral Arena`, city: names[(i * 7) % names.length]!, state: state(random), country: 'USA' });
    }
    this.teams = teams;
    this.venues = venues;
  }

  private makeTeam(random: Random, id: number, school: string, division: 1 | 2 | 3, conferenceQuality: number, conference: ConferenceInfo | undefined, venues: VenueInfo[]): SimTeam {
    const city = school.replace(/ (State|Tech|A&M|Christian|Poly|University|College)$/, '');
    const st = state(random);
    let venueId: number | null = null;
    let venueName: string | null = null;
    if (division === 1) {
      venueId = 1000 + id;
      venueName = `${city} ${random.pick(['Arena', 'Fieldhouse', 'Coliseum', 'Center', 'Pavilion'])}`;
      venues.push({ id: venueId, sourceId: String(50000 + id), name: venueName, city, state: st, country: 'USA' });
    }
    const m = mascot(random);
    return {
      id, sourceId: String(2000 + id), school, mascot: m, abbreviation: abbreviate(school), displayName: `${school} ${m}`,
      shortDisplayName: school, primaryColor: random.int(0, 0xffffff).toString(16).padStart(6, '0'), secondaryColor: null,
      currentVenueId: venueId, currentVenue: venueName, currentCity: city, currentState: st,
      conferenceId: conference?.id ?? null, conference: conference?.abbreviation ?? null,
      division, baseQuality: conferenceQuality + random.normal(0, 5),
    };
  }

  get divisionOneTeams(): SimTeam[] {
    return this.teams.filter((t) => t.division === 1);
  }

  /** The season's games and latent strengths, generated once. */
  season(season: number): Season {
    let s = this.seasons.get(season);
    if (!s) this.seasons.set(season, (s = this.generateSeason(season)));
    return s;
  }

  /** Games whose status depends on the clock: final before now, scheduled after. */
  gamesAsOf(season: number): GameInfo[] {
    const now = this.now().toISOString();
    return this.season(season).games.map((g) => (g.startDate < now ? g : unplayed(g)));
  }

  private generateSeason(season: number): Season {
    const random = Random.derive(this.seed, 'season', season);
    const shape = SCALES[this.scale];
    const strengths = new Map<number, TeamStrength>();
    for (const team of this.teams) {
      const quality = team.baseQuality + random.normal(0, 3);
      const split = random.normal(0, 3);
      const offense = quality / 2 + split;
      const defense = quality / 2 - split; // positive = better defense (fewer points allowed)
      strengths.set(team.id, { teamId: team.id, team: team.school, offense: round1(offense), defense: round1(defense), net: round1(offense + defense), tempo: round1(random.normal(68, 3)) });
    }
    const games: GameInfo[] = [];
    const d1 = this.divisionOneTeams;
    const others = this.teams.filter((t) => t.division !== 1);
    const first = isoDateToDay(`${season - 1}-11-04`)!;
    const addGame = (day: number, home: SimTeam, away: SimTeam, kind: { neutral?: boolean; conference?: boolean; seasonType?: 'regular' | 'postseason'; tournament?: string; notes?: string; homeSeed?: number; awaySeed?: number }) => {
      games.push(this.playGame(random, season, games.length, day, home, away, strengths, kind));
    };
    // Non-conference: rounds of random pairings in November and December, some against lower divisions.
    for (let round = 0; round < shape.nonConferenceGames; round++) {
      const day = first + Math.floor(round * 5.2);
      const pool = random.shuffle([...d1]);
      while (pool.length >= 2) {
        const a = pool.pop()!;
        // A round's games spread over a few days, as real schedules do.
        const gameDay = day + random.int(0, 3);
        if (random.chance(0.22)) {
          addGame(gameDay, a, random.pick(others), {});
          continue;
        }
        const b = pool.pop()!;
        const [home, away] = random.chance(0.5) ? [a, b] : [b, a];
        addGame(gameDay, home, away, {});
      }
    }
    // Conference: a round robin (home and away) from early January, truncated to the conference's game count.
    const confStart = isoDateToDay(`${season}-01-02`)!;
    for (const conference of this.conferences) {
      const members = random.shuffle(d1.filter((t) => t.conferenceId === conference.id));
      const rounds = roundRobin(members);
      const schedule = [...rounds, ...rounds.map((r) => r.map(([h, a]) => [a, h] as [SimTeam, SimTeam]))].slice(0, shape.conferenceGames);
      schedule.forEach((pairs, r) => {
        for (const [home, away] of pairs) addGame(confStart + Math.floor(r * 3.6) + random.int(0, 2), home, away, { conference: true });
      });
    }
    // Conference tournaments: the top eight of each conference, single elimination on neutral courts.
    const champions: SimTeam[] = [];
    const winPct = winPcts(games);
    const tourneyStart = isoDateToDay(`${season}-03-10`)!;
    for (const conference of this.conferences) {
      const standings = d1.filter((t) => t.conferenceId === conference.id).sort((a, b) => winPct(b.id) - winPct(a.id) || a.id - b.id);
      let field = standings.slice(0, 8).map((team, i) => ({ team, seed: i + 1 }));
      let day = tourneyStart;
      while (field.length > 1) {
        const next: typeof field = [];
        for (let i = 0; i < field.length / 2; i++) {
          const high = field[i]!;
          const low = field[field.length - 1 - i]!;
          addGame(day, high.team, low.team, { neutral: true, conference: true, seasonType: 'postseason', tournament: `${conference.abbreviation} Tournament`, homeSeed: high.seed, awaySeed: low.seed });
          const g = games[games.length - 1]!;
          next.push(g.homeWinner ? high : low);
        }
        field = next.sort((a, b) => a.seed - b.seed);
        day++;
      }
      champions.push(field[0]!.team);
    }
    // The national tournament: champions plus the best at-large teams by net strength, seeded, single elimination.
    const atLarge = d1
      .filter((t) => !champions.includes(t))
      .sort((a, b) => strengths.get(b.id)!.net + winPct(b.id) * 10 - (strengths.get(a.id)!.net + winPct(a.id) * 10));
    const fieldSize = shape.nationalField === 68 ? 64 : shape.nationalField;
    const entrants = [...champions, ...atLarge].slice(0, fieldSize)
      .sort((a, b) => strengths.get(b.id)!.net - strengths.get(a.id)!.net);
    let bracket = entrants.map((team, i) => ({ team, seed: Math.floor(i / Math.max(1, fieldSize / 16)) + 1 }));
    const firstFour = isoDateToDay(`${season}-03-18`)!;
    if (shape.nationalField === 68) {
      // Four play-in games for the last spots of the field.
      const bubble = [...champions, ...atLarge].slice(fieldSize, fieldSize + 4);
      bubble.forEach((team, i) => {
        const slot = bracket.length - 1 - i;
        addGame(firstFour, bracket[slot]!.team, team, { neutral: true, seasonType: 'postseason', tournament: 'National Tournament', notes: 'First Four', homeSeed: 16, awaySeed: 16 });
        if (!games[games.length - 1]!.homeWinner) bracket[slot] = { team, seed: 16 };
      });
    }
    const roundDays = [2, 4, 9, 11, 17, 19].map((d) => firstFour + d);
    let roundIndex = 0;
    while (bracket.length > 1) {
      const next: typeof bracket = [];
      for (let i = 0; i < bracket.length / 2; i++) {
        const high = bracket[i]!;
        const low = bracket[bracket.length - 1 - i]!;
        addGame(roundDays[Math.min(roundIndex, roundDays.length - 1)]!, high.team, low.team, { neutral: true, seasonType: 'postseason', tournament: 'National Tournament', homeSeed: high.seed, awaySeed: low.seed });
        next.push(games[games.length - 1]!.homeWinner ? high : low);
      }
      bracket = next;
      roundIndex++;
    }
    games.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : a.id - b.id));
    return { season, games, strengths };
  }

  private playGame(
    random: Random, season: number, index: number, day: number, home: SimTeam, away: SimTeam,
    strengths: ReadonlyMap<number, TeamStrength>,
    kind: { neutral?: boolean; conference?: boolean; seasonType?: 'regular' | 'postseason'; tournament?: string; notes?: string; homeSeed?: number; awaySeed?: number },
  ): GameInfo {
    const id = season * 100_000 + index + 1;
    // Played possession by possession; only the score is kept here, the plays are replayed on demand (`replay`).
    const played = simulateGame(this.seed, id, this.teamInGame(home, season, strengths), this.teamInGame(away, season, strengths), kind.neutral ? 0 : HOME_POINTS, false);
    const [homePeriods, awayPeriods] = played.periodPoints;
    const homePoints = homePeriods.reduce((a, b) => a + b, 0);
    const awayPoints = awayPeriods.reduce((a, b) => a + b, 0);
    // Tip-off in the evening, US time: often after midnight UTC, so on the next UTC date.
    const tip = random.pick([17, 19, 23, 24.5, 26]);
    const start = new Date((day * 24 + tip) * 3_600_000).toISOString().replace('.000Z', 'Z').replace(/:\d{2}Z$/, ':00.000Z');
    const venue = kind.neutral ? this.venues[this.venues.length - 1 - (index % 6)]! : this.venues.find((v) => v.id === home.currentVenueId) ?? null;
    return {
      id,
      sourceId: String(400_000_000 + season * 10_000 + index),
      seasonLabel: `${season - 1}${season}`,
      season,
      seasonType: kind.seasonType ?? 'regular',
      startDate: start,
      startTimeTbd: false,
      neutralSite: kind.neutral ?? false,
      conferenceGame: kind.conference ?? false,
      gameType: 'STD',
      tournament: kind.tournament ?? null,
      gameNotes: kind.notes ?? null,
      status: 'final',
      attendance: Math.round(random.normal(6_000, 2_500)) > 500 ? Math.round(random.normal(6_000, 2_500)) : null,
      homeTeamId: home.id, homeTeam: home.school, homeConferenceId: home.conferenceId, homeConference: home.conference,
      homeSeed: kind.homeSeed ?? null, homePoints, homePeriodPoints: homePeriods, homeWinner: homePoints > awayPoints,
      homeTeamEloStart: null, homeTeamEloEnd: null,
      awayTeamId: away.id, awayTeam: away.school, awayConferenceId: away.conferenceId, awayConference: away.conference,
      awaySeed: kind.awaySeed ?? null, awayPoints, awayPeriodPoints: awayPeriods, awayWinner: awayPoints > homePoints,
      awayTeamEloStart: null, awayTeamEloEnd: null,
      excitement: Math.round(Math.max(0, 10 - Math.abs(homePoints - awayPoints) / 3) * 10) / 10,
      venueId: venue?.id ?? null, venue: venue?.name ?? null, city: venue?.city ?? null, state: venue?.state ?? null,
    };
  }

  teamInGame(team: SimTeam, season: number, strengths: ReadonlyMap<number, TeamStrength>): TeamInGame {
    const s = strengths.get(team.id)!;
    return { roster: this.roster(team.id, season), offense: s.offense, defense: s.defense, tempo: s.tempo };
  }

  roster(teamId: number, season: number): SimPlayer[] {
    const key = `${teamId}|${season}`;
    let roster = this.rosters.get(key);
    if (!roster) this.rosters.set(key, (roster = rosterOf(this.seed, teamId, season)));
    return roster;
  }

  /** A final game played again, event by event, exactly as it was when its score was decided. */
  replay(game: GameInfo): { events: SimulatedGame['events']; home: TeamInGame; away: TeamInGame } {
    const strengths = this.season(game.season).strengths;
    const home = this.teamInGame(this.teamById(game.homeTeamId), game.season, strengths);
    const away = this.teamInGame(this.teamById(game.awayTeamId), game.season, strengths);
    return { events: simulateGame(this.seed, game.id, home, away, game.neutralSite ? 0 : HOME_POINTS).events, home, away };
  }

  /** A game by id, as of the clock (final or scheduled), or undefined. */
  gameById(id: number): GameInfo | undefined {
    const season = Math.floor(id / 100_000);
    if (!Number.isInteger(season) || season < 1900 || season > 2200) return undefined;
    let index = this.gameIndex.get(season);
    if (!index) this.gameIndex.set(season, (index = new Map(this.season(season).games.map((g) => [g.id, g]))));
    const game = index.get(id);
    if (!game) return undefined;
    return game.startDate < this.now().toISOString() ? game : unplayed(game);
  }

  teamById(id: number): SimTeam {
    return this.teams[id - 1]!;
  }

  /** Every calendar date (UTC) on which the season has at least one game. */
  gameDays(season: number): string[] {
    return [...new Set(this.season(season).games.map((g) => g.startDate.slice(0, 10)))].sort();
  }
}

function unplayed(game: GameInfo): GameInfo {
  return {
    ...game, status: 'scheduled', attendance: null, homePoints: null, homePeriodPoints: null, homeWinner: null,
    awayPoints: null, awayPeriodPoints: null, awayWinner: null, excitement: null,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
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

