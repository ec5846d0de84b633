import { Writable } from 'node:stream';
import { getGames, getGameTeams, getTeams, type GameBoxScoreTeam, type GameInfo } from 'cbbd';
import { afterEach, describe, expect, it } from 'vitest';
import { CbbdClient, retryAfterMs, type CbbdClientOptions } from '../../src/cbbd/client.ts';
import { fetchScope, type DeadLetter } from '../../src/cbbd/dead-letters.ts';
import { dateWindows, fetchCapped, rangeParams } from '../../src/cbbd/game-windows.ts';
import type { SimOptions } from '../../src/sim/app.ts';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';
import { SourceError } from '../../src/core/errors.ts';
import { DeadLetterStore } from '../../src/cbbd/dead-letter-store.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';
import { createLogger } from '../../src/core/logger.ts';

const KEY = 'client-test-key-5e4d3c2b1a';
const sims: RunningSim[] = [];
afterEach(async () => {
  while (sims.length) await sims.pop()!.close();
});

async function setup(sim: Partial<SimOptions> = {}, client: Partial<CbbdClientOptions> = {}) {
  const running = await startSimulator({ seed: 7, scale: 'demo', now: () => new Date('2026-11-26T00:00:00Z'), ...sim });
  sims.push(running);
  let logged = '';
  const log = createLogger({ pretty: false, level: 'debug', destination: new Writable({ write(chunk, _e, done) { logged += String(chunk); done(); } }) });
  const c = new CbbdClient({
    baseUrl: running.url, apiKey: KEY, requestsPerSecond: 100, maxInFlight: 4, timeoutMs: 2_000, retries: 3, minBackoffMs: 5, maxBackoffMs: 20, log, ...client,
  });
  return { sim: running, client: c, logged: () => logged };
}

describe('CbbdClient', () => {
  it('retries 5xx, 429 and unparseable bodies, then returns the data and the exact raw body', async () => {
    const { sim, client } = await setup({ faults: { sequence: ['500', '429', 'truncated', 'empty'], retryAfterSeconds: 0 } }, { retries: 4 });
    const response = await client.call(getTeams, { query: { season: 2024 } });
    expect(response.data).toHaveLength(72);
    expect(JSON.parse(response.raw)).toEqual(response.data);
    expect(response.request).toEqual({ path: '/teams', params: { season: '2024' } });
    expect(sim.stats.total).toBe(5);
    expect(client.calls.snapshot()['/teams']).toMatchObject({ calls: 5, retries: 4, failures: 0 });
  });

  it('honours Retry-After', async () => {
    const { sim, client } = await setup({ faults: { sequence: ['429'], retryAfterSeconds: 1 } });
    await client.call(getTeams, {});
    const [first, second] = sim.requestTimes;
    expect(second! - first!).toBeGreaterThanOrEqual(950);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
  });

  it('fails fast on 401 with how to fix it, without retrying', async () => {
    const { sim } = await setup();
    const client = new CbbdClient({ baseUrl: sim.url, apiKey: '', requestsPerSecond: 100, maxInFlight: 1, timeoutMs: 1000, retries: 3 });
    await expect(client.call(getTeams, {})).rejects.toThrow(new SourceError('CBBD_API_KEY is missing or invalid (HTTP 401 from GET /teams). Set a valid key, or unset it to use the built-in simulator.'));
    expect(sim.stats.total).toBe(1);
  });

  it('does not retry other 4xx', async () => {
    const { sim, client } = await setup();
    await expect(client.call(getGames, { query: { season: 'x' as unknown as number } })).rejects.toThrow(/answered HTTP 400/);
    expect(sim.stats.total).toBe(1);
  });

  it('times out slow responses, retries them, and gives up with the reason', async () => {
    const { sim, client } = await setup({ faults: { rates: { slow: 1 }, slowMs: 1_500 } }, { timeoutMs: 200, retries: 1 });
    await expect(client.call(getTeams, {})).rejects.toThrow('GET /teams failed after 2 attempt(s): timed out after 200 ms.');
    expect(sim.stats.total).toBe(2);
    expect(client.calls.snapshot()['/teams']).toMatchObject({ calls: 2, failures: 1 });
  });

  it('never returns a truncated body as data', async () => {
    const { client } = await setup({ faults: { rates: { truncated: 1 } } }, { retries: 2 });
    const error = await client.call(getTeams, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(/failed after 3 attempt\(s\): body is not valid JSON/);
    expect((error as SourceError).retryable).toBe(true);
  });

  it('holds the rate limit', async () => {
    const { sim, client } = await setup({}, { requestsPerSecond: 10 });
    await Promise.all(Array.from({ length: 12 }, () => client.call(getTeams, {})));
    const times = sim.requestTimes;
    // 12 requests at 10 per second: the last starts at least about a second after the first.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(900);
    for (let i = 10; i < times.length; i++) expect(times[i]! - times[i - 10]!).toBeGreaterThanOrEqual(900);
  });

  it('never logs the key or puts it in an error', async () => {
    const { sim, client, logged } = await setup({ faults: { sequence: ['500', '500', '500', '500'] } });
    const error = (await client.call(getTeams, {}).catch((e: unknown) => e)) as Error;
    expect(sim.stats.total).toBe(4);
    expect(logged()).toContain('retrying');
    expect(logged()).not.toContain(KEY);
    expect(error.message).not.toContain(KEY);
    expect(error.stack ?? '').not.toContain(KEY);
  });
});

describe('fetchCapped', () => {
  it('splits every window that hits the cap, down to days, and loses no game', async () => {
    const { sim, client } = await setup({ gameCap: 25 });
    const windows = dateWindows('2023-11-01', '2024-04-30', 30);
    const results = await fetchCapped<GameInfo>(windows, 25, (w) => client.call(getGames, { query: { season: 2024, ...rangeParams(w) } }));
    const ids = results.flatMap((r) => r.response.data.map((g) => g.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(sim.world.season(2024).games.length);
    expect(results.every((r) => r.complete && r.response.data.length < 25)).toBe(true);
    expect(sim.stats.total).toBeGreaterThan(windows.length);
    expect(results.map((r) => r.window.from)).toEqual([...results.map((r) => r.window.from)].sort());
  });

  it('counts games, not records, against the cap of the box-score endpoints (two records a game)', async () => {
    const { sim, client } = await setup({ gameCap: 30 });
    const windows = dateWindows('2024-01-01', '2024-01-31', 31);
    const results = await fetchCapped<GameBoxScoreTeam>(windows, 30, (w) => client.call(getGameTeams, { query: { season: 2024, ...rangeParams(w) } }),
      (records) => new Set(records.map((r) => r.gameId)).size);
    const games = sim.world.season(2024).games.filter((g) => g.startDate >= '2024-01-01' && g.startDate < '2024-02-01');
    const ids = new Set(results.flatMap((r) => r.response.data.map((b) => b.gameId)));
    expect(ids.size).toBe(games.length);
    expect(results.every((r) => new Set(r.response.data.map((b) => b.gameId)).size < 30)).toBe(true);
  });

  it('refuses to take a single day at the cap as complete', async () => {
    const { client } = await setup({ gameCap: 2 });
    await expect(fetchCapped<GameInfo>(dateWindows('2023-11-07', '2023-11-08', 2), 2, (w) =>
      client.call(getGames, { query: { season: 2024, ...rangeParams(w) } }))).rejects.toThrow(/cannot be split further, so it is not written as complete/);
  });
});

describe('dead letters', () => {
  it('keeps a body that stayed unusable after every retry, with its request, reason and asset, never the key', async () => {
    const letters: DeadLetter[] = [];
    const { client, logged } = await setup({ faults: { sequence: ['truncated', 'empty', 'truncated'] } }, { retries: 2, deadLetters: async (l) => { letters.push(l); } });
    await expect(fetchScope.run({ asset: 'raw/teams', partitions: ['2024'] }, () => client.call(getTeams, { query: { season: 2024 } })))
      .rejects.toThrow(/failed after 3 attempt\(s\): body is not valid JSON .* kept in deadletter\//);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ path: '/teams', params: { season: '2024' }, attempts: 3, asset: 'raw/teams', partitions: ['2024'] });
    expect(letters[0]!.reason).toMatch(/^body is not valid JSON/);
    expect(letters[0]!.body.length).toBeGreaterThan(10);
    expect(JSON.stringify(letters)).not.toContain(KEY);
    expect(logged()).not.toContain(KEY);
  });

  it('keeps a request that failed on 5xx after every retry too, and none for a 4xx (our request is wrong)', async () => {
    const letters: DeadLetter[] = [];
    const { client } = await setup({ faults: { sequence: ['500', '500'] } }, { retries: 1, deadLetters: async (l) => { letters.push(l); } });
    await expect(client.call(getTeams, {})).rejects.toThrow(/HTTP 500/);
    expect(letters).toMatchObject([{ path: '/teams', reason: 'HTTP 500', attempts: 2, body: '' }]);
    await expect(client.call(getGames, { query: { season: 'x' as unknown as number } })).rejects.toThrow(/answered HTTP 400/);
    expect(letters).toHaveLength(1);
  });

  it('removes the letter of a request once a later try of the same request succeeds', async () => {
    const store = new DeadLetterStore(localStorage(tempDir()));
    const { client } = await setup({ faults: { sequence: ['500', '500'] } }, { retries: 1, deadLetters: store.sink, deadLetterResolved: store.resolved });
    await expect(client.call(getTeams, { query: { season: 2024 } })).rejects.toThrow(/HTTP 500/);
    await expect(client.call(getTeams, { query: { season: 2023 } })).resolves.toBeDefined(); // another request: its letter stays
    expect((await store.list()).letters.map((l) => l.letter.params)).toEqual([{ season: '2024' }]);
    await client.call(getTeams, { query: { season: 2024 } });
    expect((await store.list()).letters).toEqual([]);
  });
});
