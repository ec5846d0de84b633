/**
 * `GET /api/backtest[?season=N]`: how well our ratings predicted the season's games beside the other predictors (the
 * rows of gold/ratings_backtest) and their error month by month (gold/ratings_backtest_monthly), for the page's
 * backtest panel; and the panel's own script, `GET /ui/backtest-panel.js`. The rows come from the injected preview
 * (what `cbbd show` prints; the server imports no lake code), so the season is validated there. Read-only; the
 * security guard in front of it is the app's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { packageRoot } from '../core/package-root.ts';
import type { AssetGraph } from '../core/graph.ts';
import type { DataAnswer, DataReadsRouteDeps } from './data-reads-route.ts';
import { PAGE_CSP } from './security.ts';

const SUMMARY = 'gold/ratings_backtest';
const MONTHLY = 'gold/ratings_backtest_monthly';
const PANEL = new URL('ui/backtest-panel.js', packageRoot(import.meta.url));

type Rows = DataAnswer & { readonly season?: number | null; readonly rows?: readonly Record<string, unknown>[] };

export interface BacktestRouteDeps {
  readonly graph: Pick<AssetGraph, 'has'>;
  /** The rows (`cbbd show`'s preview), called directly: not through the app's queue of data reads. */
  readonly preview?: DataReadsRouteDeps['preview'];
}

export function backtestRoutes(deps: BacktestRouteDeps): Hono {
  const app = new Hono();
  const script = readFileSync(fileURLToPath(PANEL), 'utf8');
  app.get('/ui/backtest-panel.js', (c) => c.body(script, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Security-Policy': PAGE_CSP }));
  app.get('/api/backtest', async (c) => {
    if (!deps.preview || !deps.graph.has(SUMMARY) || !deps.graph.has(MONTHLY)) return c.json({ error: 'This server has no ratings backtest to read.' }, 404);
    const season = c.req.query('season') || undefined;
    const summary = await deps.preview({ asset: SUMMARY, season, limit: '100' }) as Rows;
    if (summary.kind === 'not_materialized') return c.json({ error: summary.message, notMaterialized: true }, 404);
    const monthly = await deps.preview({ asset: MONTHLY, season: String(summary.season ?? season ?? '') || undefined, limit: '1000' }) as Rows;
    return c.json({
      season: summary.season ?? null,
      predictors: summary.rows ?? [],
      monthly: monthly.kind === 'rows' ? (monthly.rows ?? []) : [],
    });
  });
  return app;
}
