/**
 * What the page's backtest panel shows (`GET /api/backtest[?season=N]`): how well our ratings predicted the season's
 * games beside the other predictors (the rows of gold/ratings_backtest) and their error month by month
 * (gold/ratings_backtest_monthly). Read through `cbbd show`'s preview, which validates the season.
 */
import type { AssetGraph } from '../../src/core/graph.ts';

const SUMMARY = 'gold/ratings_backtest';
const MONTHLY = 'gold/ratings_backtest_monthly';

/** A preview's answer: rows of a season, or what to run first. */
type PreviewAnswer = { readonly kind: 'not_materialized'; readonly message: string } | { readonly kind: 'rows' | 'series' };
type Rows = PreviewAnswer & { readonly season?: number | null; readonly rows?: readonly Record<string, unknown>[] };

export interface BacktestReads {
  readonly graph: Pick<AssetGraph, 'has'>;
  /** The first rows of a table's season, as `cbbd show` prints them. */
  readonly preview: (request: { asset: string; season?: string; date?: string; limit?: string }) => Promise<PreviewAnswer>;
}

export type RatingsBacktest =
  | { readonly kind: 'rows'; readonly season: number | null; readonly predictors: readonly Record<string, unknown>[]; readonly monthly: readonly Record<string, unknown>[] }
  | { readonly kind: 'not_materialized'; readonly message: string };

/** The season's backtest (by default the latest stored one); undefined when the graph has no backtest tables. */
export async function ratingsBacktest(reads: BacktestReads, request: { season?: string | undefined }): Promise<RatingsBacktest | undefined> {
  if (!reads.graph.has(SUMMARY) || !reads.graph.has(MONTHLY)) return undefined;
  const season = request.season;
  const summary = await reads.preview({ asset: SUMMARY, season, limit: '100' }) as Rows;
  if (summary.kind === 'not_materialized') return { kind: 'not_materialized', message: summary.message };
  const monthlySeason = String(summary.season ?? season ?? '') || undefined;
  const monthly = await reads.preview({ asset: MONTHLY, season: monthlySeason, limit: '1000' }) as Rows;
  return {
    kind: 'rows',
    season: summary.season ?? null,
    predictors: summary.rows ?? [],
    monthly: monthly.kind === 'rows' ? (monthly.rows ?? []) : [],
  };
}
