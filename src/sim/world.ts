/**
 * The simulator's world: conferences, teams of every division, venues, and for each season a schedule of games
 * played from latent team strengths (offense, defense, tempo) with a home advantage of 3.5 points.
 * Everything is a pure function of (seed, scale); seasons are generated on first use and cached.
 */
import type { ConferenceInfo, GameInfo, TeamInfo, VenueInfo } from 'cbbd';
import { tipInstant } from './calendar.ts';
import { abbreviate, conferenceName, mascot, schoolNames, state } from './names.ts';
import { simulateGame, type SimulatedGame, type TeamInGame } from './game-engine.ts';
import { Random } from './random.ts';
import { SCALES, type SimScale } from './scales.ts';
import { rosterOf, type SimPlayer } from './rosters.ts';
import { scheduleSeason, type Fixture } from './schedule.ts';
import { conferenceQualities, HOME_POINTS, programQuality, seasonStrengths, type TeamStrength } from './strengths.ts';

export type { TeamStrength } from './strengths.ts';

export type { SimScale } from './scales.ts';

/** Share of games whose plays carry `onFloor`: about 21% of the plays a real pipeline loaded from the API had it. */
const ON_FLOOR_SHARE = 0.21;

export interface WorldOptions {
  readonly seed: number;
  readonly scale: SimScale;
  /** Games that start before this instant are final; later ones are scheduled. */
  readonly now: () => Date;
  /** Share of games whose plays carry `onFloor` (default 0.21, as the real API's). */
  readonly onFloorShare?: number | undefined;
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

export class SimWorld {
  readonly seed: number;
  readonly scale: SimScale;
  readonly conferences: readonly ConferenceInfo[];
  readonly teams: readonly SimTeam[];
  readonly venues: readonly VenueInfo[];
  private readonly now: () => Date;
  private readonly onFloorShare: number;
  private readonly seasons = new Map<number, Season>();
  private readonly strengthsBySeason = new Map<number, ReadonlyMap<number, TeamStrength>>();
  private readonly rosters = new Map<string, SimPlayer[]>();
  private readonly gameIndex = new Map<number, Map<number, GameInfo>>();

  constructor(options: WorldOptions) {
    this.seed = options.seed;
    this.scale = options.scale;
    this.now = options.now;
    this.onFloorShare = options.onFloorShare ?? ON_FLOOR_SHARE;
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
    // Conferences come in tiers of strength, as real ones do; which conference is strong is the seed's choice.
    const qualities = random.shuffle(conferenceQualities(random, this.conferences.length));
    this.conferences.forEach((conference, c) => {
      for (let t = 0; t < d1Count[c]!; t++) teams.push(this.makeTeam(random, teams.length + 1, names[nameIndex++]!, 1, qualities[c], conference, venues));
    });
    for (let t = 0; t < shape.otherTeams; t++) {
      teams.push(this.makeTeam(random, teams.length + 1, names[nameIndex++]!, random.chance(0.5) ? 2 : 3, undefined, undefined, venues));
    }
    for (let i = 0; i < 6; i++) {
      venues.push({ id: 9000 + i, sourceId: String(90000 + i), name: `${names[i % names.length]} Neutral Arena`, city: names[(i * 7) % names.length]!, state: state(random), country: 'USA' });
    }
    this.teams = teams;
    this.venues = venues;
  }

  private makeTeam(random: Random, id: number, school: string, division: 1 | 2 | 3, conferenceQuality: number | undefined, conference: ConferenceInfo | undefined, venues: VenueInfo[]): SimTeam {
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
      division, baseQuality: programQuality(random, conferenceQuality),
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

  /** The season's latent strengths, without playing its games (ratings of many seasons need only these). */
  strengths(season: number): ReadonlyMap<number, TeamStrength> {
    let s = this.strengthsBySeason.get(season);
    if (!s) this.strengthsBySeason.set(season, (s = seasonStrengths(this.seed, this.teams, season)));
    return s;
  }

  /** Games whose status depends on the clock: final before now, scheduled after. */
  gamesAsOf(season: number): GameInfo[] {
    const now = this.now().toISOString();
    return this.season(season).games.map((g) => (g.startDate < now ? g : unplayed(g)));
  }

  private generateSeason(season: number): Season {
    const random = Random.derive(this.seed, 'season', season);
    const strengths = this.strengths(season);
    const games: GameInfo[] = [];
    scheduleSeason({
      random, season, shape: SCALES[this.scale], conferences: this.conferences, strengths,
      divisionOne: this.divisionOneTeams, others: this.teams.filter((t) => t.division !== 1), neutralVenues: this.venues.filter((v) => v.id >= 9000),
      play: (fixture) => {
        const game = this.playGame(random, season, games.length, fixture, strengths);
        games.push(game);
        return game;
      },
    });
    games.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : a.id - b.id));
    return { season, games, strengths };
  }

  private playGame(random: Random, season: number, index: number, fixture: Fixture<SimTeam>, strengths: ReadonlyMap<number, TeamStrength>): GameInfo {
    const { home, away, kind } = fixture;
    const id = season * 100_000 + index + 1;
    // Played possession by possession; only the score is kept here, the plays are replayed on demand (`replay`).
    const played = simulateGame(this.seed, id, this.teamInGame(home, season, strengths), this.teamInGame(away, season, strengths), kind.neutral ? 0 : HOME_POINTS, false);
    const [homePeriods, awayPeriods] = played.periodPoints;
    const homePoints = homePeriods.reduce((a, b) => a + b, 0);
    const awayPoints = awayPeriods.reduce((a, b) => a + b, 0);
    const venue = fixture.neutralVenue ?? this.venues.find((v) => v.id === home.currentVenueId) ?? null;
    // Tip-off at a local time at the venue: an evening tip in the East is after midnight UTC, on the next UTC date.
    const start = tipInstant(fixture.day, fixture.localHour, venue?.state ?? home.currentState ?? null);
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
    const strengths = this.strengths(game.season);
    const home = this.teamInGame(this.teamById(game.homeTeamId), game.season, strengths);
    const away = this.teamInGame(this.teamById(game.awayTeamId), game.season, strengths);
    return { events: simulateGame(this.seed, game.id, home, away, game.neutralSite ? 0 : HOME_POINTS).events, home, away };
  }

  /** The home margin the true strengths predict: net difference over the game's possessions, plus home court. */
  expectedMargin(game: GameInfo): number {
    const strengths = this.strengths(game.season);
    const h = strengths.get(game.homeTeamId)!;
    const a = strengths.get(game.awayTeamId)!;
    return ((h.net - a.net) * (h.tempo + a.tempo)) / 2 / 100 + (game.neutralSite ? 0 : HOME_POINTS);
  }

  /**
   * Whether the API's plays of this game say who was on the floor: a game's feed either tracks the lineup on every
   * play or on none, and most do not.
   */
  onFloorTracked(game: GameInfo): boolean {
    return Random.derive(this.seed, 'on-floor', game.id).chance(this.onFloorShare);
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

