/**
 * The data behind an asset: `GET /api/assets/:layer/:name/preview` (its table's first rows, as `cbbd show` prints
 * them) and `GET /api/assets/:layer/:name/rating-history` (the adjusted-margin history the chart draws). Both reads
 * are injected (the server imports no lake code) and each goes through the app's bounded queue of data reads
 * (`readQueued`), since each opens a DuckDB. Read-only; the security guard in front of them is the app's.
 */
import { Hono, type Context } from 'hono';
import type { AssetGraph } from '../core/graph.ts';
import { assetKeyParam } from './asset-params.ts';

/** Rows (or a chart's series), or why there are none yet: the partitions asked for were never materialized. */
export type DataAnswer = { readonly kind: 'not_materialized'; readonly message: string } | { readonly kind: 'rows' | 'series' };

export interface DataReadsRouteDeps {
  readonly graph: AssetGraph;
  /** Runs a read in its turn (refused with `ServerBusyError` when too many wait). */
  readonly readQueued: (read: () => Promise<DataAnswer>) => Promise<DataAnswer>;
  /** Both validate what they are given (season, date, limit, team ids) and throw a usage error otherwise. */
  readonly preview?: (request: { asset: string; season?: string; date?: string; limit?: string }) => Promise<DataAnswer>;
  readonly ratingHistory?: (request: { asset: string; season?: string; teams?: string }) => Promise<DataAnswer>;
}

export function dataReadsRoutes(deps: DataReadsRouteDeps): Hono {
  const app = new Hono();
  // The asset key is checked against the graph first (404 for an unknown one), then the injected function validates
  // the rest (400). Partitions never materialized are a 404 that says what to run.
  const readData = async (c: Context, read: ((key: string) => Promise<DataAnswer>) | undefined) => {
    const { key, error } = assetKeyParam(c, deps.graph);
    if (error) return error;
    if (!read) return c.json({ error: 'This server reads no lakehouse data.' }, 404);
    const answer = await deps.readQueued(() => read(key));
    return answer.kind === 'not_materialized' ? c.json({ error: answer.message, notMaterialized: true }, 404) : c.json(answer);
  };
  const text = (c: Context, name: string) => c.req.query(name) || undefined;
  app.get('/api/assets/:layer/:name/preview', (c) => readData(c, deps.preview && ((asset) => deps.preview!({
    asset, season: text(c, 'season'), date: text(c, 'date'), limit: text(c, 'limit'),
  }))));
  app.get('/api/assets/:layer/:name/rating-history', (c) => readData(c, deps.ratingHistory && ((asset) => deps.ratingHistory!({
    asset, season: text(c, 'season'), teams: text(c, 'teams'),
  }))));
  return app;
}
