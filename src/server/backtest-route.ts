/**
 * `GET /api/backtest[?season=N]`: the page's backtest panel's rows, and the panel's own script,
 * `GET /ui/backtest-panel.js`. Which tables the rows come from and how they are shaped is the project's (its
 * `extensions.queries.backtest`, in this project gold/ratings_backtest and its monthly errors): the read is injected,
 * so the server imports no lake code and knows no asset. The read validates the season. Read-only; the security guard
 * in front of it is the app's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { packageRoot } from '../core/package-root.ts';
import { PAGE_CSP } from './security.ts';

const PANEL = new URL('ui/backtest-panel.js', packageRoot(import.meta.url));

/** The panel's answer: its fields (the season, the rows it draws), or what to run first. */
export type BacktestAnswer = { readonly kind: 'not_materialized'; readonly message: string } | { readonly kind: 'rows'; readonly [field: string]: unknown };

export interface BacktestRouteDeps {
  /** The season's rows (by default the latest one); the app passes it through its queue of data reads. Undefined: no backtest to read. */
  readonly backtest?: (request: { season?: string | undefined }) => Promise<BacktestAnswer | undefined>;
}

export function backtestRoutes(deps: BacktestRouteDeps): Hono {
  const app = new Hono();
  const script = readFileSync(fileURLToPath(PANEL), 'utf8');
  app.get('/ui/backtest-panel.js', (c) => c.body(script, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Security-Policy': PAGE_CSP }));
  app.get('/api/backtest', async (c) => {
    const answer = deps.backtest && await deps.backtest({ season: c.req.query('season') || undefined });
    if (!answer) return c.json({ error: 'This server has no ratings backtest to read.' }, 404);
    if (answer.kind === 'not_materialized') return c.json({ error: answer.message, notMaterialized: true }, 404);
    const { kind: _kind, ...body } = answer;
    return c.json(body);
  });
  return app;
}
