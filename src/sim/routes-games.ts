/**
 * The simulator's game-detail routes: plays, box scores, substitutions, lineups and season statistics, all derived
 * from the replayed events of each game.
 */
import type {
  GameBoxScorePlayers, GameBoxScoreTeam, GameInfo, LineupStats, PlayerSubsititution, PlayInfo, PlayTypeInfo,
  PlayerSeasonShootingStats, PlayerSeasonStats, SeasonShootingStats, TeamSeasonStats, TeamStatsLeaderboardRecord,
} from 'cbbd';
import { leaderboardOf } from './leaderboard.ts';
import { adjustedRatingsOf } from './season-views.ts';
import { playerSeasonStatsOf, ShootingTally, teamSeasonStatsOf } from './season-stats.ts';
import {
  PLAY_TYPES, playerBoxesOf, playsOf, sideTeam, substitutionsOf, teamBoxesOf, type Replayed,
} from './game-views.ts';
import { lineupsOf, lineupTallies, type LineupTally } from './lineups.ts';
import type { Context } from 'hono';
import { Random } from './random.ts';
import { currentSeason, filterGames, sameText } from './_query.ts';
import type { SimRoutes } from './app.ts';

const PLAYER_GAME_CAP = 1_000;

export function gameRoutes({ app, world, options, gameCap, clock }: SimRoutes): void {
  const missingRate = (season: number) => options.missingPlaysRate ?? (season < 2014 ? 0.35 : season === 2021 ? 0.25 : 0.01);
  const hasPlays = (game: GameInfo) => game.status === 'final' && !Random.derive(options.seed, 'no-plays', game.id).chance(missingRate(game.season));
  const replayed = (game: GameInfo): Replayed => ({ game, ...world.replay(game) });
  const gameParam = (c: Context) => world.gameById(Number(c.req.param('gameId')));

  app.get('/plays/types', (c) => c.json(PLAY_TYPES.map((name, i) => ({ id: i + 1, name })) satisfies PlayTypeInfo[]));
  app.get('/plays/game/:gameId', (c) => {
    const game = gameParam(c);
    if (!game) return c.json({ message: 'Game not found' }, 404);
    const body: PlayInfo[] = hasPlays(game) ? playsOf(replayed(game), c.req.query('shootingPlaysOnly') === 'true', world.onFloorTracked(game)) : [];
    return c.json(body);
  });
  app.get('/plays/date', (c) => {
    const date = c.req.query('date') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}/.test(date)) return c.json({ message: 'date is required (YYYY-MM-DD, UTC)' }, 400);
    const day = date.slice(0, 10);
    const season = Number(day.slice(5, 7)) >= 7 ? Number(day.slice(0, 4)) + 1 : Number(day.slice(0, 4));
    const body: PlayInfo[] = world.gamesAsOf(season)
      .filter((g) => g.startDate.startsWith(day) && hasPlays(g))
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true', world.onFloorTracked(g)));
    return c.json(body);
  });
  app.get('/games/teams', (c) => {
    const games = filterGames(c, world, clock());
    if (games instanceof Response) return games;
    const missing = new Set(options.possessionsMissingIn ?? [2014, 2015]);
    const body: GameBoxScoreTeam[] = games.filter((g) => g.status === 'final').slice(0, gameCap).flatMap((g) => teamBoxesOf(replayed(g)))
      .map((b) => (missing.has(b.season)
        ? { ...b, pace: null, teamStats: { ...b.teamStats, possessions: null }, opponentStats: { ...b.opponentStats, possessions: null } }
        : b));
    return c.json(body);
  });
  app.get('/games/players', (c) => {
    const games = filterGames(c, world, clock());
    if (games instanceof Response) return games;
    // The player box scores have a lower cap: 1,000 games.
    const now = clock().getTime();
    const correctionMs = (options.lateCorrectionDays ?? 2) * 86_400_000;
    const body: GameBoxScorePlayers[] = games.filter((g) => g.status === 'final').slice(0, Math.min(gameCap, PLAYER_GAME_CAP))
      .flatMap((g) => {
        const boxes = playerBoxesOf(replayed(g));
        // The API corrects stats of recent games for a few days: until then it serves the preliminary count.
        return now - Date.parse(g.startDate) < correctionMs ? boxes.map(preliminary) : boxes;
      });
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
    const games = filterGames(c, world, clock());
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
  // The four season-statistics endpoints: one season's totals, optionally one team.
  const seasonTables = {
    '/stats/team/season': 'teams', '/stats/player/season': 'players',
    '/stats/team/shooting/season': 'teamShooting', '/stats/player/shooting/season': 'playerShooting',
  } as const;
  for (const [path, table] of Object.entries(seasonTables)) {
    // The spec makes the season optional for team totals only: without it they are the current season's.
    const seasonOptional = path === '/stats/team/season';
    app.get(path, (c) => {
      const season = Number(c.req.query('season') ?? (seasonOptional ? currentSeason(clock()) : undefined));
      if (!Number.isInteger(season)) return c.json({ message: 'season is required' }, 400);
      const team = c.req.query('team');
      const body: readonly { team: string }[] = totalsOf(season)[table];
      return c.json(body.filter((row) => team === undefined || sameText(row.team, team)));
    });
  }
  app.get('/stats/team/leaderboard', (c) => {
    // Without a season, the API answers the current one (a season is named after the year it ends in).
    const season = Number(c.req.query('season') ?? currentSeason(clock()));
    if (!Number.isInteger(season)) return c.json({ message: 'season must be a year, e.g. 2024' }, 400);
    const team = c.req.query('team');
    const conference = c.req.query('conference');
    const totals = totalsOf(season);
    const conferenceIds = new Map(world.conferences.map((x) => [x.abbreviation, x.id]));
    const body: TeamStatsLeaderboardRecord[] = leaderboardOf(totals.teams, totals.teamShooting, adjustedRatingsOf(world, season), (a) => (a === null ? null : conferenceIds.get(a) ?? null))
      .filter((row) => (team === undefined || sameText(row.team, team)) && (conference === undefined || sameText(row.conference.abbreviation ?? '', conference)));
    return c.json(body);
  });
  app.get('/plays/team', (c) => {
    const season = Number(c.req.query('season'));
    const team = c.req.query('team');
    if (!Number.isInteger(season) || !team) return c.json({ message: 'season and team are required' }, 400);
    const body: PlayInfo[] = world.gamesAsOf(season)
      .filter((g) => hasPlays(g) && (sameText(g.homeTeam, team) || sameText(g.awayTeam, team)))
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true', world.onFloorTracked(g)));
    return c.json(body);
  });
  app.get('/plays/tournament', (c) => {
    const season = Number(c.req.query('season'));
    const tournament = c.req.query('tournament');
    if (!Number.isInteger(season) || !tournament) return c.json({ message: 'tournament and season are required' }, 400);
    const body: PlayInfo[] = world.gamesAsOf(season)
      .filter((g) => hasPlays(g) && sameText(g.tournament, tournament))
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true', world.onFloorTracked(g)));
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
      .flatMap((g) => playsOf(replayed(g), c.req.query('shootingPlaysOnly') === 'true', world.onFloorTracked(g)))
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
}

/**
 * A preliminary box score, as the API serves it before its late correction: one assist credited to the wrong player
 * of the same team, so the team total (and every sum) still agrees, but the body differs from the corrected one.
 */
function preliminary(box: GameBoxScorePlayers): GameBoxScorePlayers {
  const from = box.players.findIndex((p) => (p.assists ?? 0) > 0);
  const to = box.players.length - 1;
  if (from < 0 || from === to) return box;
  return {
    ...box,
    players: box.players.map((p, i) => (i === from ? { ...p, assists: (p.assists ?? 0) - 1 } : i === to ? { ...p, assists: (p.assists ?? 0) + 1 } : p)),
  };
}
