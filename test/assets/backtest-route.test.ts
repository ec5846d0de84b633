/**
 * The page's ratings backtest: `GET /api/backtest` answers the season's gold/ratings_backtest rows and its monthly
 * errors, read by the project's `extensions.queries.backtest` through the injected preview (what `cbbd show` reads), says what to run when nothing is built, and serves
 * the panel's script under the page's CSP.
 */
import { describe, expect, it } from 'vitest';
import { defineAsset, type AssetDefinition } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { createServerApp, type DataAnswer } from '../../src/server/app.ts';
import { openRunLog } from '../helpers.ts';
import { extensions } from '../../assets/index.ts';

const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };
const table = (key: string, primaryKey: string[]): AssetDefinition => defineAsset({
  key, partitions: { kind: 'season' }, codeVersion: '1',
  schema: { columns: [{ name: 'predictor', type: 'string' }, { name: 'month', type: 'string' }, { name: 'season', type: 'int' }], primaryKey },
}, async () => []);
const assets = [table('gold/ratings_backtest', ['predictor', 'season']), table('gold/ratings_backtest_monthly', ['predictor', 'month', 'season'])];

const rows = {
  'gold/ratings_backtest': [
    { predictor: 'ours', games: 300, mae: 8.4, rmse: 10.4, bias: 0.2, winner_accuracy: 0.7, mae_vs_line: 3.5, ats_games: 150, ats_wins: 90, ats_losses: 60, ats_pushes: 1, ats_win_pct: 0.6, roi_110: 0.145 },
    { predictor: 'line', games: 300, mae: 8.5, rmse: 10.6, bias: 0.1, winner_accuracy: 0.69, mae_vs_line: null, ats_games: null, ats_wins: null, ats_losses: null, ats_pushes: null, ats_win_pct: null, roi_110: null },
  ],
  'gold/ratings_backtest_monthly': [{ predictor: 'ours', month: '2024-01', games: 80, mae: 8, rmse: 10, bias: 0, mae_vs_line: 3 }],
};

/** The app as `cbbd serve` wires it: the project's backtest read (assets/queries/backtest.ts) through the preview. */
async function app(preview?: (request: { asset: string; season?: string; limit?: string }) => Promise<DataAnswer>, graphAssets = assets) {
  const graph = buildAssetGraph(graphAssets);
  return createServerApp({
    graph, runLog: await openRunLog(), window, rollingDays: 3, token: 'ui-token-of-the-tests',
    ...(preview && { preview, backtest: (request) => extensions.queries.backtest({ graph, preview }, request) }),
  }).app;
}

describe('the ratings backtest route', () => {
  it('answers the season\'s predictors and their monthly errors, as the preview reads them', async () => {
    const asked: { asset: string; season?: string }[] = [];
    const server = await app(async (r) => {
      asked.push({ asset: r.asset, ...(r.season && { season: r.season }) });
      return { kind: 'rows', season: 2024, rows: rows[r.asset as keyof typeof rows] } as DataAnswer;
    });
    const res = await server.request('/api/backtest?season=2024');
    expect(res.status).toBe(200);
    const body = await res.json() as { season: number; predictors: { predictor: string }[]; monthly: unknown[] };
    expect(body.season).toBe(2024);
    expect(body.predictors.map((p) => p.predictor)).toEqual(['ours', 'line']);
    expect(body.monthly).toHaveLength(1);
    expect(asked).toEqual([{ asset: 'gold/ratings_backtest', season: '2024' }, { asset: 'gold/ratings_backtest_monthly', season: '2024' }]);
  });

  it('says what to run when the backtest was never built, and 404s without one', async () => {
    const server = await app(async () => ({ kind: 'not_materialized', message: 'gold/ratings_backtest has no data yet: run `cbbd materialize gold/ratings_backtest`' }));
    const res = await server.request('/api/backtest');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ notMaterialized: true, error: expect.stringMatching(/cbbd materialize/) });
    expect((await (await app()).request('/api/backtest')).status).toBe(404);
    expect((await (await app(async () => ({ kind: 'rows' }) as DataAnswer, [])).request('/api/backtest')).status).toBe(404);
  });

  it('serves the panel\'s script under the page\'s content security policy', async () => {
    const res = await (await app()).request('/ui/backtest-panel.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await res.text()).toMatch(/\/api\/backtest/);
  });
});
