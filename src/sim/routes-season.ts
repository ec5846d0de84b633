/** The simulator's season and catalog routes: rosters, lines, polls, ratings, broadcasts, draft, recruiting. */
import type {
  AdjustedEfficiencyInfo, GameLines, LineProviderInfo, PollTeamInfo, SrsInfo, TeamRoster, ConferenceHistory,
  DraftPick, DraftPosition, DraftTeam, GameMediaInfo, Recruit, ScoreboardGame, TeamElo, TeamRecruitingRanking,
  Transfer,
} from 'cbbd';
import {
  conferenceHistoryOf, DRAFT_POSITIONS, draftPicksOf, draftTeams, eloOf, mediaOf, recruitsOf, scoreboardOf, teamRecruitingOf, transfersOf,
} from './catalog-views.ts';
import { adjustedRatingsOf, LINE_PROVIDERS, linesOf, pollsOf, srsOf } from './season-views.ts';
import type { Context } from 'hono';
import { currentSeason, filterGames, recentYears, sameText } from './_query.ts';
import type { SimRoutes } from './app.ts';

export function seasonRoutes({ app, world, gameCap, clock }: SimRoutes): void {
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
    const games = filterGames(c, world, clock());
    if (games instanceof Response) return games;
    const body: GameLines[] = games.slice(0, gameCap).flatMap((g) => linesOf(world, g) ?? []);
    return c.json(body);
  });
  app.get('/rankings', (c) => {
    const season = Number(c.req.query('season') ?? currentSeason(clock()));
    if (!Number.isInteger(season)) return c.json({ message: 'season must be a year, e.g. 2024' }, 400);
    const pollType = c.req.query('pollType');
    const week = c.req.query('week');
    const team = c.req.query('team');
    const body: PollTeamInfo[] = pollsOf(world, season, clock()).filter((p) =>
      (pollType === undefined || (pollType === 'ap' ? p.pollType === 'AP Top 25' : p.pollType === 'Coaches Poll')) &&
      (week === undefined || p.week === Number(week)) && (team === undefined || sameText(p.team, team)));
    return c.json(body);
  });
  // Without a season these answer every season at once, as the real API does (a pipeline must split them).
  const ratingSeasons = (c: Context) => {
    const season = c.req.query('season');
    if (season !== undefined) return [Number(season)];
    const last = clock().getUTCFullYear();
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
    const games = filterGames(c, world, clock());
    if (games instanceof Response) return games;
    const body: GameMediaInfo[] = games.slice(0, gameCap).map((g) => mediaOf(world, g));
    return c.json(body);
  });
  // The year parameter is optional everywhere: without it, every year the simulator has.
  const years = (c: Context): number[] | Response => {
    const text = c.req.query('year');
    if (text === undefined) return recentYears(clock());
    const year = Number(text);
    return Number.isInteger(year) ? [year] : c.json({ message: 'year must be a year, e.g. 2024' }, 400);
  };
  app.get('/draft/teams', (c) => c.json(draftTeams() satisfies DraftTeam[]));
  app.get('/draft/positions', (c) => c.json(DRAFT_POSITIONS satisfies readonly DraftPosition[]));
  app.get('/draft/picks', (c) => {
    const asked = years(c);
    return asked instanceof Response ? asked : c.json(asked.flatMap((year) => draftPicksOf(world, year)) satisfies DraftPick[]);
  });
  app.get('/recruiting/players', (c) => {
    const asked = years(c);
    return asked instanceof Response ? asked : c.json(asked.flatMap((year) => recruitsOf(world, year)) satisfies Recruit[]);
  });
  app.get('/recruiting/teams', (c) => {
    const asked = years(c);
    return asked instanceof Response ? asked : c.json(asked.flatMap((year) => teamRecruitingOf(world, year)) satisfies TeamRecruitingRanking[]);
  });
  app.get('/recruiting/portal', (c) => {
    // The portal is one year at a time: without a year, the current one.
    const year = Number(c.req.query('year') ?? clock().getUTCFullYear());
    if (!Number.isInteger(year)) return c.json({ message: 'year must be a year, e.g. 2024' }, 400);
    return c.json(transfersOf(world, year) satisfies Transfer[]);
  });
  app.get('/scoreboard', (c) => {
    const conference = c.req.query('conference');
    const body: ScoreboardGame[] = scoreboardOf(world, clock(), (g) => linesOf(world, g)?.lines[0])
      .filter((g) => conference === undefined || sameText(g.homeTeam.conference, conference) || sameText(g.awayTeam.conference, conference));
    return c.json(body);
  });
  app.get('/conferences/history', (c) => c.json(conferenceHistoryOf(world) satisfies ConferenceHistory[]));
  app.get('/ratings/elo', (c) => c.json(ratingSeasons(c).flatMap((s) => eloOf(world, s)) satisfies TeamElo[]));
}
