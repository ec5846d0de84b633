/**
 * What the server refuses, as an attacker or a careless client would meet it: other host names (DNS rebinding),
 * other origins, framing, malformed run requests, selections built to backtrack, too many live streams, changes
 * without the token (loopback too) and reads without it beyond loopback. Then a property: whatever the request, never
 * a 5xx, never a hang, and never a run started by anything but a valid request with the token from an allowed host
 * and origin.
 */
import { hostname } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { createServerApp, type ServerDeps, type StartRunRequest } from '../../src/server/app.ts';
import { allowedHostsFor, hostNameOf } from '../../src/server/security.ts';
import { assets } from '../fixtures/small-graph.ts';
import { openRunLog } from '../helpers.ts';

const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };
const graph = buildAssetGraph(assets);
const ORIGIN = 'http://127.0.0.1:3000';
const TOKEN = 'ui-token-1234567';

async function server(extra: Partial<ServerDeps> = {}) {
  const started: StartRunRequest[] = [];
  const { app } = createServerApp({
    graph, runLog: await openRunLog(), window, rollingDays: 3,
    startRun: async (r) => (started.push(r), { runId: 'r20260101-000000-abcdef' }),
    allowedHosts: allowedHostsFor('127.0.0.1'), token: TOKEN,
    ...extra,
  });
  // As the page sends it: with the token unless the test says otherwise.
  const post = (body: string | undefined, headers: Record<string, string> = {}) => app.request(`${ORIGIN}/api/materialize`, {
    method: 'POST', headers: { host: '127.0.0.1:3000', origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers }, ...(body !== undefined && { body }),
  });
  return { app, started, post };
}

describe('the server refuses', () => {
  it('requests addressed to a host name it is not bound to, reads and writes alike (DNS rebinding)', async () => {
    const { app, started, post } = await server();
    // A page on evil.example whose name now resolves to 127.0.0.1: its Host and Origin are both evil.example.
    const read = await app.request('http://evil.example:3000/api/runs', { headers: { host: 'evil.example:3000' } });
    expect(read.status).toBe(403);
    expect(((await read.json()) as { error: string }).error).toMatch(/answers to localhost, 127\.0\.0\.1, ::1, not to "evil\.example:3000"/);
    const write = await post(JSON.stringify({ selection: '*', season: 2024 }), { host: 'evil.example:3000', origin: 'http://evil.example:3000' });
    expect(write.status).toBe(403);
    expect(started).toEqual([]);
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', '127.0.0.1']) {
      expect((await app.request('/api/runs', { headers: { host } })).status, host).toBe(200);
    }
  });

  it.each([
    ['127.0.0.1:3000', '127.0.0.1'], ['[::1]:8080', '::1'], ['LOCALHOST', 'localhost'], ['evil.example', 'evil.example'],
    ['a:b:c', undefined], ['[::1', undefined], ['', undefined],
  ])('reads the host name of Host: %s', (header, name) => {
    expect(hostNameOf(header)).toBe(name);
  });

  it('any name but the bound address, the loopback names, this machine (wildcard binds) and CBBD_UI_ALLOWED_HOSTS', () => {
    expect(allowedHostsFor('127.0.0.2')).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', '127.0.0.2']));
    expect(allowedHostsFor('10.1.2.3', ['lineage.example.org'])).toEqual(expect.arrayContaining(['10.1.2.3', 'localhost', 'lineage.example.org']));
    expect(allowedHostsFor('0.0.0.0')).toEqual(expect.arrayContaining([hostname().toLowerCase(), '127.0.0.1']));
    for (const bind of ['127.0.0.1', '10.1.2.3', '0.0.0.0', '[::]']) expect(allowedHostsFor(bind)).not.toContain('evil.example');
  });

  it('being framed, on the page and on API answers, and leaks no referrer', async () => {
    const { app } = await server();
    for (const path of ['/', '/api/assets', '/api/nope', '/api/assets?season=1900']) {
      const res = await app.request(path);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    expect((await app.request('/')).headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await app.request('/api/assets')).headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it.each([
    ['bad JSON', '{"selection": "*",', {}, 400, /not JSON/],
    ['an empty body', '', {}, 400, /not JSON/],
    ['no body', undefined, {}, 400, /not JSON/],
    ['a selection that is a number', '{"selection": 5, "season": 2024}', {}, 400, /selection/],
    ['an empty selection', '{"selection": "  ", "season": 2024}', {}, 400, /selection is empty/],
    ['no season', '{"selection": "*"}', {}, 400, /season must be a season .* or "all"/],
    ['a season given as text', '{"selection": "*", "season": "2024"}', {}, 400, /season must be/],
    ['a season out of range', '{"selection": "*", "season": 1900}', {}, 400, /outside the configured range/],
    ['an unknown field', '{"selection": "*", "season": 2024, "force": true}', {}, 400, /force/],
    ['a JSON array', '[]', {}, 400, /body/],
    ['null', 'null', {}, 400, /body/],
    ['no content type', '{"selection": "*", "season": 2024}', { 'content-type': '' }, 415, /application\/json/],
    ['a form post', 'selection=*&season=2024', { 'content-type': 'application/x-www-form-urlencoded' }, 415, /application\/json/],
    ['text/plain', '{"selection": "*", "season": 2024}', { 'content-type': 'text/plain' }, 415, /application\/json/],
    ['a body over 4 KB', JSON.stringify({ selection: '*', season: 2024, pad: 'x'.repeat(5000) }), {}, 413, /larger than 4 KB/],
    ['an unknown asset', '{"selection": "nope/*", "season": 2024}', {}, 400, /matches no asset/],
  ])('a run request with %s, and starts nothing', async (_what, body, headers, status, message) => {
    const { started, post } = await server();
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
    expect(started).toEqual([]);
  });

  it('starts a run for a valid request only, with the season or "all" said explicitly', async () => {
    const { started, post } = await server();
    expect((await post('{"selection": "raw/*", "season": 2024}')).status).toBe(202);
    expect((await post('{"selection": " bronze/* ", "season": "all"}', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
    expect(started).toEqual([{ selection: 'raw/*', season: 2024 }, { selection: 'bronze/*' }]);
  });

  it('selections built to backtrack, at once, and over-long ones', async () => {
    const { app } = await server();
    for (const stars of [12, 40]) {
      const res = await app.request(`/api/assets?selection=${'*'.repeat(stars)}Z`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/matches no asset/);
    }
    const long = await app.request(`/api/assets?selection=${'raw/games,'.repeat(120)}raw/games`);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: string }).error).toMatch(/at most 1000 are accepted/);
  });

  it('changes without the token on loopback too (anyone on the machine reaches 127.0.0.1), but not reads', async () => {
    const { app, started, post } = await server();
    const run = '{"selection": "raw/*", "season": 2024}';
    for (const authorization of ['', 'Bearer ', 'Bearer ui-token-1234568', 'ui-token-1234567x', 'Basic dWktdG9rZW4tMTIzNDU2Nw==']) {
      expect((await post(run, { authorization })).status, authorization).toBe(401);
    }
    expect(started).toEqual([]);
    expect((await post(run)).status).toBe(202);
    expect((await app.request(`${ORIGIN}/api/runs`, { headers: { host: '127.0.0.1:3000' } })).status).toBe(200);
  });

  it('API reads without the token when bound beyond loopback, but serves the page that asks for it', async () => {
    const { app } = await server({ token: 'ui-token-1234567', readsNeedToken: true, allowedHosts: ['10.1.2.3'] });
    const at = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers: { host: '10.1.2.3:3000', ...headers } });
    expect((await at('/api/runs')).status).toBe(401);
    expect((await at('/api/events')).status).toBe(401);
    expect((await at('/api/runs', { authorization: 'Bearer ui-token-1234567' })).status).toBe(200);
    expect((await at('/')).status).toBe(200);
  });

  it('API requests a browser sends for a page of another site, reads included (Sec-Fetch-Site), but not the page', async () => {
    const { app, started, post } = await server({ preview: async () => ({ kind: 'rows' }) });
    const at = (path: string, site?: string) => app.request(`${ORIGIN}${path}`, { headers: { host: '127.0.0.1:3000', ...(site !== undefined && { 'sec-fetch-site': site }) } });
    const reads = ['/api/assets?selection=raw/*', '/api/assets/raw/games', '/api/assets/raw/games/partitions', '/api/assets/bronze/games/preview', '/api/runs', '/api/seasons', '/api/events'];
    for (const site of ['cross-site', 'same-site', 'Cross-Site', 'something-new']) {
      for (const path of reads) {
        const res = await at(path, site);
        expect(res.status, `${site} ${path}`).toBe(403);
        expect(((await res.json()) as { error: string }).error).toMatch(/comes from another site \(Sec-Fetch-Site: /);
      }
      // An <img> or a form elsewhere: no run either, whatever the body.
      expect((await post('{"selection": "raw/*", "season": 2024}', { 'sec-fetch-site': site })).status).toBe(403);
    }
    expect(started).toEqual([]);
    // The page's own requests (same-origin), a typed address or bookmark (none), and clients that send no metadata.
    for (const site of ['same-origin', 'none', undefined]) {
      for (const path of reads.filter((p) => p !== '/api/events')) expect((await at(path, site)).status, `${site} ${path}`).toBe(200);
    }
    expect((await post('{"selection": "raw/*", "season": 2024}', { 'sec-fetch-site': 'same-origin' })).status).toBe(202);
    // The page itself may be opened from a link on another site: it is the API it calls that must be its own.
    expect((await at('/', 'cross-site')).status).toBe(200);
  });

  it('live-progress streams beyond the bound, and counts a closed one as gone', async () => {
    const { app } = await server({ maxEventStreams: 2 });
    const first = await app.request('/api/events');
    const second = await app.request('/api/events');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await app.request('/api/events');
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: string }).error).toMatch(/Too many live-progress streams/);
    await first.body!.cancel();
    await new Promise((r) => setTimeout(r, 400));
    const again = await app.request('/api/events');
    expect(again.status).toBe(200);
    await Promise.all([second.body!.cancel(), again.body!.cancel()]);
    await new Promise((r) => setTimeout(r, 400));
    // A HEAD is answered without opening a stream: a page elsewhere cannot use the slots up with them.
    for (let i = 0; i < 3; i++) expect((await app.request('/api/events', { method: 'HEAD' })).status).toBe(200);
    const after = await app.request('/api/events');
    expect(after.status).toBe(200);
    await after.body!.cancel();
  });
});

describe('any request at all', () => {
  const paths = ['/', '/ui/app.js', '/api/assets', '/api/assets/raw/games', '/api/assets/raw/games/partitions', '/api/runs',
    '/api/runs/r20240101-000000-abcdef', '/api/events', '/api/materialize', '/api/nope', '/api/assets/%2e%2e/%00', '/ui/../../etc/passwd',
    '/api/seasons', '/api/quota', '/api/schedules', '/api/assets/raw/games/preview', '/api/assets/raw/games/rating-history', '/api/assets/raw/%2e%2e/preview'];
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('*', '*'.repeat(30) + 'Z', 'raw/*', '+silver/fct_games', '2024', '1900', '%00', '..', 'all'));
  const request = fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    path: fc.constantFrom(...paths),
    query: fc.dictionary(fc.constantFrom('selection', 'season', 'limit', 'after', 'date', 'teams', 'x'), text, { maxKeys: 3 }),
    host: fc.constantFrom('127.0.0.1:3000', 'localhost', 'evil.example', '[::1]:3000', '', 'a:b:c'),
    origin: fc.option(fc.constantFrom(ORIGIN, 'http://evil.example', 'null', 'not a url'), { nil: undefined }),
    authorization: fc.option(fc.constantFrom(`Bearer ${TOKEN}`, `bearer  ${TOKEN}`, TOKEN, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, 'Bearer ', ''), { nil: undefined }),
    fetchSite: fc.option(fc.constantFrom('same-origin', 'none', 'same-site', 'cross-site', 'CROSS-SITE', ' cross-site', 'bogus', ''), { nil: undefined }),
    contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data'), { nil: undefined }),
    body: fc.option(fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 2 }),
      fc.record({ selection: fc.oneof(text, fc.integer()), season: fc.oneof(fc.integer({ min: 1990, max: 2030 }), fc.constant('all'), text) }).map((b) => JSON.stringify(b)),
    ), { nil: undefined }),
  });

  it('answers under a second with no 5xx, refuses other sites\' API requests, and starts a run only for a valid request with the token from this host and origin', async () => {
    // Every route the CLI's server has, the quota and schedules panels' included (data routes answer without DuckDB).
    const { app, started } = await server({ quota: { source: 'simulator', reserve: '10%' }, schedules: () => ({ scheduler: null, schedules: [] }) });
    await fc.assert(fc.asyncProperty(request, async (r) => {
      started.length = 0;
      const query = new URLSearchParams(r.query).toString();
      const headers: Record<string, string> = { host: r.host };
      if (r.origin !== undefined) headers.origin = r.origin;
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      if (r.fetchSite !== undefined) headers['sec-fetch-site'] = r.fetchSite;
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      const begun = performance.now();
      const res = await app.request(`http://127.0.0.1:3000${r.path}${query ? `?${query}` : ''}`, {
        method: r.method, headers, ...(r.body !== undefined && !['GET', 'HEAD'].includes(r.method) && { body: r.body }),
      });
      if (r.path === '/api/events' && res.status === 200) await res.body?.cancel();
      else await res.arrayBuffer();
      expect(performance.now() - begun).toBeLessThan(1000);
      expect(res.status).toBeLessThan(500);
      // Sent for a page of another site (or with metadata it cannot read): no API answer but a refusal.
      const ownSite = r.fetchSite === undefined || ['same-origin', 'none'].includes(r.fetchSite.trim().toLowerCase());
      if (r.path.startsWith('/api/') && !ownSite) expect(res.status).toBe(403);
      // On loopback too, a change without the token is refused once host, site and origin passed.
      const hasToken = r.authorization !== undefined && [`Bearer ${TOKEN}`, `bearer  ${TOKEN}`, TOKEN].includes(r.authorization);
      if (!['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !hasToken) expect([401, 403]).toContain(res.status);
      if (started.length) {
        // Only this: a POST of a well-formed request, addressed to this server, from its page or from no browser.
        expect(r.method).toBe('POST');
        expect(r.path).toBe('/api/materialize');
        expect(['127.0.0.1:3000', 'localhost', '[::1]:3000']).toContain(r.host);
        expect(r.origin === undefined || (r.origin === ORIGIN && r.host === '127.0.0.1:3000')).toBe(true);
        expect(ownSite).toBe(true);
        expect(hasToken).toBe(true);
        expect(r.contentType).toMatch(/^application\/json/);
        const body = JSON.parse(r.body!) as { selection: unknown; season: unknown };
        expect(typeof body.selection).toBe('string');
        expect(body.season === 'all' || Number.isInteger(body.season)).toBe(true);
      }
    }), { numRuns: 400 });
    await new Promise((r) => setTimeout(r, 400)); // the cancelled streams notice at their next poll
    // No request, HEAD included, leaves a live-progress slot taken: the page still gets its stream.
    const live = await app.request('http://127.0.0.1:3000/api/events', { headers: { host: '127.0.0.1:3000' } });
    expect(live.status).toBe(200);
    await live.body!.cancel();
  });
});
