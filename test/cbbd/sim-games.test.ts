import type { GameBoxScorePlayers, GameBoxScoreTeam, GameInfo, LineupStats, PlayInfo, PlayerSubsititution } from 'cbbd';
import { describe, expect, it } from 'vitest';
import { createSimApp } from '../../src/sim/app.ts';

const auth = { headers: { Authorization: 'Bearer any-key' } };
const sim = createSimApp({ seed: 5, scale: 'demo', now: () => new Date('2026-11-26T00:00:00Z'), missingPlaysRate: 0 });
const get = async <T>(path: string) => (await (await sim.app.request(path, auth)).json()) as T;

describe('simulated games, possession by possession', () => {
  it('plays, box scores and the final score agree', async () => {
    const games = await get<GameInfo[]>('/games?season=2024&startDateRange=2024-01-01T00:00:00Z&endDateRange=2024-01-10T23:59:59Z');
    expect(games.length).toBeGreaterThan(10);
    const teams = await get<GameBoxScoreTeam[]>('/games/teams?season=2024&startDateRange=2024-01-01T00:00:00Z&endDateRange=2024-01-10T23:59:59Z');
    const players = await get<GameBoxScorePlayers[]>('/games/players?season=2024&startDateRange=2024-01-01T00:00:00Z&endDateRange=2024-01-10T23:59:59Z');
    expect(teams).toHaveLength(games.length * 2);
    for (const game of games) {
      const plays = await get<PlayInfo[]>(`/plays/game/${game.id}`);
      expect(plays.length).toBeGreaterThan(250);
      expect(plays.at(-1)).toMatchObject({ homeScore: game.homePoints, awayScore: game.awayPoints });
      for (const box of teams.filter((t) => t.gameId === game.id)) {
        const final = box.isHome ? game.homePoints : game.awayPoints;
        expect(box.teamStats.points.total).toBe(final);
        expect(box.teamStats.points.byPeriod).toEqual(box.isHome ? game.homePeriodPoints : game.awayPeriodPoints);
        const line = players.find((p) => p.gameId === game.id && p.teamId === box.teamId)!;
        expect(line.players.reduce((n, p) => n + p.points!, 0)).toBe(final);
        expect(Math.abs(line.players.reduce((n, p) => n + p.minutes!, 0) - 5 * box.gameMinutes!)).toBeLessThan(0.5);
        const made = plays.filter((p) => p.teamId === box.teamId && p.shootingPlay && p.scoringPlay).reduce((n, p) => n + p.scoreValue!, 0);
        expect(made).toBe(final);
      }
    }
  });

  it('counts box-score possessions from the plays', async () => {
    const [game] = await get<GameInfo[]>('/games?season=2024&startDateRange=2024-02-01T00:00:00Z&endDateRange=2024-02-03T23:59:59Z');
    const boxes = await get<GameBoxScoreTeam[]>(`/games/teams?season=2024&startDateRange=${game!.startDate}&endDateRange=${game!.startDate}`);
    const box = boxes.find((b) => b.gameId === game!.id && b.isHome)!;
    // By formula the possessions come out close to the counted ones.
    const s = box.teamStats;
    const formula = s.fieldGoals.attempted! - s.rebounds.offensive! + s.turnovers.total! + 0.44 * s.freeThrows.attempted!;
    expect(Math.abs(formula - s.possessions!)).toBeLessThan(6);
  });

  it('looks like college basketball over a season', async () => {
    const boxes = await get<GameBoxScoreTeam[]>('/games/teams?season=2024');
    const sum = (f: (s: GameBoxScoreTeam['teamStats']) => number) => boxes.reduce((n, b) => n + f(b.teamStats), 0);
    const poss = sum((s) => s.possessions!);
    const minutes = boxes.reduce((n, b) => n + b.gameMinutes!, 0);
    const fga = sum((s) => s.fieldGoals.attempted!);
    const stats = {
      possessionsPer40: (poss / minutes) * 40,
      pointsPerPossession: sum((s) => s.points.total!) / poss,
      eFG: (sum((s) => s.fieldGoals.made!) + 0.5 * sum((s) => s.threePointFieldGoals.made!)) / fga,
      turnoverRate: sum((s) => s.turnovers.total!) / poss,
      offensiveReboundRate: sum((s) => s.rebounds.offensive!) / (sum((s) => s.rebounds.offensive!) + sum((s) => s.rebounds.defensive!)),
      freeThrowRate: sum((s) => s.freeThrows.attempted!) / fga,
      threePointRate: sum((s) => s.threePointFieldGoals.attempted!) / fga,
    };
    expect(stats.possessionsPer40).toBeGreaterThan(65);
    expect(stats.possessionsPer40).toBeLessThan(71);
    expect(stats.pointsPerPossession).toBeGreaterThan(1.0);
    expect(stats.pointsPerPossession).toBeLessThan(1.1);
    expect(stats.eFG).toBeGreaterThan(0.47);
    expect(stats.eFG).toBeLessThan(0.53);
    expect(stats.turnoverRate).toBeGreaterThan(0.15);
    expect(stats.turnoverRate).toBeLessThan(0.19);
    expect(stats.offensiveReboundRate).toBeGreaterThan(0.25);
    expect(stats.offensiveReboundRate).toBeLessThan(0.32);
    expect(stats.freeThrowRate).toBeGreaterThan(0.27);
    expect(stats.freeThrowRate).toBeLessThan(0.37);
    expect(stats.threePointRate).toBeGreaterThan(0.34);
    expect(stats.threePointRate).toBeLessThan(0.42);
  });

  it('serves all plays of a date, and substitutions that cover every minute', async () => {
    const [game] = await get<GameInfo[]>('/games?season=2024&startDateRange=2024-01-20T00:00:00Z&endDateRange=2024-01-20T23:59:59Z');
    const day = await get<PlayInfo[]>(`/plays/date?date=${game!.startDate.slice(0, 10)}`);
    expect(new Set(day.map((p) => p.gameId)).has(game!.id)).toBe(true);
    expect(day.every((p) => p.gameStartDate.startsWith(game!.startDate.slice(0, 10)))).toBe(true);
    const subs = await get<PlayerSubsititution[]>(`/substitutions/game/${game!.id}`);
    const home = subs.filter((s) => s.teamId === game!.homeTeamId);
    const elapsed = (m: PlayerSubsititution['subIn']) => (m.period <= 2 ? (m.period - 1) * 1200 + 1200 - m.secondsRemaining : 2400 + (m.period - 3) * 300 + 300 - m.secondsRemaining);
    const seconds = home.reduce((n, s) => n + elapsed(s.subOut) - elapsed(s.subIn), 0);
    const periods = Math.max(...home.map((s) => s.subOut.period));
    expect(Math.abs(seconds - 5 * (2400 + (periods - 2) * 300))).toBeLessThan(15);
  });

  it('serves lineups whose minutes and points add up to the game', async () => {
    const [game] = await get<GameInfo[]>('/games?season=2024&startDateRange=2024-01-20T00:00:00Z&endDateRange=2024-01-20T23:59:59Z');
    const lineups = await get<LineupStats[]>(`/lineups/game/${game!.id}`);
    const home = lineups.filter((l) => l.teamId === game!.homeTeamId);
    expect(home.every((l) => l.athletes.length === 5)).toBe(true);
    const gameSeconds = 2400 + (game!.homePeriodPoints!.length - 2) * 300;
    expect(Math.abs(home.reduce((n, l) => n + l.totalSeconds, 0) - gameSeconds)).toBeLessThan(home.length);
    expect(home.reduce((n, l) => n + l.teamStats.points, 0)).toBe(game!.homePoints);
    expect(home.reduce((n, l) => n + l.opponentStats.points, 0)).toBe(game!.awayPoints);
    const season = await get<LineupStats[]>(`/lineups/team?season=2024&team=${encodeURIComponent(game!.homeTeam)}`);
    expect(season.every((l) => l.teamId === game!.homeTeamId)).toBe(true);
    expect(season.reduce((n, l) => n + l.totalSeconds, 0)).toBeGreaterThan(20 * 2400);
  });

  it('leaves some games without play-by-play when asked to, as the real API does', async () => {
    const gappy = createSimApp({ seed: 5, scale: 'demo', now: () => new Date('2026-11-26T00:00:00Z'), missingPlaysRate: 0.5 });
    const games = (await (await gappy.app.request('/games?season=2024&startDateRange=2024-01-01T00:00:00Z&endDateRange=2024-01-05T23:59:59Z', auth)).json()) as GameInfo[];
    const empty = [];
    for (const g of games) if (((await (await gappy.app.request(`/plays/game/${g.id}`, auth)).json()) as unknown[]).length === 0) empty.push(g.id);
    expect(empty.length).toBeGreaterThan(0);
    expect(empty.length).toBeLessThan(games.length);
  });
});

describe('imperfections of the real API', () => {
  it('leaves possessions out of the 2015 box scores', async () => {
    const boxes = await get<GameBoxScoreTeam[]>('/games/teams?season=2015&startDateRange=2015-01-10T00:00:00Z&endDateRange=2015-01-12T23:59:59Z');
    expect(boxes.length).toBeGreaterThan(0);
    expect(boxes.every((b) => b.teamStats.possessions === null && b.pace === null)).toBe(true);
  });
});

describe('season statistics', () => {
  it('sum to the games they come from', async () => {
    const teams = await get<{ teamId: number; games: number; wins: number; losses: number; teamStats: { points: { total: number } } }[]>('/stats/team/season?season=2024');
    expect(teams).toHaveLength(32);
    const one = teams[0]!;
    const games = (await get<GameInfo[]>('/games?season=2024')).filter((g) => g.homeTeamId === one.teamId || g.awayTeamId === one.teamId);
    expect(one.games).toBe(games.length);
    expect(one.wins).toBe(games.filter((g) => (g.homeTeamId === one.teamId ? g.homeWinner : g.awayWinner)).length);
    expect(one.teamStats.points.total).toBe(games.reduce((n, g) => n + (g.homeTeamId === one.teamId ? g.homePoints! : g.awayPoints!), 0));
    const players = await get<{ teamId: number; points: number }[]>('/stats/player/season?season=2024');
    expect(players.filter((p) => p.teamId === one.teamId).reduce((n, p) => n + p.points, 0)).toBe(one.teamStats.points.total);
  });
});

describe('shooting and per-team, per-tournament, per-player views', () => {
  it('agree with the box scores and the plays', async () => {
    type TeamSeason = { teamId: number; team: string; teamStats: { fieldGoals: { attempted: number }; freeThrows: { attempted: number } } };
    const box = (await get<TeamSeason[]>('/stats/team/season?season=2024'))[0]!;
    const shooting = await get<{ teamId: number; trackedShots: number; freeThrows: { attempted: number }; dunks: { attempted: number } }[]>(`/stats/team/shooting/season?season=2024&team=${encodeURIComponent(box.team)}`);
    expect(shooting).toHaveLength(1);
    expect(shooting[0]!.trackedShots).toBe(box.teamStats.fieldGoals.attempted);
    expect(shooting[0]!.freeThrows.attempted).toBe(box.teamStats.freeThrows.attempted);
    const teamPlays = await get<PlayInfo[]>(`/plays/team?season=2024&team=${encodeURIComponent(box.team)}&shootingPlaysOnly=true`);
    expect(teamPlays.filter((p) => p.teamId === box.teamId && p.shotInfo?.range !== 'free_throw').length).toBe(box.teamStats.fieldGoals.attempted);
    const players = await get<{ athleteId: number; trackedShots: number }[]>(`/stats/player/shooting/season?season=2024&team=${encodeURIComponent(box.team)}`);
    expect(players.reduce((n, p) => n + p.trackedShots, 0)).toBe(box.teamStats.fieldGoals.attempted);
    const shooter = players[0]!.athleteId;
    const mine = await get<PlayInfo[]>(`/plays/player/${shooter}?season=2024`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((p) => p.participants.some((x) => x.id === shooter))).toBe(true);
    const stints = await get<PlayerSubsititution[]>(`/substitutions/player/${shooter}?season=2024`);
    expect(stints.length).toBeGreaterThan(0);
    expect(stints.every((s) => s.athleteId === shooter)).toBe(true);
    const national = await get<PlayInfo[]>('/plays/tournament?season=2024&tournament=National%20Tournament&shootingPlaysOnly=true');
    expect(national.length).toBeGreaterThan(100);
    expect(national.every((p) => p.tournament === 'National Tournament')).toBe(true);
  });
});
