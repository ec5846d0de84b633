/**
 * The CBBD simulator as a Hono app: the real API's paths, query parameters, ordering, caps and Bearer auth, with
 * every response body typed by the `cbbd` package, so a shape that drifts from the real API fails to compile.
 * Built by a factory (testable with `app.request()`); `serve.ts` binds it to a port.
 */
import type {
  AdjustedEfficiencyInfo, ConferenceInfo, GameBoxScorePlayers, GameBoxScoreTeam, GameInfo, GameLines, LineProviderInfo, LineupStats, PlayerSubsititution,
  PlayInfo, PlayTypeInfo, PollTeamInfo, SrsInfo, TeamInfo, TeamRoster, VenueInfo, ConferenceHistory, DraftPick, DraftPosition, DraftTeam,
  GameMediaInfo, PlayerSeasonShootingStats, PlayerSeasonStats, Recruit, ScoreboardGame, SeasonShootingStats, TeamElo, TeamRecruitingRanking,
  TeamSeasonStats, Transfer,
} from 'cbbd';
import {
  conferenceHistoryOf, DRAFT_POSITIONS, draftPicksOf, draftTeams, eloOf, mediaOf, recruitsOf, scoreboardOf, teamRecruitingOf, transfersOf,
} from './catalog-views.ts';
import { playerSeasonStatsOf, ShootingTally, teamSeasonStatsOf } from './season-stats.ts';
import { adjustedRatingsOf, LINE_PROVIDERS, linesOf, pollsOf, srsOf } from './season-views.ts';
import {
  lineupsOf, lineupTallies, PLAY_TYPES, playerBoxesOf, playsOf, sideTeam, substitutionsOf, teamBoxesOf, type LineupTally, type Replayed,
} from './game-views.ts';
import { Hono, type Context } from 'hono';
import { Random } from './random.ts';
import { SimWorld, type SimScale, type TeamStrength } from './world.ts';

export interface SimOptions {
  readonly seed: number;
  readonly scale: SimScale;
  /** Result cap of the game endpoints (3,000 in the real API; lower it in tests). */
  readonly gameCap?: number;
  /** The simulator's clock: games before it are final. */
  readonly now?: () => Date;
  readonly faults?: SimFaults;
  /**
   * The real API's gaps: share of final games without play-by-play. Default as the API has it: a third before 2014,
   * a quarter in 2021, 1% otherwise.
   */
  readonly missingPlaysRate?: number;
  /** Seasons whose box scores lack possessions, as the API's 2014 and 2015 do (default). */
  readonly possessionsMissingIn?: readonly number[];
}

export type SimFault = '429' | '500' | 'truncated' | 'empty' | 'slow';

/** Faults the real API shows, injected on purpose so the whole pipeline can be tested offline. */
export interface SimFaults {
  /** The first requests get these faults, in order (precise, for tests). */
  readonly sequence?: readonly SimFault[];
  /** Then each request gets a fault with these probabilities (seeded, so runs repeat). */
  readonly rates?: Partial<Record<SimFault, number>>;
  /** Retry-After sent with a 429, in seconds. */
  readonly retryAfterSeconds?: number;
  /** Delay of a slow response. */
  readonly slowMs?: number;
}

export const DEFAULT_SIM: Pick<SimOptions, 'seed' | 'scale'> = { seed: 2024, scale: 'demo' };
const GAME_CAP = 3_000;
const PLAYER_GAME_CAP = 1_000;

export interface SimStats {
  total: number;
  byPath: Record<string, number>;
}

/** Arrival time (ms since the epoch) of every API request, for tests of the client's rate limit. */
export type RequestTimes = number[];

export function createSimApp(options: SimOptions): { app: Hono; world: SimWorld; stats: SimStats; requestTimes: RequestTimes } {
  const world = new SimWorld({ seed: options.seed, scale: options.scale, now: options.now ?? (() => new Date()) });
  const stats: SimStats = { total: 0, byPath: {} };
  const requestTimes: RequestTimes = [];
  const gameCap = options.gameCap ?? GAME_CAP;
  const faults = options.faults ?? {};
  const faultRandom = Random.derive(options.seed, 'faults');
  let served = 0;
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/_sim/')) return next();
    stats.total++;
    stats.byPath[c.req.path] = (stats.byPath[c.req.path] ?? 0) + 1;
    requestTimes.push(Date.now());
    const auth = c.req.header('authorization') ?? '';
    // Any non-empty Bearer key is accepted: the simulator has no accounts.
    if (!/^Bearer\s+\S+/.test(auth)) return c.json({ message: 'Unauthorized' }, 401);
    const fault = c.req.query('_fault') ?? faults.sequence?.[served] ?? drawFault(faultRandom, faults.rates);
    served++;
    switch (fault) {
      case '429':
        c.header('Retry-After', String(faults.retryAfterSeconds ?? 1));
        return c.json({ message: 'Too Many Requests' }, 429);
      case '500':
        return c.json({ message: 'Internal Server Error' }, 500);
      case 'slow':
        await new Promise((r) => setTimeout(r, faults.slowMs ?? 2_000));
        return next();
      case 'truncated':
      case 'empty': {
        await next();
        const text = await c.res.text();
        c.res = new Response(fault === 'empty' ? '' : text.slice(0, Math.floor(text.length / 2)), { status: 200, headers: { 'content-type': 'application/json' } });
        return;
      }
      default:
        return next();
    }
  });

  app.get('/conferences', (c) => c.json(world.conferences satisfies readonly ConferenceInfo[]));
  app.get('/venues', (c) => c.json(world.venues satisfies readonly VenueInfo[]));
  app.get('/teams', (c) => {
    const conference = c.req.query('conference');
    const body: TeamInfo[] = world.teams
      .filter((t) => conference === undefined || sameText(t.conference, conference))
      .map(({ division: _d, baseQuality: _q, ...team }) => team);
    return c.json(body);
  });
  app.get('/games', (c) => {
    const games = filterGames(c, world);
    if (games instanceof Response) return games;
    const body: GameInfo[] = games.slice(0, gameCap);
    return c.json(body);
  });

  const missingRate = (season: number) => options.missingPlaysRate ?? (season < 2014 ? 0.35 : season === 2021 ? 0.25 : 0.01);
  const hasPlays = (game: GameInfo) => game.status === 'final' && !Random.derive(options.seed, 'no-plays', game.id).chance(missingRate(game.season));
  const replayed = (game: GameInfo): Replayed => ({ game, ...world.replay(game) });
  const gameParam = (c: Context) => world.gameById(Number(c.req.param('gameId')));

  app.get('/plays/types', (c) => c.json(PLAY_TYPES.map((name, i) => ({ id: i + 1, name })) satisfies PlayTypeInfo[]));
  app.get('/plays/game/:gameId', (c) => {
    const game = gameParam(c);
    if (!game) return c.json({ message: 'Game not found' }, 404);
    const body: PlayInfo[] = hasPlays(game) ? playsOf(replayed(game), c.req.query('shootingPlaysOnly') === 'true') : [];
    return c.json(body);
  });
  app.get('/plays/date', (c) => {
    const date = c.req.query('date') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}/.test(date)) return c.json({ message: 'date is required (YYYY-MM-DD, UTC)' }, 400);
    const day = date.slice(0, 10);
    const season = Number(day.slice(5, 7)) >= 7 ? Number(day.slice(0, 4)) + 1 : Number(day.slice(0, 4));
    const body: PlayInfo[] = world.gamesAsOf(season)
      .filter((g) => g.startDate.startsWith(day) && hasPlays(g))
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true'));
    return c.json(body);
  });
  app.get('/games/teams', (c) => {
    const games = filterGames(c, world);
    if (games instanceof Response) return games;
    const missing = new Set(options.possessionsMissingIn ?? [2014, 2015]);
    const body: GameBoxScoreTeam[] = games.filter((g) => g.status === 'final').slice(0, gameCap).flatMap((g) => teamBoxesOf(replayed(g)))
      .map((b) => (missing.has(b.season)
        ? { ...b, pace: null, teamStats: { ...b.teamStats, possessions: null }, opponentStats: { ...b.opponentStats, possessions: null } }
        : b));
    return c.json(body);
  });
  app.get('/games/players', (c) => {
    const games = filterGames(c, world);
    if (games instanceof Response) return games;
    // The player box scores have a lower cap: 1,000 games.
    const body: GameBoxScorePlayers[] = games.filter((g) => g.status === 'final').slice(0, Math.min(gameCap, PLAYER_GAME_CAP)).flatMap((g) => playerBoxesOf(replayed(g)));
    return c.json(body);
  });
  app.get('/substitutions/game/:gameId', (c) => {
    const game = gameParam(c);
    if (!game) return c.json({ message: 'Game not found' }, 404);
    const body: PlayerSubsititution[] = game.status === 'final' ? substitutionsOf(replayed(game)) : [];
    return c.json(body);
  });
  app.get('/substitutions/team', (c) => {
    const season = Number(c.req.query('season'));
    const team = c.req.query('team');
    if (!Number.isInteger(season) || !team) return c.json({ message: 'season and team are required' }, 400);
    const body: PlayerSubsititution[] = world.gamesAsOf(season)
      .filter((g) => g.status === 'final' && (sameText(g.homeTeam, team) || sameText(g.awayTeam, team)))
      .flatMap((g) => substitutionsOf(replayed(g)).filter((s) => sameText(s.team, team)));
    return c.json(body);
  });
  app.get('/lineups/game/:gameId', (c) => {
    const game = gameParam(c);
    if (!game) return c.json({ message: 'Game not found' }, 404);
    const body: LineupStats[] = game.status === 'final' ? lineupsOf(lineupTallies(replayed(game)), (s) => sideTeam(game, s)) : [];
    return c.json(body);
  });
  app.get('/lineups/team', (c) => {
    const season = Number(c.req.query('season'));
    const team = c.req.query('team');
    if (!Number.isInteger(season) || !team) return c.json({ message: 'season and team are required' }, 400);
    const games = filterGames(c, world);
    if (games instanceof Response) return games;
    const mine = games.filter((g) => g.status === 'final' && (sameText(g.homeTeam, team) || sameText(g.awayTeam, team)));
    const first = mine[0];
    if (!first) return c.json([] satisfies LineupStats[]);
    const teamSide = (g: GameInfo) => (sameText(g.homeTeam, team) ? 0 : 1);
    // Merge the team's units over its games; the team is always put on side 0 so units of different games meet.
    const tallies = new Map<string, LineupTally>();
    for (const g of mine) {
      const r = replayed(g);
      const oriented: Replayed = teamSide(g) === 0 ? r : {
        game: g, home: r.away, away: r.home,
        events: r.events.map((e) => ({ ...e, side: e.side === null ? null : ((1 - e.side) as 0 | 1), possessionSide: (1 - e.possessionSide) as 0 | 1, floor: [e.floor[1], e.floor[0]] as const })),
      };
      lineupTallies(oriented, tallies);
    }
    const info = sideTeam(first, teamSide(first));
    const body: LineupStats[] = lineupsOf(tallies, (s) => (s === 0 ? info : { id: -1, name: '', conference: null }), info.id);
    return c.json(body);
  });
  app.get('/teams/roster', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
    const team = c.req.query('team');
    const body: TeamRoster[] = world.teams
      .filter((t) => t.division === 1 && (team === undefined || sameText(t.school, team)))
      .map((t) => ({
        teamId: t.id, teamSourceId: t.sourceId, team: t.school, conference: t.conference, season,
        players: world.roster(t.id, season).map((p) => ({
          id: p.id, sourceId: String(p.id), name: p.name, firstName: p.name.split(' ')[0] ?? null, lastName: p.name.split(' ').slice(1).join(' ') || null,
          jersey: p.jersey, position: p.position, height: null, weight: null,
          hometown: { countyFips: null, longitude: null, latitude: null, country: 'USA', state: null, city: null },
          dateOfBirth: null, startSeason: p.startSeason, endSeason: p.startSeason + 3,
        })),
      }));
    return c.json(body);
  });

  app.get('/lines/providers', (c) => c.json(LINE_PROVIDERS satisfies readonly LineProviderInfo[]));
  app.get('/lines', (c) => {
    const games = filterGames(c, world);
    if (games instanceof Response) return games;
    const body: GameLines[] = games.slice(0, gameCap).flatMap((g) => linesOf(world, g) ?? []);
    return c.json(body);
  });
  app.get('/rankings', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
    const pollType = c.req.query('pollType');
    const week = c.req.query('week');
    const team = c.req.query('team');
    const body: PollTeamInfo[] = pollsOf(world, season, (options.now ?? (() => new Date()))()).filter((p) =>
      (pollType === undefined || (pollType === 'ap' ? p.pollType === 'AP Top 25' : p.pollType === 'Coaches Poll')) &&
      (week === undefined || p.week === Number(week)) && (team === undefined || sameText(p.team, team)));
    return c.json(body);
  });
  // Without a season these answer every season at once, as the real API does (a pipeline must split them).
  const ratingSeasons = (c: Context) => {
    const season = c.req.query('season');
    if (season !== undefined) return [Number(season)];
    const last = (options.now ?? (() => new Date()))().getUTCFullYear();
    return Array.from({ length: 6 }, (_, i) => last - 5 + i);
  };
  app.get('/ratings/adjusted', (c) => {
    const team = c.req.query('team');
    const body: AdjustedEfficiencyInfo[] = ratingSeasons(c).flatMap((s) => adjustedRatingsOf(world, s)).filter((x) => team === undefined || sameText(x.team, team));
    return c.json(body);
  });
  app.get('/ratings/srs', (c) => {
    const team = c.req.query('team');
    const body: SrsInfo[] = ratingSeasons(c).flatMap((s) => srsOf(world, s)).filter((x) => team === undefined || sameText(x.team, team));
    return c.json(body);
  });

  app.get('/games/media', (c) => {
    const games = filterGames(c, world);
    if (games instanceof Response) return games;
    const body: GameMediaInfo[] = games.slice(0, gameCap).map((g) => mediaOf(world, g));
    return c.json(body);
  });
  const yearParam = (c: Context) => {
    const year = Number(c.req.query('year'));
    return Number.isInteger(year) ? year : undefined;
  };
  app.get('/draft/teams', (c) => c.json(draftTeams() satisfies DraftTeam[]));
  app.get('/draft/positions', (c) => c.json(DRAFT_POSITIONS satisfies readonly DraftPosition[]));
  app.get('/draft/picks', (c) => {
    const year = yearParam(c);
    if (year === undefined) return c.json({ message: 'year is required (the draft year, not season)' }, 400);
    return c.json(draftPicksOf(world, year) satisfies DraftPick[]);
  });
  app.get('/recruiting/players', (c) => {
    const year = yearParam(c);
    if (year === undefined) return c.json({ message: 'year is required' }, 400);
    return c.json(recruitsOf(world, year) satisfies Recruit[]);
  });
  app.get('/recruiting/teams', (c) => {
    const year = yearParam(c);
    if (year === undefined) return c.json({ message: 'year is required' }, 400);
    return c.json(teamRecruitingOf(world, year) satisfies TeamRecruitingRanking[]);
  });
  app.get('/recruiting/portal', (c) => {
    const year = yearParam(c) ?? (options.now ?? (() => new Date()))().getUTCFullYear();
    return c.json(transfersOf(world, year) satisfies Transfer[]);
  });
  app.get('/scoreboard', (c) => {
    const conference = c.req.query('conference');
    const body: ScoreboardGame[] = scoreboardOf(world, (options.now ?? (() => new Date()))(), (g) => linesOf(world, g)?.lines[0])
      .filter((g) => conference === undefined || sameText(g.homeTeam.conference, conference) || sameText(g.awayTeam.conference, conference));
    return c.json(body);
  });
  app.get('/conferences/history', (c) => c.json(conferenceHistoryOf(world) satisfies ConferenceHistory[]));
  app.get('/ratings/elo', (c) => c.json(ratingSeasons(c).flatMap((s) => eloOf(world, s)) satisfies TeamElo[]));

  // Season totals are summed from every game's box scores once per season and kept (small; replaying is not).
  const seasonTotals = new Map<number, {
    teams: TeamSeasonStats[]; players: PlayerSeasonStats[]; teamShooting: SeasonShootingStats[]; playerShooting: PlayerSeasonShootingStats[];
  }>();
  const totalsOf = (season: number) => {
    let totals = seasonTotals.get(season);
    if (!totals) {
      const finals = world.gamesAsOf(season).filter((g) => g.status === 'final');
      const d1 = (teamId: number) => world.teamById(teamId).division === 1;
      const teamBoxes: GameBoxScoreTeam[] = [];
      const playerBoxes: GameBoxScorePlayers[] = [];
      const shooting = new ShootingTally(season, d1);
      for (const g of finals) {
        const r = replayed(g);
        teamBoxes.push(...teamBoxesOf(r));
        playerBoxes.push(...playerBoxesOf(r));
        shooting.add(playsOf(r, true));
      }
      const shots = shooting.result();
      seasonTotals.set(season, (totals = {
        teams: teamSeasonStatsOf(season, teamBoxes, d1), players: playerSeasonStatsOf(season, playerBoxes, d1),
        teamShooting: shots.teams, playerShooting: shots.players,
      }));
    }
    return totals;
  };
  app.get('/stats/team/season', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
    const team = c.req.query('team');
    const body: TeamSeasonStats[] = totalsOf(season).teams.filter((t) => team === undefined || sameText(t.team, team));
    return c.json(body);
  });
  app.get('/stats/team/shooting/season', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
    const team = c.req.query('team');
    const body: SeasonShootingStats[] = totalsOf(season).teamShooting.filter((t) => team === undefined || sameText(t.team, team));
    return c.json(body);
  });
  app.get('/stats/player/shooting/season', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
    const team = c.req.query('team');
    const body: PlayerSeasonShootingStats[] = totalsOf(season).playerShooting.filter((t) => team === undefined || sameText(t.team, team));
    return c.json(body);
  });
  app.get('/plays/team', (c) => {
    const season = Number(c.req.query('season'));
    const team = c.req.query('team');
    if (!Number.isInteger(season) || !team) return c.json({ message: 'season and team are required' }, 400);
    const body: PlayInfo[] = world.gamesAsOf(season)
      .filter((g) => hasPlays(g) && (sameText(g.homeTeam, team) || sameText(g.awayTeam, team)))
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true'));
    return c.json(body);
  });
  app.get('/plays/tournament', (c) => {
    const season = Number(c.req.query('season'));
    const tournament = c.req.query('tournament');
    if (!Number.isInteger(season) || !tournament) return c.json({ message: 'tournament and season are required' }, 400);
    const body: PlayInfo[] = world.gamesAsOf(season)
      .filter((g) => hasPlays(g) && sameText(g.tournament, tournament))
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true'));
    return c.json(body);
  });
  // Per player: the player's team's games, replayed; served, but a pipeline never needs it (tens of thousands of calls).
  const playerGames = (playerId: number, season: number) => {
    const teamId = Math.floor(playerId / 10_000);
    return world.gamesAsOf(season).filter((g) => g.status === 'final' && (g.homeTeamId === teamId || g.awayTeamId === teamId));
  };
  app.get('/plays/player/:playerId', (c) => {
    const season = Number(c.req.query('season'));
    const playerId = Number(c.req.param('playerId'));
    if (!Number.isInteger(season) || !Number.isInteger(playerId)) return c.json({ message: 'season is required' }, 400);
    const body: PlayInfo[] = playerGames(playerId, season).filter(hasPlays)
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true'))
      .filter((p) => p.participants.some((x) => x.id === playerId));
    return c.json(body);
  });
  app.get('/substitutions/player/:playerId', (c) => {
    const season = Number(c.req.query('season'));
    const playerId = Number(c.req.param('playerId'));
    if (!Number.isInteger(season) || !Number.isInteger(playerId)) return c.json({ message: 'season is required' }, 400);
    const body: PlayerSubsititution[] = playerGames(playerId, season).flatMap((g) => substitutionsOf(replayed(g)).filter((s) => s.athleteId === playerId));
    return c.json(body);
  });
  app.get('/stats/player/season', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
    const team = c.req.query('team');
    const body: PlayerSeasonStats[] = totalsOf(season).players.filter((p) => team === undefined || sameText(p.team, team));
    return c.json(body);
  });

  app.get('/_sim/stats', (c) => c.json(stats));
  app.get('/_sim/truth', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required, e.g. ?season=2024' }, 400);
    const body: TeamStrength[] = world.divisionOneTeams.map((t) => world.season(season).strengths.get(t.id)!);
    return c.json(body);
  });
  app.notFound((c) => c.json({ message: `Not found: ${c.req.path}` }, 404));
  return { app, world, stats, requestTimes };
}

function drawFault(random: Random, rates: SimFaults['rates']): SimFault | undefined {
  if (!rates) return undefined;
  for (const [fault, rate] of Object.entries(rates) as [SimFault, number][]) if (random.chance(rate)) return fault;
  return undefined;
}

function sameText(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** The filters every game endpoint shares: season, seasonType, status, date range, team, conference, tournament. */
function filterGames(c: Context, world: SimWorld): GameInfo[] | Response {
  const q = (name: string) => c.req.query(name);
  const seasonText = q('season');
  const start = q('startDateRange');
  const end = q('endDateRange');
  let season: number | undefined;
  if (seasonText !== undefined) {
    season = Number(seasonText);
    if (!Number.isInteger(season)) return c.json({ message: `Invalid season: ${seasonText}` }, 400);
  }
  const startMs = start === undefined ? undefined : Date.parse(start);
  const endMs = end === undefined ? undefined : Date.parse(end);
  if (Number.isNaN(startMs) || Number.isNaN(endMs)) return c.json({ message: 'Invalid date range' }, 400);
  // Without a season, the real API needs a date range to bound the answer; derive the seasons it spans.
  const seasons = season !== undefined ? [season] : seasonsSpanned(startMs, endMs);
  if (!seasons.length) return c.json({ message: 'Either season or a date range is required' }, 400);
  const seasonType = q('seasonType');
  const status = q('status');
  const team = q('team');
  const conference = q('conference');
  const tournament = q('tournament');
  return seasons.flatMap((s) => world.gamesAsOf(s)).filter((g) => {
    const t = Date.parse(g.startDate);
    if (startMs !== undefined && t < startMs) return false;
    if (endMs !== undefined && t > endMs) return false;
    if (seasonType !== undefined && g.seasonType !== seasonType) return false;
    if (status !== undefined && g.status !== status) return false;
    if (team !== undefined && !sameText(g.homeTeam, team) && !sameText(g.awayTeam, team)) return false;
    if (conference !== undefined && !sameText(g.homeConference, conference) && !sameText(g.awayConference, conference)) return false;
    if (tournament !== undefined && !sameText(g.tournament, tournament)) return false;
    return true;
  });
}

function seasonsSpanned(startMs: number | undefined, endMs: number | undefined): number[] {
  if (startMs === undefined || endMs === undefined) return [];
  const first = new Date(startMs).getUTCFullYear();
  const last = new Date(endMs).getUTCFullYear() + 1;
  const out: number[] = [];
  for (let s = first; s <= last && out.length < 30; s++) out.push(s);
  return out;
}
