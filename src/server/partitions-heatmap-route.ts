/**
 * `GET /api/assets/:layer/:name/heatmap?season=`: an asset's partitions as a season × game-day matrix for the page's
 * heatmap (one row per season, one column per game day; season-partitioned assets are one row of seasons). Each
 * cell carries its state, why it is stale, its last run and its rows. With `season` only that season's row: the
 * page's season filter applies. Read-only.
 */
import { Hono } from 'hono';
import type { AssetGraph } from '../core/graph.ts';
import { dateOfKey, parseSeason, seasonOfKey, type SeasonWindow } from '../core/partitions.ts';
import { describeReason } from '../core/plan.ts';
import type { RunLogReader } from '../store/run-log.ts';
import { partitionState, type StatusCache } from './asset-status.ts';

export interface HeatmapRouteDeps {
  readonly graph: AssetGraph;
  readonly runLog: RunLogReader;
  readonly status: StatusCache;
  readonly window: SeasonWindow;
}

const KEY_PART = /^[a-z0-9_]+$/;

export function partitionsHeatmapRoutes(deps: HeatmapRouteDeps): Hono {
  const app = new Hono();
  app.get('/api/assets/:layer/:name/heatmap', async (c) => {
    const key = `${c.req.param('layer')}/${c.req.param('name')}`;
    if (!KEY_PART.test(c.req.param('layer')) || !KEY_PART.test(c.req.param('name')) || !deps.graph.has(key)) return c.json({ error: `No asset ${key}.` }, 404);
    const wanted = c.req.query('season') ? parseSeason(c.req.query('season')!, deps.window) : undefined;
    const def = deps.graph.get(key);
    const snapshot = deps.status.snapshot('*', undefined);
    const keys = [...new Set([...(snapshot.records.get(key)?.keys() ?? []), ...(snapshot.reasons.get(key)?.keys() ?? [])])]
      .filter((k) => wanted === undefined || seasonOfKey(k) === wanted || seasonOfKey(k) === undefined)
      .sort();
    // The newest materialization of each partition: its run and rows, for the hover.
    const last = new Map<string, { runId: string; rows: number | null; at: number; status: string }>();
    for (const m of await deps.runLog.recentMaterializationsOf(key, 5_000)) {
      if (!last.has(m.partition)) last.set(m.partition, { runId: m.runId, rows: m.rowCount, at: m.endedAt ?? m.startedAt, status: m.status });
    }
    const cells = keys.map((k) => {
      const s = partitionState(snapshot, key, k);
      const l = last.get(k);
      return {
        key: k, season: seasonOfKey(k) ?? null, date: dateOfKey(k) ?? null, state: s.state,
        reason: s.reason ? describeReason(s.reason) : null, reasonKind: s.reason?.kind ?? null,
        lastRun: l?.runId ?? null, lastAt: l?.at ?? null, rows: l?.rows ?? null,
      };
    });
    const kind = def.partitions.kind;
    const seasons = [...new Set(cells.map((x) => x.season).filter((s): s is number => s !== null))].sort((a, b) => a - b);
    // Columns: game days as month-day (seasons span two years; a row per season lines its days up by date).
    const days = kind === 'season_date' ? [...new Set(cells.map((x) => x.date?.slice(5)).filter((d): d is string => d !== undefined))].sort(seasonDayOrder) : [];
    return c.json({ key, partitioning: kind, seasons, days, season: wanted ?? null, cells });
  });
  return app;
}

/** November first: a season runs from November to April, so 11-xx and 12-xx come before 01-xx. */
function seasonDayOrder(a: string, b: string): number {
  const shift = (d: string) => (Number(d.slice(0, 2)) >= 7 ? '0' : '1') + d;
  return shift(a).localeCompare(shift(b));
}
