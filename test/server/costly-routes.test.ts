/**
 * The GETs that cost, under the load a page on any site can cause (a browser sends an `<img>`'s GET to 127.0.0.1
 * without asking): sixteen previews of a big table at once, and sixteen new selections at once, each a plan of every
 * season. Over real HTTP, with the server in this process, the test measures what the issue measured: the memory the
 * previews take, and how long another request (the page's own) waits meanwhile. The costly work is bounded: a few
 * at a time, a short queue, 429 beyond it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAsset, type AssetDefinition, type AssetSpec } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { previewRows, type PreviewLake } from '../../src/lake/query/preview.ts';
import { localTableQuery } from '../../src/lake/query/table-query.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { createServerApp, type ServerDeps } from '../../src/server/app.ts';
import { openRunLog, tempDir } from '../helpers.ts';

const window = { firstSeason: 2010, lastSeason: 2026, start: '11-01', end: '04-30' };
const now = new Date('2026-02-15T12:00:00Z');
const noop = async () => [];

/** A graph whose plan of every season holds the event loop a while (game-day assets over 17 seasons), and bronze/plays. */
function assets(): AssetDefinition[] {
  const defs: AssetDefinition[] = [];
  const add = (spec: AssetSpec) => defs.push(defineAsset(spec, noop));
  for (let i = 0; i < 8; i++) {
    add({ key: `raw/day_${i}`, partitions: { kind: 'season_date' }, codeVersion: '1', volatile: { maxAgeHours: 6 } });
    add({ key: `bronze/day_${i}`, deps: [`raw/day_${i}`], partitions: { kind: 'season_date' }, codeVersion: '1' });
    add({ key: `silver/fct_${i}`, deps: [`bronze/day_${i}`, `bronze/day_${(i + 1) % 8}`], partitions: { kind: 'season_date' }, codeVersion: '1' });
  }
  add({
    key: 'bronze/plays', partitions: { kind: 'season' }, codeVersion: '1',
    schema: {
      columns: [
        { name: 'id', type: 'bigint' }, { name: 'gameId', type: 'bigint' }, { name: 'period', type: 'int' }, { name: 'clock', type: 'string' },
        { name: 'playType', type: 'string' }, { name: 'playText', type: 'string' }, { name: 'homeScore', type: 'int' },
        { name: 'awayScore', type: 'int' }, { name: 'team', type: 'string' }, { name: 'season', type: 'int' },
      ],
      primaryKey: ['id', 'season'],
    },
  });
  return defs;
}

/** A season of plays as bronze stores it: `rows` rows of Parquet. */
async function writePlays(root: string, rows: number): Promise<void> {
  const dir = join(root, 'bronze/plays/season=2024');
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`COPY (SELECT (range * 7919) % ${rows} AS id, range // 400 AS gameId, (range % 4 + 1)::INT AS period, lpad(((range * 13) % 1200)::VARCHAR, 4, '0') AS clock,
    ['JumpShot', 'LayUpShot', 'Rebound', 'Turnover', 'Foul'][range % 5 + 1] AS playType, 'play ' || md5(range::VARCHAR) || ' by ' || md5((range * 3)::VARCHAR) AS playText,
    (range % 90)::INT AS homeScore, (range % 85)::INT AS awayScore, 'team ' || (range % 360)::VARCHAR AS team FROM range(${rows}))
    TO '${join(dir, 'part-0.parquet')}' (FORMAT parquet)`);
  db.closeSync();
  instance.closeSync();
}

const servers: ServerType[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((done) => s.close(() => done()))));
});

async function listen(deps: Partial<ServerDeps>): Promise<{ base: string; inFlight: { now: number; max: number } }> {
  const root = join(tempDir('cbbd-costly-'), 'lakehouse');
  await writePlays(root, 600_000);
  const graph = buildAssetGraph(assets());
  const lake: PreviewLake = { graph, window, storage: localStorage(root), query: localTableQuery(root) };
  const inFlight = { now: 0, max: 0 };
  const { app } = createServerApp({
    graph, runLog: await openRunLog(), window, rollingDays: 3, now: () => now, token: 'ui-token-of-the-tests',
    preview: async (request) => {
      inFlight.max = Math.max(inFlight.max, ++inFlight.now);
      try {
        return await previewRows(lake, request);
      } finally {
        inFlight.now--;
      }
    },
    ...deps,
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  servers.push(server);
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, inFlight };
}

/** A GET as a page elsewhere makes it (no fetch metadata: an older browser, or a tool), and how long it took. */
async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

// The load comes from another process, as a browser's would: a client sharing the server's event loop could not send
// its next request while the server plans, and would measure nothing but its own turn.
const CLIENT = `
const [urls, other, delay] = JSON.parse(process.argv[1]);
const timed = async (url) => { const t = performance.now(); const r = await fetch(url); await r.arrayBuffer(); return { status: r.status, ms: performance.now() - t }; };
(async () => {
  const flood = urls.map(timed);
  await new Promise((r) => setTimeout(r, delay));
  const page = await timed(other);
  const answers = await Promise.all(flood);
  process.stdout.write(JSON.stringify({ page, answers }));
})();
`;

/** Send `urls` all at once from another process, and `other` `delayMs` later; their statuses and times. */
async function flood(urls: string[], other: string, delayMs: number): Promise<{ page: { status: number; ms: number }; answers: { status: number; ms: number }[] }> {
  const child = spawn(process.execPath, ['-e', CLIENT, JSON.stringify([urls, other, delayMs])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out) as never;
}

const megabytes = (bytes: number) => Math.round(bytes / 1_048_576);

describe('the costly GETs under parallel load', () => {
  it('sixteen previews at once of a big table: two run at a time, the rest wait or get 429, and memory stays bounded', { timeout: 180_000 }, async () => {
    const { base, inFlight } = await listen({});
    expect((await timedGet(`${base}/api/assets/bronze/plays/preview?limit=5`)).status).toBe(200); // DuckDB loaded once
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    const { page: other, answers } = await flood(Array.from({ length: 16 }, (_, i) => `${base}/api/assets/bronze/plays/preview?limit=${25 + i}`), `${base}/api/seasons`, 300);
    clearInterval(sampler);
    const statuses = answers.map((a) => a.status);
    console.log(`16 parallel previews of 600,000 plays: RSS ${megabytes(rssBefore)} → peak ${megabytes(rssPeak)} MB; ` +
      `${statuses.filter((s) => s === 200).length} answered, ${statuses.filter((s) => s === 429).length} refused with 429; ` +
      `previews at once at most ${inFlight.max}; /api/seasons meanwhile ${other.ms.toFixed(0)} ms; slowest preview ${Math.max(...answers.map((a) => a.ms)).toFixed(0)} ms`);
    expect(other.status).toBe(200);
    expect(inFlight.max).toBeLessThanOrEqual(2);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(16 - 2 - 6);
    const refused = await fetch(`${base}/api/assets/bronze/plays/preview`).then(async (r) => ({ status: r.status, retry: r.headers.get('retry-after'), body: await r.text() }));
    expect(refused.status).toBe(200); // once the flood is over, a preview is served again
  });

  it('sixteen new selections at once, each a plan of 17 seasons: one plans at a time and another request waits for one plan at most', { timeout: 180_000 }, async () => {
    const { base } = await listen({});
    const page = await timedGet(`${base}/api/seasons`);
    expect(page.status).toBe(200);
    const single = await timedGet(`${base}/api/assets?selection=${encodeURIComponent('*,raw/day_0')}`);
    expect(single.status).toBe(200);
    const rssBefore = process.memoryUsage().rss;
    const urls = Array.from({ length: 16 }, (_, i) => `${base}/api/assets?selection=${encodeURIComponent(`*,raw/day_${i % 8},silver/fct_${i >> 1}`)}`);
    const { page: other, answers } = await flood(urls, `${base}/api/seasons`, Math.min(150, single.ms / 3));
    const statuses = answers.map((a) => a.status);
    const busy = await fetch(`${base}/api/assets?selection=${encodeURIComponent('*,gold/x')}`);
    console.log(`16 parallel new selections: one plan ${single.ms.toFixed(0)} ms; /api/seasons alone ${page.ms.toFixed(0)} ms, during the flood ${other.ms.toFixed(0)} ms; ` +
      `${statuses.filter((s) => s === 200).length} planned, ${statuses.filter((s) => s === 429).length} refused with 429; RSS ${megabytes(rssBefore)} → ${megabytes(process.memoryUsage().rss)} MB`);
    expect(other.status).toBe(200);
    // The page's own request waited for the plan under way at most, not for sixteen.
    expect(other.ms).toBeLessThan(2 * single.ms + 250);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses).toContain(429);
    expect(busy.status).toBe(400); // gold/x is no asset: refused before any plan, busy or not
    const refusal = answers.find((a) => a.status === 429);
    expect(refusal).toBeDefined();
  });

  it("plans a run's preview (GET /api/plan) through the same queue", async () => {
    let planning = 0;
    let most = 0;
    const { app } = createServerApp({
      graph: buildAssetGraph(assets()), runLog: await openRunLog(), window, rollingDays: 3, now: () => now, token: 'ui-token-of-the-tests',
      planRun: async () => {
        most = Math.max(most, ++planning);
        const until = performance.now() + 50;
        while (performance.now() < until); // a plan holds the event loop
        planning--;
        return { partitions: 1, assets: [], expectedCalls: 0, quota: null, warnings: [] };
      },
    });
    const answers = await Promise.all(Array.from({ length: 8 }, () => app.request('/api/plan?selection=raw/*')));
    expect(most).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it('answers 429 with Retry-After and says why', async () => {
    const { app } = createServerApp({ graph: buildAssetGraph(assets()), runLog: await openRunLog(), window, rollingDays: 3, now: () => now, plansWaiting: 0, token: 'ui-token-of-the-tests' });
    const [first, second] = await Promise.all(['*,raw/day_1', '*,raw/day_2'].map((s) => app.request(`/api/assets?selection=${encodeURIComponent(s)}`)));
    const refused = first!.status === 429 ? first! : second!;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(((await refused.json()) as { error: string }).error).toBe('The server is busy with other plans of the graph; try again in a few seconds.');
  });
});
