/**
 * The lineage's reads: `GET /api/assets` (every asset of a selection with its state and counts, for the graph),
 * `GET /api/assets/:layer/:name` (one asset: its definition, why it is stale, its recent materializations and checks,
 * the work waiting for it), `GET /api/assets/:layer/:name/partitions` (its partitions, a season's game days to a
 * page) and `GET /api/seasons`. Read-only. A snapshot not in the status cache is planned through the app's bounded
 * queue of plans (`snapshotOf`); the security guard in front of these routes is the app's.
 */
import { Hono } from 'hono';
import { waitingWork } from '../core/budget/waiting-work.ts';
import type { AssetGraph } from '../core/graph.ts';
import { dateOfKey, seasonOfKey, type SeasonWindow } from '../core/partitions.ts';
import { describeReason } from '../core/plan.ts';
import { selectAssets } from '../core/selection.ts';
import type { RunLogReader } from '../store/run-log.ts';
import { assetKeyParam, seasonParam } from './asset-params.ts';
import { partitionState, type StatusSnapshot } from './asset-status.ts';

export interface AssetsRouteDeps {
  readonly graph: AssetGraph;
  readonly runLog: RunLogReader;
  readonly window: SeasonWindow;
  /** The status of a selection in a season: the cache's, or a plan made in its turn. */
  readonly snapshotOf: (selection: string, season: number | undefined) => Promise<StatusSnapshot>;
  /** The seasons the lakehouse holds. */
  readonly builtSeasons: () => readonly number[];
  readonly sourceDescription?: string;
}

export function assetsRoutes(deps: AssetsRouteDeps): Hono {
  const app = new Hono();
  const { graph, window } = deps;

  app.get('/api/assets', async (c) => {
    const selection = c.req.query('selection') || '*';
    const season = seasonParam(c, window);
    selectAssets(graph, selection); // validates the selection (400 on a bad one) before any plan is made
    const snapshot = await deps.snapshotOf(selection, season);
    return c.json({
      source: deps.sourceDescription ?? null,
      selection,
      season: season ?? null,
      seasons: { first: window.firstSeason, last: window.lastSeason },
      computedAt: new Date(snapshot.computedAt).toISOString(),
      assets: snapshot.assets.map((a) => {
        const def = graph.get(a.key);
        return {
          ...a,
          layer: a.key.split('/')[0],
          partitioning: def.partitions.kind,
          deps: graph.upstream(a.key).map((e) => e.key),
          description: def.description ?? null,
        };
      }),
    });
  });

  app.get('/api/assets/:layer/:name', async (c) => {
    const { key, error } = assetKeyParam(c, graph);
    if (error) return error;
    const def = graph.get(key);
    const season = seasonParam(c, window);
    const snapshot = await deps.snapshotOf('*', season);
    const reasons = [...(snapshot.reasons.get(key) ?? [])].slice(0, 50).map(([partition, reason]) => ({ partition, reason, text: describeReason(reason) }));
    const materializations = (await deps.runLog.recentMaterializationsOf(key, 20)).map((m) => ({
      runId: m.runId, partition: m.partition, status: m.status, attempt: m.attempt, rows: m.rowCount, bytes: m.bytes,
      startedAt: m.startedAt, durationMs: m.endedAt === null ? null : m.endedAt - m.startedAt,
      apiCalls: m.apiCalls, quarantined: m.quarantine?.records ?? null, error: m.error,
    }));
    const checks = (await deps.runLog.checkResultsOf(key, 50)).map((r) => ({
      name: r.name, partition: r.partition, passed: r.passed, blocking: r.blocking, detail: r.detail, at: r.at, runId: r.runId,
    }));
    return c.json({
      key, description: def.description ?? null, codeVersion: def.codeVersion, partitioning: def.partitions,
      deps: graph.upstream(key), downstream: graph.downstream(key),
      schema: def.schema ?? null,
      declaredChecks: (def.checks ?? []).map((ch) => ({ name: ch.name, blocking: ch.blocking ?? true, description: ch.description ?? null })),
      view: snapshot.assets.find((a) => a.key === key) ?? null,
      staleReasons: reasons, materializations, checks,
      waiting: await waitingWork(def, deps.runLog),
    });
  });

  app.get('/api/assets/:layer/:name/partitions', async (c) => {
    const { key, error } = assetKeyParam(c, graph);
    if (error) return error;
    const def = graph.get(key);
    const requested = seasonParam(c, window);
    const snapshot = await deps.snapshotOf('*', undefined);
    const universe = snapshot.plan.assets.find((a) => a.asset === key);
    const keys = [...(snapshot.records.get(key)?.keys() ?? []), ...(snapshot.reasons.get(key)?.keys() ?? [])];
    const seasons = [...new Set(keys.map(seasonOfKey).filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
    // A season's game days make one page, so 17 seasons stay fast; season-partitioned assets fit on one page.
    const season = def.partitions.kind === 'season_date' ? (requested ?? seasons.at(-1)) : undefined;
    const pageKeys = [...new Set(keys)]
      .filter((k) => season === undefined || seasonOfKey(k) === season)
      .sort();
    return c.json({
      key, partitioning: def.partitions.kind, seasons, season: season ?? null, total: universe?.partitions ?? 0,
      partitions: pageKeys.map((k) => {
        const s = partitionState(snapshot, key, k);
        return { key: k, season: seasonOfKey(k) ?? null, date: dateOfKey(k) ?? null, state: s.state, reason: s.reason ? describeReason(s.reason) : null };
      }),
    });
  });

  app.get('/api/seasons', (c) => {
    const built = deps.builtSeasons();
    // The newest season built, or the configured current one on an empty lakehouse.
    return c.json({ first: window.firstSeason, last: window.lastSeason, built, default: built.at(-1) ?? window.lastSeason });
  });

  return app;
}
