/**
 * The page's data routes (preview and rating chart) through `app.request()`, wired as `cbbd serve` wires them: the
 * shared `previewRows` and `ratingHistory` over a lakehouse of real Parquet files, read by the read-only DuckDB.
 * And the season the page's filter starts on, with never-built partitions shown as missing, not stale.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { runSelection, type Project } from '../../src/core/run-selection.ts';
import { previewRows, type PreviewLake } from '../../src/lake/query/preview.ts';
import { ratingHistory } from '../../assets/queries/rating-history.ts';
import { localTableQuery } from '../../src/lake/query/table-query.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { createServerApp, type ServerDeps } from '../../src/server/app.ts';
import { assets as goldAssets, marginOf, RATING_DATES, TEAMS, writeGoldLakehouse } from '../fixtures/gold-preview.ts';
import { assets as smallAssets } from '../fixtures/small-graph.ts';
import { openRunLog, tempDir } from '../helpers.ts';

const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };

async function goldApp(extra: Partial<ServerDeps> = {}) {
  const root = join(tempDir(), 'lakehouse');
  await writeGoldLakehouse(root);
  const graph = buildAssetGraph(goldAssets);
  const lake: PreviewLake = { graph, window, storage: localStorage(root), query: localTableQuery(root) };
  return createServerApp({
    graph, runLog: await openRunLog(), window, rollingDays: 3, token: 'ui-token-1234567',
    preview: (r) => previewRows(lake, r), ratingHistory: (r) => ratingHistory(lake, r), ...extra,
  }).app;
}

describe('the data preview route', () => {
  it("answers the same rows as cbbd show: the latest season, in the declared order, as data nothing may run", async () => {
    const res = await (await goldApp()).request('/api/assets/gold/team_power_rankings/preview?limit=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = (await res.json()) as { season: number; totalRows: number; columns: string[]; rows: Record<string, unknown>[]; orderBy: unknown[] };
    expect(body).toMatchObject({ season: 2024, totalRows: 30, orderBy: [{ column: 'composite_rank', descending: false }] });
    expect(body.rows.map((r) => r.composite_rank)).toEqual([1, 2, 3, 4, 5]);
    expect(body.rows[0]).toMatchObject({ teamId: '1000', team: 'Aldermoor', season: 2024 });
    const dated = (await (await (await goldApp()).request('/api/assets/gold/team_adjusted_efficiencies/preview?date=2024-01-15&limit=50')).json()) as { rows: { date: string }[] };
    expect(dated.rows).toHaveLength(TEAMS.length);
    expect(new Set(dated.rows.map((r) => r.date))).toEqual(new Set(['2024-01-15']));
  });

  it.each([
    ['/api/assets/gold/team_power_rankings/preview?season=1999', 400, /outside the configured range/],
    ['/api/assets/gold/team_power_rankings/preview?season=2024%27%3B%20drop', 400, /is not a season/],
    ['/api/assets/gold/team_adjusted_efficiencies/preview?date=2024-02-30', 400, /not a real date/],
    ['/api/assets/gold/team_adjusted_efficiencies/preview?date=2024-01-15%27--', 400, /not a real date/],
    ['/api/assets/gold/team_power_rankings/preview?limit=0', 400, /limit "0" is not a number of rows/],
    ['/api/assets/gold/team_power_rankings/preview?limit=1001', 400, /from 1 to 1000/],
    ['/api/assets/gold/team_power_rankings/preview?limit=5%20OR%201', 400, /is not a number of rows/],
    ['/api/assets/gold/team_power_rankings/preview?date=2024-01-15', 400, /partitioned by season only/],
    ['/api/assets/raw/games/preview', 400, /raw JSON as the API returned it/],
    ['/api/assets/gold/team_power_ranking/preview', 404, /Did you mean "gold\/team_power_rankings"/],
    ['/api/assets/gold/..%2F..%2Fetc/preview', 400, /is not an asset key/],
    ['/api/assets/gold/team_adjusted_efficiencies_no_garbage/preview', 404, /has no data yet: run `cbbd materialize gold\/team_adjusted_efficiencies_no_garbage --season 2024` first/],
    ['/api/assets/gold/team_power_rankings/rating-history', 400, /nothing to chart|to chart/],
    ['/api/assets/gold/team_adjusted_efficiencies/rating-history?teams=1000;drop', 400, /team ids separated by commas/],
    ['/api/assets/gold/team_adjusted_efficiencies/rating-history?season=2023', 404, /no rating dates for season 2023/],
  ])('%s answers %i with JSON', async (path, status, message) => {
    const res = await (await goldApp()).request(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('needs the token beyond loopback, like every API read', async () => {
    const app = await goldApp({ token: 'ui-token-1234567', readsNeedToken: true });
    expect((await app.request('/api/assets/gold/team_power_rankings/preview')).status).toBe(401);
    const ok = await app.request('/api/assets/gold/team_power_rankings/preview', { headers: { authorization: 'Bearer ui-token-1234567' } });
    expect(ok.status).toBe(200);
  });
});

describe('the rating chart route', () => {
  it("gives the ten best teams' adj_margin by rating date, every team to search, and any team asked for by id", async () => {
    const app = await goldApp();
    const body = (await (await app.request('/api/assets/gold/team_adjusted_efficiencies/rating-history')).json()) as {
      season: number; dates: string[]; teams: { team: string; place: number }[]; series: { teamId: string; team: string; values: number[] }[];
    };
    expect(body.season).toBe(2024);
    expect(body.dates).toEqual(RATING_DATES);
    expect(body.teams).toHaveLength(TEAMS.length);
    expect(body.series.map((s) => s.team)).toEqual(TEAMS.slice(0, 10));
    expect(body.series[0]!.values).toEqual(RATING_DATES.map((_, d) => marginOf(0, d)));
    const asked = (await (await app.request('/api/assets/gold/team_adjusted_efficiencies/rating-history?teams=1016,1000')).json()) as typeof body;
    expect(asked.series.map((s) => s.team)).toEqual(['Aldermoor', 'Quillfield']);
  });
});

describe("the page's season filter", () => {
  it('starts on the seasons built (the configured last one before any), and never-built partitions are missing, not stale', async () => {
    process.env.CBBD_TEST_OUT = join(tempDir(), 'out');
    mkdirSync(process.env.CBBD_TEST_OUT, { recursive: true });
    const graph = buildAssetGraph(smallAssets);
    const runLog = await openRunLog();
    const app = createServerApp({ graph, runLog, window, rollingDays: 3, token: 'ui-token-1234567' }).app;
    expect(await (await app.request('/api/seasons')).json()).toEqual({ first: 2023, last: 2024, built: [], default: 2024 });

    const project: Project = { graph, runLog, window, rollingDays: 3, materialize: { concurrency: 2, retries: 0 } };
    await runSelection(project, { selection: '*', filter: { seasonFrom: 2024, seasonTo: 2024 } });
    expect(await (await app.request('/api/seasons')).json()).toEqual({ first: 2023, last: 2024, built: [2024], default: 2024 });
    const states = async (query: string) => Object.fromEntries(((await (await app.request(`/api/assets${query}`)).json()) as { assets: { key: string; state: string; counts: Record<string, number> }[] }).assets.map((a) => [a.key, a]));
    const built = await states('?season=2024');
    expect(built['silver/fct_games']).toMatchObject({ state: 'fresh', counts: { fresh: 4, missing: 0, stale: 0 } });
    // All seasons: 2023 was never built. The node says so (○ missing), with the fresh ones counted apart.
    const all = await states('');
    expect(all['silver/fct_games']).toMatchObject({ state: 'missing', counts: { fresh: 4, stale: 0 } });
    expect(all['silver/fct_games']!.counts.missing).toBeGreaterThan(0);
    expect(Object.values(all).filter((a) => a.state === 'stale')).toEqual([]);
  });
});
