/**
 * The web app: the lineage page and the JSON API behind it. Built by a factory from the asset graph, a read-only
 * run-log reader and the settings, so tests drive it with `app.request()`; only `cbbd serve` binds a port.
 * Runs are started through an injected `startRun`, the one thing here that changes state (see `security.ts`); its
 * request must be exactly right (JSON, a schema, a size bound) or nothing starts.
 */
import { waitingWork } from '../core/waiting-work.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import * as z from 'zod';
import { CbbdError } from '../core/errors.ts';
import { unknownAssetMessage, type AssetGraph } from '../core/graph.ts';
import { dateOfKey, parseSeason, seasonOfKey, type SeasonWindow } from '../core/partitions.ts';
import { describeReason } from '../core/plan.ts';
import type { RunLogReader } from '../store/run-log.ts';
import { MAX_SELECTION_LENGTH, selectAssets } from '../core/selection.ts';
import { packageRoot } from '../core/package-root.ts';
import { partitionState, StatusCache } from './asset-status.ts';
import { quotaRoute, type QuotaRouteDeps } from './quota-route.ts';
import { schedulesRoute, type SchedulesRouteDeps } from './schedules-route.ts';
import { backtestRoute } from './backtest-route.ts';
import { confirmationReasons, runsRoute, type RunsRouteDeps } from './runs-route.ts';
import { partitionsHeatmapRoute } from './partitions-heatmap-route.ts';
import { scheduleActionsRoute, type ScheduleActionsDeps } from './schedule-actions-route.ts';
import { uiFilesRoute } from './ui-files-route.ts';
import { consistentCounts } from './asset-counts.ts';
import { guardRequests, LOOPBACK_HOSTS, PAGE_CSP, securityHeaders } from './security.ts';
import { ServerBusyError, WorkQueue } from './work-queue.ts';

export interface StartRunRequest {
  readonly selection: string;
  readonly season?: number;
  /** With `season`, the last season of a range (the page's range materialize, "re-run failed"). */
  readonly seasonTo?: number;
  readonly dateFrom?: string;
  readonly dateTo?: string;
}

export interface ServerDeps {
  readonly graph: AssetGraph;
  readonly runLog: RunLogReader;
  readonly window: SeasonWindow;
  readonly rollingDays: number;
  /** The checkpoints' settled partitions, as last read; none when absent. */
  readonly settled?: () => ReadonlyMap<string, ReadonlySet<string>>;
  /** Marks runs whose process is gone as failed before each plan (the server's run log is a writer's). */
  readonly recoverOrphans?: () => unknown;
  /** Starts a run in this process and resolves with its id once it holds its partitions (rejects if refused). */
  readonly startRun?: (request: StartRunRequest) => Promise<{ runId: string } | { nothingToDo: true }>;
  /** The UI token every state-changing request must carry (and every API read, with readsNeedToken). */
  readonly token: string;
  /** Host names requests may be addressed to (default: the loopback names). */
  readonly allowedHosts?: readonly string[];
  /** Whether API reads need the token too (the server is bound beyond loopback). */
  readonly readsNeedToken?: boolean;
  /** Live-progress streams open at once; one more is refused with 429 (default 32). */
  readonly maxEventStreams?: number;
  /** Data reads (preview, chart) under way at once and waiting; one more is refused with 429 (default 2 and 6). */
  readonly dataReads?: { readonly running: number; readonly waiting: number };
  /** Plans of a new selection or season waiting their turn (one runs at a time); one more is 429 (default 4). */
  readonly plansWaiting?: number;
  readonly sourceDescription?: string;
  readonly now?: () => Date;
  /**
   * The first rows of an asset's table, as `cbbd show` prints them (`lake/query/preview.ts`), and the adjusted-margin
   * history the chart draws (`lake/query/rating-history.ts`): injected, so the server imports no lake code. Both
   * validate what they are given (season, date, limit, team ids) and throw a usage error otherwise.
   */
  readonly preview?: (request: { asset: string; season?: string; date?: string; limit?: string }) => Promise<DataAnswer>;
  readonly ratingHistory?: (request: { asset: string; season?: string; teams?: string }) => Promise<DataAnswer>;
  /** The month's API budget for `GET /api/quota` (`quota-route.ts`); without it the route is not served. */
  readonly quota?: QuotaRouteDeps['quota'];
  /** The schedules and their ticks for `GET /api/schedules` (`schedules-route.ts`); without it the route is not served. */
  readonly schedules?: SchedulesRouteDeps['schedules'];
  /** A run's plan before it starts (`runs-route.ts`): partitions by asset, API calls, the quota after. */
  readonly planRun?: RunsRouteDeps['planRun'];
  /** Record a cancel request that the run's process acts on (`core/run-log/run-controls.ts`). */
  readonly cancelRun?: RunsRouteDeps['cancelRun'];
  /** A run planning more partitions than this needs an explicit confirmation (default 200). */
  readonly confirmAbovePartitions?: number;
  /** Turn a schedule on or off, persisted in the run log (`schedule-actions-route.ts`). */
  readonly switchSchedule?: ScheduleActionsDeps['switchSchedule'];
  /** Tick a schedule now, if this server runs the schedules (`schedule-actions-route.ts`). */
  readonly runSchedule?: ScheduleActionsDeps['runNow'];
}

/** Rows (or a chart's series), or why there are none yet: the partitions asked for were never materialized. */
export type DataAnswer = { readonly kind: 'not_materialized'; readonly message: string } | { readonly kind: 'rows' | 'series' };

// From the package root, not this file: compiled, this module sits one folder deeper (dist/src/server/).
const UI = new URL('ui/', packageRoot(import.meta.url));
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/ui/rating-chart.js': { file: 'rating-chart.js', type: 'text/javascript; charset=utf-8' },
  '/ui/quota-panel.js': { file: 'quota-panel.js', type: 'text/javascript; charset=utf-8' },
  '/ui/schedules-panel.js': { file: 'schedules-panel.js', type: 'text/javascript; charset=utf-8' },
};
const KEY_PART = /^[a-z0-9_]+$/;

/** A run request: the selection and the season, or "all" said explicitly (the page's "all" option). */
const materializeRequest = z.object({
  selection: z.string().trim().min(1, 'selection is empty: send an asset key or glob, e.g. "silver/*"').max(MAX_SELECTION_LENGTH),
  season: z.union([z.number().int(), z.literal('all')], { error: 'season must be a season (an integer such as 2024) or "all"' }),
  /** Over the thresholds, the plan's numbers, as `POST /api/runs` wants them (`runs-route.ts`). */
  confirm: z.object({ partitions: z.number().int(), expectedCalls: z.number() }).strict().optional(),
}).strict();

export function createServerApp(deps: ServerDeps): { app: Hono; status: StatusCache } {
  const status = new StatusCache(deps.graph, deps.runLog, {
    window: deps.window, rollingDays: deps.rollingDays, ...(deps.now && { now: deps.now }),
    ...(deps.settled && { settled: deps.settled }), ...(deps.recoverOrphans && { recoverOrphans: deps.recoverOrphans }),
  });
  const files = Object.fromEntries(Object.entries(STATIC).map(([path, s]) => [path, { body: readFileSync(fileURLToPath(new URL(s.file, UI)), 'utf8'), type: s.type }]));
  const app = new Hono();
  // What a GET may cost, bounded whoever sends it (`work-queue.ts`): a snapshot not in the cache is planned on the
  // event loop, one at a time; a data read opens a DuckDB.
  const plans = new WorkQueue({ what: 'plans of the graph', running: 1, waiting: deps.plansWaiting ?? 4, rest: 1 });
  const dataReads = new WorkQueue({ what: 'data previews', ...(deps.dataReads ?? { running: 2, waiting: 6 }) });
  const snapshotOf = async (selection: string, season: number | undefined) =>
    status.cached(selection, season) ?? plans.run(() => status.snapshot(selection, season));

  app.onError((error, c) => {
    if (error instanceof ServerBusyError) return c.json({ error: error.message }, 429, { 'Retry-After': String(error.retryAfterSeconds) });
    if (error instanceof CbbdError && (error.phase === 'plan' || error.phase === 'usage')) return c.json({ error: error.message }, 400);
    if (error instanceof CbbdError && error.phase === 'execution') return c.json({ error: error.message }, 409);
    return c.json({ error: 'Internal error; see the server log.' }, 500);
  });
  app.use('*', securityHeaders);
  app.use('*', guardRequests({
    allowedHosts: deps.allowedHosts ?? LOOPBACK_HOSTS, readsNeedToken: deps.readsNeedToken ?? false, token: deps.token,
  }));

  for (const [path, file] of Object.entries(files)) {
    app.get(path, (c) => c.body(file.body, 200, { 'Content-Type': file.type, 'Content-Security-Policy': PAGE_CSP }));
  }
  // The page's other modules and the graph layout library (dagre), from this server only.
  app.route('/', uiFilesRoute());
  // Runs (list, run page, plan, start with confirmation, cancel, re-run failed), the heatmap, schedule switches.
  const startRun = deps.startRun;
  app.route('/', runsRoute({
    runLog: deps.runLog,
    // A run's plan is a plan of the graph like a new selection's: through the same bounded queue.
    ...(deps.planRun && { planRun: (request) => plans.run(() => deps.planRun!(request)) }),
    ...(deps.cancelRun && { cancelRun: deps.cancelRun }),
    ...(deps.confirmAbovePartitions !== undefined && { confirmAbovePartitions: deps.confirmAbovePartitions }),
    ...(startRun && {
      startRun: (r) => startRun({
        selection: r.selection, ...(r.seasonFrom !== undefined && { season: r.seasonFrom }), ...(r.seasonTo !== undefined && { seasonTo: r.seasonTo }),
        ...(r.dateFrom !== undefined && { dateFrom: r.dateFrom }), ...(r.dateTo !== undefined && { dateTo: r.dateTo }),
      }),
    }),
  }));
  app.route('/', partitionsHeatmapRoute({ graph: deps.graph, runLog: deps.runLog, status, window: deps.window }));
  if (deps.switchSchedule) app.route('/', scheduleActionsRoute({ switchSchedule: deps.switchSchedule, ...(deps.runSchedule && { runNow: deps.runSchedule }) }));

  const seasonParam = (c: Context) => {
    const value = c.req.query('season');
    return value === undefined || value === '' ? undefined : parseSeason(value, deps.window);
  };
  const assetKey = (c: Context) => {
    const layer = c.req.param('layer') ?? '';
    const name = c.req.param('name') ?? '';
    if (!KEY_PART.test(layer) || !KEY_PART.test(name)) return { error: c.json({ error: `"${layer}/${name}" is not an asset key (layer/name, lower-case letters, digits and _).` }, 400) };
    const key = `${layer}/${name}`;
    if (!deps.graph.has(key)) return { error: c.json({ error: unknownAssetMessage(key, deps.graph.order) }, 404) };
    return { key };
  };

  app.get('/api/assets', async (c) => {
    const selection = c.req.query('selection') || '*';
    const season = seasonParam(c);
    selectAssets(deps.graph, selection); // validates the selection (400 on a bad one) before any plan is made
    const snapshot = await snapshotOf(selection, season);
    return c.json({
      source: deps.sourceDescription ?? null,
      selection,
      season: season ?? null,
      seasons: { first: deps.window.firstSeason, last: deps.window.lastSeason },
      computedAt: new Date(snapshot.computedAt).toISOString(),
      assets: snapshot.assets.map((a) => {
        const def = deps.graph.get(a.key);
        return {
          ...a,
          ...consistentCounts(a, snapshot, season),
          layer: a.key.split('/')[0],
          partitioning: def.partitions.kind,
          deps: deps.graph.upstream(a.key).map((e) => e.key),
          description: def.description ?? null,
        };
      }),
    });
  });

  app.get('/api/assets/:layer/:name', async (c) => {
    const { key, error } = assetKey(c);
    if (error) return error;
    const def = deps.graph.get(key);
    const season = seasonParam(c);
    const snapshot = await snapshotOf('*', season);
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
      deps: deps.graph.upstream(key), downstream: deps.graph.downstream(key),
      schema: def.schema ?? null,
      declaredChecks: (def.checks ?? []).map((ch) => ({ name: ch.name, blocking: ch.blocking ?? true, description: ch.description ?? null })),
      view: snapshot.assets.find((a) => a.key === key) ?? null,
      staleReasons: reasons, materializations, checks,
      waiting: await waitingWork(def, deps.runLog),
    });
  });

  app.get('/api/assets/:layer/:name/partitions', async (c) => {
    const { key, error } = assetKey(c);
    if (error) return error;
    const def = deps.graph.get(key);
    const requested = seasonParam(c);
    const snapshot = await snapshotOf('*', undefined);
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

  // Data reads: the asset key is checked against the graph first (404 for an unknown one), then the injected
  // function validates the rest (400). Partitions never materialized are a 404 that says what to run.
  const readData = async (c: Context, read: ((key: string) => Promise<DataAnswer>) | undefined) => {
    const { key, error } = assetKey(c);
    if (error) return error;
    if (!read) return c.json({ error: 'This server reads no lakehouse data.' }, 404);
    const answer = await dataReads.run(() => read(key));
    return answer.kind === 'not_materialized' ? c.json({ error: answer.message, notMaterialized: true }, 404) : c.json(answer);
  };
  const text = (c: Context, name: string) => c.req.query(name) || undefined;
  app.get('/api/assets/:layer/:name/preview', (c) => readData(c, deps.preview && ((asset) => deps.preview!({
    asset, season: text(c, 'season'), date: text(c, 'date'), limit: text(c, 'limit'),
  }))));
  app.get('/api/assets/:layer/:name/rating-history', (c) => readData(c, deps.ratingHistory && ((asset) => deps.ratingHistory!({
    asset, season: text(c, 'season'), teams: text(c, 'teams'),
  }))));

  if (deps.quota) quotaRoute(app, { runLog: deps.runLog, quota: deps.quota, ...(deps.now && { now: deps.now }) });
  if (deps.schedules) schedulesRoute(app, { schedules: deps.schedules });
  backtestRoute(app, deps);

  app.get('/api/seasons', (c) => {
    const built = status.builtSeasons();
    // The newest season built, or the configured current one on an empty lakehouse.
    return c.json({ first: deps.window.firstSeason, last: deps.window.lastSeason, built, default: built.at(-1) ?? deps.window.lastSeason });
  });

  // GET /api/runs and /api/runs/:id: runs-route.ts.

  // Live progress: every new run-log event, as server-sent events, from `?after=` (or from now). Each stream polls
  // the run log, so their number is bounded: a client opening a thousand would otherwise saturate a core.
  const maxEventStreams = deps.maxEventStreams ?? 32;
  let eventStreams = 0;
  app.get('/api/events', (c) => {
    // Hono answers HEAD with this handler and drops the body unread: a stream opened for it would never be closed.
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream' });
    if (eventStreams >= maxEventStreams) {
      return c.json({ error: `Too many live-progress streams open (${maxEventStreams}); close a page or try again later.` }, 429, { 'Retry-After': '5' });
    }
    eventStreams++;
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      try {
        const after = Number(c.req.query('after') ?? NaN);
        let last = Number.isSafeInteger(after) ? after : deps.runLog.lastEventId();
        for (await stream.sleep(0); open; await stream.sleep(250)) {
          for (const e of await deps.runLog.eventsAfter(last)) {
            last = e.id;
            await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify({ runId: e.runId, at: e.at, ...e.payload }) });
          }
        }
      } catch {
        // The client went away mid-write, or the run log closed under a server shutting down: the stream just ends.
      } finally {
        eventStreams--;
      }
    });
  });

  app.post('/api/materialize', bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.json({ error: 'The request body is larger than 4 KB; a run request is {"selection": "...", "season": 2024}.' }, 413) }), async (c) => {
    if (!deps.startRun) return c.json({ error: 'This server cannot start runs.' }, 405);
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: 'A run request must be sent as Content-Type: application/json.' }, 415);
    }
    let json: unknown;
    try {
      json = JSON.parse(await c.req.text());
    } catch {
      return c.json({ error: 'The request body is not JSON; send {"selection": "silver/*", "season": 2024} (or "season": "all").' }, 400);
    }
    const parsed = materializeRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return c.json({ error: `Bad run request: ${issue.path.join('.') || 'body'}: ${issue.message}. Send {"selection": "silver/*", "season": 2024} (or "season": "all").` }, 400);
    }
    const { selection } = parsed.data;
    const season = parsed.data.season === 'all' ? undefined : parseSeason(String(parsed.data.season), deps.window);
    selectAssets(deps.graph, selection);
    // The same guard rail as the page's runs: a plan over the thresholds starts only if its numbers are confirmed.
    if (deps.planRun) {
      const plan = await deps.planRun({ selection, ...(season !== undefined && { seasonFrom: season, seasonTo: season }) });
      const reasons = confirmationReasons(plan, deps.confirmAbovePartitions ?? 200);
      const confirm = parsed.data.confirm;
      if (reasons.length && (confirm?.partitions !== plan.partitions || confirm.expectedCalls !== plan.expectedCalls)) {
        return c.json({ error: `This run needs a confirmation: ${reasons.join('; ')}. Send it again with "confirm": {"partitions": ${plan.partitions}, "expectedCalls": ${plan.expectedCalls}}.`, needsConfirmation: true, plan, confirmation: reasons }, 409);
      }
    }
    const started = await deps.startRun({ selection, ...(season !== undefined && { season }) });
    return c.json(started, 'runId' in started ? 202 : 200);
  });

  app.notFound((c) => c.json({ error: `Not found: ${c.req.path}` }, 404));
  return { app, status };
}
