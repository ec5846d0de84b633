/**
 * The CBBD simulator as a Hono app: the real API's paths, query parameters, ordering, caps and Bearer auth, with
 * every response body typed by the `cbbd` package, so a shape that drifts from the real API fails to compile.
 * Built by a factory (testable with `app.request()`); `serve.ts` binds it to a port.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConferenceInfo, GameInfo, TeamInfo, VenueInfo } from 'cbbd';
import { Hono } from 'hono';
import { fetchedFromElsewhere, hostNameOf, LOOPBACK_HOSTS } from '../core/request-guards.ts';
import { filterGames, sameText } from './_query.ts';
import { gameRoutes } from './routes-games.ts';
import { seasonRoutes } from './routes-season.ts';
import { Random } from './random.ts';
import { responseDelay, type LatencyProfile } from './latency.ts';
import { QUOTA_EXCEEDED_MESSAGE, SimQuota } from './quota.ts';
import { truthOf } from './truth.ts';
import { SimWorld, type SimScale } from './world.ts';

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
  /**
   * Share of games whose plays say who was on the floor (`onFloor`); the rest send an empty list, as most of the real
   * API's plays do (about 79% of the plays a real pipeline loaded had none). Default 0.21.
   */
  readonly onFloorShare?: number;
  /** Days after a game during which its player box scores are preliminary and then corrected (default 2; 0 = off). */
  readonly lateCorrectionDays?: number;
  /** Send fields the published spec does not list, as the real API does (default true). */
  readonly unlistedFields?: boolean;
  /** Seasons whose box scores lack possessions, as the API's 2014 and 2015 do (default). */
  readonly possessionsMissingIn?: readonly number[];
  /**
   * Keep every successful response body, by path and query, and answer a repeat of the request with it. For
   * benchmarks: a second pass then costs the simulator only the socket write, so the pipeline's time can be measured
   * without the simulator's share. Off by default (a full season's bodies take about 2.5 GB).
   */
  readonly memoize?: boolean;
  /**
   * Answer as slowly as the real API (`REAL_API_LATENCY`): for benchmarks, so their wall time says how long a real
   * backfill or night takes. Off by default.
   */
  readonly latency?: LatencyProfile;
  /**
   * Calls a key may make per month of the simulator's clock (default 1,000,000); every answer carries
   * `X-CallLimit-Remaining`, and a key whose month is spent gets the real API's 429 (see `quota.ts`).
   */
  readonly monthlyCallQuota?: number;
  /**
   * For tests of source drift: rewrite each record of a path's answers (a field added, retyped or dropped), as the
   * real API's answers drift from its spec. Keyed by path, e.g. `{ '/conferences': (r, i) => ({ ...r, id: String(r.id) }) }`.
   */
  readonly drift?: SimDrift;
  /** Host names requests may be addressed to (default the loopback names): a rebinding page's is none of them. */
  readonly allowedHosts?: readonly string[];
  /**
   * What `PUT /_sim/quota` must carry as `Authorization: Bearer <token>` (default: a random one, returned by
   * `createSimApp`): anyone on the machine can reach a loopback port, and the quota is the test's to set.
   */
  readonly adminToken?: string;
}

export type SimDrift = Readonly<Record<string, (record: Record<string, unknown>, index: number) => Record<string, unknown>>>;

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

export interface SimStats {
  total: number;
  byPath: Record<string, number>;
  /** Time spent building responses, so benchmarks can report the simulator's share apart from the pipeline's. */
  serveMs: number;
  /** Time the latency profile added to responses (summed over requests, which overlap), and the 504s it sent. */
  latencyMs: number;
  gatewayTimeouts: number;
  /** Requests refused because their key's monthly quota was spent (not counted in `total`). */
  quotaRefused: number;
}

/** Arrival time (ms since the epoch) of every API request, for tests of the client's rate limit. */
export type RequestTimes = number[];

export function createSimApp(options: SimOptions): { app: Hono; world: SimWorld; stats: SimStats; requestTimes: RequestTimes; quota: SimQuota; adminToken: string } {
  const clock = options.now ?? (() => new Date());
  const world = new SimWorld({ seed: options.seed, scale: options.scale, now: clock, onFloorShare: options.onFloorShare });
  const stats: SimStats = { total: 0, byPath: {}, serveMs: 0, latencyMs: 0, gatewayTimeouts: 0, quotaRefused: 0 };
  const quota = new SimQuota(options.monthlyCallQuota, clock);
  const requestTimes: RequestTimes = [];
  const gameCap = options.gameCap ?? GAME_CAP;
  const faults = options.faults ?? {};
  const faultRandom = Random.derive(options.seed, 'faults');
  const latencyRandom = Random.derive(options.seed, 'latency');
  let served = 0;
  const memo = options.memoize ? new Map<string, Uint8Array<ArrayBuffer>>() : undefined;
  const app = new Hono();
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const allowedHosts = new Set((options.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase()));

  // First of all: a request addressed to another name, or sent by a browser for a page of another site, is refused
  // before it costs anything (a full-scale season takes seconds to build).
  app.use('*', async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const name = hostNameOf(host);
    if (name === undefined || !allowedHosts.has(name)) {
      return c.json({ message: `Refused: this simulator answers to ${[...allowedHosts].join(', ')}, not to "${host}".` }, 403);
    }
    if (fetchedFromElsewhere(c.req.header('sec-fetch-site'))) {
      return c.json({ message: `Refused: the browser says this request comes from another site (Sec-Fetch-Site: ${c.req.header('sec-fetch-site')}).` }, 403);
    }
    return next();
  });

  if (options.latency) {
    const profile = options.latency;
    // Outermost, so the simulator's own serving time is counted apart: the delay follows the size of the body the
    // rest of the app built (or the memo kept).
    app.use('*', async (c, next) => {
      await next();
      if (c.req.path.startsWith('/_sim/')) return;
      const bytes = Number(c.res.headers.get('content-length')) || (await c.res.clone().arrayBuffer()).byteLength;
      const delay = responseDelay(profile, c.req.path, bytes, latencyRandom);
      stats.latencyMs += delay.ms;
      await new Promise((r) => setTimeout(r, delay.ms));
      if (delay.timedOut) {
        stats.gatewayTimeouts++;
        c.res = new Response(JSON.stringify({ message: 'Gateway Timeout' }), { status: 504, headers: { 'content-type': 'application/json' } });
      }
    });
  }
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    if (!c.req.path.startsWith('/_sim/')) stats.serveMs += performance.now() - started;
  });
  // The monthly quota, outside the faults: a faulted answer was still a call, and says what remains after it.
  app.use('*', async (c, next) => {
    const key = /^Bearer\s+(\S+)/.exec(c.req.header('authorization') ?? '')?.[1];
    if (c.req.path.startsWith('/_sim/') || key === undefined) return next();
    const metered = quota.take(key);
    if (!metered.ok) {
      stats.quotaRefused++;
      c.header('X-CallLimit-Remaining', '0');
      return c.json({ message: QUOTA_EXCEEDED_MESSAGE }, 429);
    }
    await next();
    c.res.headers.set('X-CallLimit-Remaining', String(metered.remaining));
  });
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
      default: {
        if (!memo) return next();
        const key = c.req.url.slice(c.req.url.indexOf(c.req.path));
        const kept = memo.get(key);
        if (kept) return c.body(kept, 200, { 'content-type': 'application/json' });
        await next();
        if (c.res.status === 200) memo.set(key, new Uint8Array(await c.res.clone().arrayBuffer()));
        return;
      }
    }
  });

  if (options.drift) {
    const drift = options.drift;
    app.use('*', async (c, next) => {
      await next();
      const rewrite = drift[c.req.path];
      if (!rewrite || c.res.status !== 200) return;
      const body = (await c.res.json()) as unknown;
      c.res = Response.json(Array.isArray(body) ? body.map((r, i) => rewrite(r as Record<string, unknown>, i)) : body);
    });
  }

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
    const games = filterGames(c, world, clock());
    if (games instanceof Response) return games;
    const body: GameInfo[] = games.slice(0, gameCap);
    // The real API sends a few fields its spec does not list; a pipeline must keep them in raw and not trip on them.
    return c.json(options.unlistedFields === false ? body : body.map((g) => ({ ...g, externalId: `sim-${g.id}` })));
  });

  gameRoutes({ app, world, options, gameCap, clock });
  seasonRoutes({ app, world, options, gameCap, clock });

  app.get('/_sim/stats', (c) => c.json(stats));
  app.get('/_sim/quota', (c) => c.json(quota.usage()));
  app.put('/_sim/quota', async (c) => {
    const given = Buffer.from(/^Bearer\s+(\S+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
    const expected = Buffer.from(adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ message: "PUT /_sim/quota needs the simulator's admin token (printed by cbbd sim as it starts) as Authorization: Bearer <token>." }, 401);
    }
    const body = (await c.req.json().catch(() => undefined)) as { monthlyCalls?: unknown } | undefined;
    const calls = body?.monthlyCalls;
    if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 0) return c.json({ message: 'expected {"monthlyCalls": <whole number >= 0>}' }, 400);
    quota.setMonthlyCalls(calls);
    return c.json(quota.usage());
  });
  app.get('/_sim/truth', (c) => {
    const season = Number(c.req.query('season'));
    if (!Number.isInteger(season)) return c.json({ message: 'season is required, e.g. ?season=2024' }, 400);
    return c.json(truthOf(world, season));
  });
  app.notFound((c) => c.json({ message: `Not found: ${c.req.path}` }, 404));
  return { app, world, stats, requestTimes, quota, adminToken };
}

function drawFault(random: Random, rates: SimFaults['rates']): SimFault | undefined {
  if (!rates) return undefined;
  for (const [fault, rate] of Object.entries(rates) as [SimFault, number][]) if (random.chance(rate)) return fault;
  return undefined;
}

/** What the route modules share: the world, the options, and the game helpers. */
export interface SimRoutes {
  readonly app: Hono;
  readonly world: SimWorld;
  readonly options: SimOptions;
  readonly gameCap: number;
  /** The simulator's clock: what is final, which season is current. */
  readonly clock: () => Date;
}
