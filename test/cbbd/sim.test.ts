import type { GameInfo, TeamInfo } from 'cbbd';
import { describe, expect, it } from 'vitest';
import { createSimApp } from '../../src/sim/app.ts';

const NOW = () => new Date('2026-11-26T00:00:00Z');
const auth = { headers: { Authorization: 'Bearer any-key' } };

describe('the CBBD simulator', () => {
  it('serves the same bytes for the same seed, and other bytes for another seed', async () => {
    const body = async (seed: number, path: string) => (await createSimApp({ seed, scale: 'demo', now: NOW }).app.request(path, auth)).text();
    expect(await body(1, '/games?season=2024')).toBe(await body(1, '/games?season=2024'));
    expect(await body(1, '/teams')).toBe(await body(1, '/teams'));
    expect(await body(1, '/games?season=2024')).not.toBe(await body(2, '/games?season=2024'));
  });

  it('with memoize, answers a repeated request with the body it built, still counted, never keeping a fault', async () => {
    const { app, stats } = createSimApp({ seed: 1, scale: 'demo', now: NOW, memoize: true, faults: { sequence: ['truncated'] } });
    const truncated = await (await app.request('/games?season=2024', auth)).text();
    const first = await (await app.request('/games?season=2024', auth)).text();
    expect(truncated.length).toBeLessThan(first.length);
    const built = stats.serveMs;
    expect(await (await app.request('/games?season=2024', auth)).text()).toBe(first);
    expect(stats.serveMs - built).toBeLessThan(built / 2);
    expect((await app.request('/games?season=2024&_fault=500', auth)).status).toBe(500);
    expect(await (await app.request('/games?season=2023', auth)).text()).not.toBe(first);
    expect(stats.byPath['/games']).toBe(5);
  });

  it('asks for a Bearer key and accepts any non-empty one', async () => {
    const { app } = createSimApp({ seed: 1, scale: 'demo', now: NOW });
    expect((await app.request('/teams')).status).toBe(401);
    expect((await app.request('/teams', { headers: { Authorization: 'Bearer ' } })).status).toBe(401);
    expect((await app.request('/teams', auth)).status).toBe(200);
  });

  it('filters games by team and date range, orders them by start date, and caps them', async () => {
    const { app } = createSimApp({ seed: 1, scale: 'demo', now: NOW, gameCap: 40 });
    const all = (await (await app.request('/games?season=2024&startDateRange=2024-01-01T00:00:00Z&endDateRange=2024-01-31T23:59:59Z', auth)).json()) as GameInfo[];
    expect(all).toHaveLength(40); // capped: the first 40 by start date
    expect(all.map((g) => g.startDate)).toEqual([...all.map((g) => g.startDate)].sort());
    expect(all.every((g) => g.startDate >= '2024-01-01' && g.startDate <= '2024-01-31T23:59:59Z')).toBe(true);
    const team = all[0]!.homeTeam;
    const mine = (await (await app.request(`/games?season=2024&team=${encodeURIComponent(team)}`, auth)).json()) as GameInfo[];
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.every((g) => g.homeTeam === team || g.awayTeam === team)).toBe(true);
  });

  it('builds a season with sums that agree and plausible basketball', async () => {
    const { app, world } = createSimApp({ seed: 1, scale: 'full', now: NOW });
    const games = world.season(2024).games;
    expect(games.length).toBeGreaterThanOrEqual(5_500);
    expect(games.length).toBeLessThanOrEqual(6_500);
    expect(world.teams.length).toBeGreaterThan(1_400);
    expect(world.divisionOneTeams.length).toBeGreaterThan(340);
    for (const g of games) {
      expect(g.homePeriodPoints!.reduce((a, b) => a + b, 0)).toBe(g.homePoints);
      expect(g.homeWinner).toBe(g.homePoints! > g.awayPoints!);
    }
    expect(games.filter((g) => g.tournament === 'National Tournament')).toHaveLength(67);
    const teams = (await (await app.request('/teams', auth)).json()) as TeamInfo[];
    expect(teams).toHaveLength(world.teams.length);
    expect(Object.keys(teams[0]!)).not.toContain('baseQuality');
  });

  it('exposes request counts and the latent strengths', async () => {
    const { app } = createSimApp({ seed: 1, scale: 'demo', now: NOW });
    await app.request('/teams', auth);
    await app.request('/games?season=2024', auth);
    await app.request('/games?season=2023', auth);
    expect(await (await app.request('/_sim/stats')).json()).toMatchObject({ total: 3, byPath: { '/teams': 1, '/games': 2 } });
    const truth = (await (await app.request('/_sim/truth?season=2024')).json()) as { homeAdvantage: number; gameMarginSd: number; units: Record<string, string>; teams: { teamId: number; net: number; offense: number; defense: number }[] };
    expect(truth.teams).toHaveLength(32);
    expect(truth.teams[0]).toEqual(expect.objectContaining({ teamId: expect.any(Number), team: expect.any(String), tempo: expect.any(Number) }));
    expect(truth.teams.every((t) => Math.abs(t.offense + t.defense - t.net) < 0.11)).toBe(true);
    // The world's home court and per-game noise, with the units a user needs to score a rating against them.
    expect(truth).toMatchObject({ homeAdvantage: 3.5, gameMarginSd: expect.any(Number) });
    expect(truth.units.net).toMatch(/per 100 possessions/);
    expect(truth.units.defense).toMatch(/positive = better/);
  });

  it('answers games after its clock as scheduled, without scores', async () => {
    const { app } = createSimApp({ seed: 1, scale: 'demo', now: () => new Date('2024-01-15T00:00:00Z') });
    const games = (await (await app.request('/games?season=2024', auth)).json()) as GameInfo[];
    const later = games.filter((g) => g.startDate >= '2024-01-15');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((g) => g.status === 'scheduled' && g.homePoints === null)).toBe(true);
    expect(games.filter((g) => g.startDate < '2024-01-15').every((g) => g.status === 'final')).toBe(true);
  });
});

describe('the rest of a simulated season', () => {
  const { app, world } = createSimApp({ seed: 3, scale: 'demo', now: NOW });
  const json = async <T>(path: string) => (await (await app.request(path, auth)).json()) as T;

  it('prices lines from the latent strengths, with 2 to 3 providers and some games unpriced', async () => {
    const games = await json<GameInfo[]>('/games?season=2024');
    const lines = await json<{ gameId: number; homeScore: number; awayScore: number; lines: { spread: number | null; homeMoneyline: number | null }[] }[]>('/lines?season=2024');
    expect(lines.length).toBeGreaterThan(games.length * 0.5);
    expect(lines.length).toBeLessThan(games.length);
    expect(lines.every((l) => l.lines.length >= 2 && l.lines.length <= 3)).toBe(true);
    expect(lines.some((l) => l.lines.some((x) => x.homeMoneyline === null))).toBe(true);
    // The favourite (negative spread) wins most of the time.
    const decided = lines.filter((l) => l.lines[0]!.spread !== 0);
    const favouriteWins = decided.filter((l) => (l.lines[0]!.spread! < 0) === (l.homeScore > l.awayScore)).length;
    expect(favouriteWins / decided.length).toBeGreaterThan(0.6);
    expect(await json<unknown[]>('/lines/providers')).toHaveLength(4);
  });

  it('serves weekly polls of 25 and ratings that follow the truth', async () => {
    const polls = await json<{ week: number; pollType: string; ranking: number }[]>('/rankings?season=2024&pollType=ap');
    const weeks = new Set(polls.map((p) => p.week));
    expect(weeks.size).toBeGreaterThan(15);
    expect(polls.filter((p) => p.week === 1)).toHaveLength(25);
    expect(polls.every((p) => p.pollType === 'AP Top 25')).toBe(true);
    const truth = (await json<{ teams: { teamId: number; net: number }[] }>('/_sim/truth?season=2024')).teams;
    const ratings = await json<{ teamId: number; netRating: number; season: number }[]>('/ratings/adjusted?season=2024');
    const best = [...truth].sort((a, b) => b.net - a.net)[0]!.teamId;
    const rated = [...ratings].sort((a, b) => b.netRating - a.netRating).slice(0, 5).map((r) => r.teamId);
    expect(rated).toContain(best);
    const spanning = await json<{ season: number }[]>('/ratings/srs');
    expect(new Set(spanning.map((r) => r.season)).size).toBeGreaterThan(1); // without a season: every season at once
    expect(world.divisionOneTeams).toHaveLength(32);
  });
});

describe('recruiting, draft, broadcasts, history', () => {
  const { app, world } = createSimApp({ seed: 4, scale: 'demo', now: NOW });
  const json = async <T>(path: string) => (await (await app.request(path, auth)).json()) as T;

  it("gives recruits their own id and the athlete id of the player they become, keyed by year", async () => {
    const recruits = await json<{ id: number; athleteId: number; committedTo: { id: number }; year: number }[]>('/recruiting/players?year=2024');
    expect(recruits.length).toBeGreaterThan(20);
    const r = recruits[0]!;
    expect(r.id).not.toBe(r.athleteId);
    expect(world.roster(r.committedTo.id, 2024).map((p) => p.id)).toContain(r.athleteId);
    // `season` is not a parameter here: ignored, as the real API does, and without a year every year is answered.
    const unfiltered = await json<{ year: number }[]>('/recruiting/players?season=2024');
    expect(new Set(unfiltered.map((x) => x.year)).size).toBeGreaterThan(1);
    expect(unfiltered.filter((x) => x.year === 2024)).toHaveLength(recruits.length);
    const teams = await json<{ ranking: number }[]>('/recruiting/teams?year=2024');
    expect(teams.map((t) => t.ranking)).toEqual(teams.map((_, i) => i + 1));
  });

  it('drafts sixty players who just finished college, and serves broadcasts, history and Elo', async () => {
    const picks = await json<{ athleteId: number; overall: number; sourceTeamId: number }[]>('/draft/picks?year=2024');
    expect(picks).toHaveLength(60);
    expect(world.roster(picks[0]!.sourceTeamId, 2024).map((p) => p.id)).toContain(picks[0]!.athleteId);
    expect(await json<unknown[]>('/draft/teams')).toHaveLength(30);
    const media = await json<{ broadcasts: unknown[] }[]>('/games/media?season=2024');
    expect(media.some((m) => m.broadcasts.length > 0)).toBe(true);
    const history = await json<{ teams: unknown[] }[]>('/conferences/history');
    expect(history).toHaveLength(4);
    expect(history.reduce((n, c) => n + c.teams.length, 0)).toBe(32);
    expect(await json<unknown[]>('/ratings/elo?season=2024')).toHaveLength(32);
  });

  it('serves the transfer portal by year and a scoreboard of the games of the day', async () => {
    const transfers = await json<{ year: number; origin: { id: number }; destination: { id: number } | null }[]>('/recruiting/portal?year=2024');
    expect(transfers.length).toBeGreaterThan(3);
    expect(transfers.every((t) => t.year === 2024 && t.origin.id !== t.destination?.id)).toBe(true);
    const midSeason = createSimApp({ seed: 4, scale: 'demo', now: () => new Date('2024-01-20T23:00:00Z') });
    const board = (await (await midSeason.app.request('/scoreboard', auth)).json()) as { startDate: string; status: string }[];
    expect(board.length).toBeGreaterThan(0);
    expect(board.every((g) => g.startDate.startsWith('2024-01-20'))).toBe(true);
  });
});

describe('who the simulator answers', () => {
  it('only requests addressed to its own names, and none a browser sends for a page of another site', async () => {
    const { app } = createSimApp({ seed: 1, scale: 'demo', now: NOW });
    const at = (host: string, extra: Record<string, string> = {}) => app.request(`http://${host}/teams`, { headers: { ...auth.headers, host, ...extra } });
    for (const host of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787']) expect((await at(host)).status, host).toBe(200);
    // A page on evil.example that rebinds its name to 127.0.0.1: its Host is its own name.
    const rebound = await at('evil.example:8787');
    expect(rebound.status).toBe(403);
    expect(((await rebound.json()) as { message: string }).message).toMatch(/answers to localhost, 127\.0\.0\.1, ::1, not to "evil\.example:8787"/);
    // An <img> on another site: the world is not even built for it (a full-scale season takes seconds).
    const truth = await app.request('http://127.0.0.1:8787/_sim/truth?season=2024', { headers: { host: '127.0.0.1:8787', 'sec-fetch-site': 'cross-site' } });
    expect(truth.status).toBe(403);
    expect((await at('127.0.0.1:8787', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Bound beyond loopback: its address too, and still no other name.
    const { app: wide } = createSimApp({ seed: 1, scale: 'demo', now: NOW, allowedHosts: ['localhost', '127.0.0.1', '::1', '10.1.2.3'] });
    expect((await wide.request('http://10.1.2.3:8787/teams', { headers: { ...auth.headers, host: '10.1.2.3:8787' } })).status).toBe(200);
    expect((await wide.request('http://evil.example/teams', { headers: { ...auth.headers, host: 'evil.example' } })).status).toBe(403);
  });

  it('changes the quota only for a caller with its admin token', async () => {
    const { app, adminToken } = createSimApp({ seed: 1, scale: 'demo', now: NOW, monthlyCallQuota: 100 });
    expect(adminToken.length).toBeGreaterThanOrEqual(16);
    const put = (headers: Record<string, string>) => app.request('/_sim/quota', { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: '{"monthlyCalls": 0}' });
    for (const headers of [{}, { authorization: 'Bearer any-key' }, { authorization: `Bearer ${adminToken}x` }, { authorization: adminToken }] as Record<string, string>[]) {
      const refused = await put(headers);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { message: string }).message).toMatch(/needs the simulator's admin token/);
    }
    expect((await app.request('/teams', auth)).status).toBe(200); // the quota is untouched
    expect((await put({ authorization: `Bearer ${adminToken}` })).status).toBe(200);
    expect((await app.request('/teams', auth)).status).toBe(429);
    const chosen = createSimApp({ seed: 1, scale: 'demo', now: NOW, adminToken: 'a-token-of-my-own-choosing' });
    expect(chosen.adminToken).toBe('a-token-of-my-own-choosing');
  });
});
