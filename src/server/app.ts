/**
 * The web app: the lineage page and the JSON API behind it, composed here from one Hono sub-app per route group (each
 * in its own module, given only what it uses): what every request passes first (the error answers, the security
 * headers and guard of `security.ts`), the status cache, the queues that bound costly reads (`work-queue.ts`), and
 * the order the groups are mounted in. Built from the asset graph, a run-log reader (its only write: the orphan
 * recovery every plan starts with, injected by `cbbd serve`) and the settings, so
 * tests drive it with `app.request()`; only `cbbd serve` binds a port. Runs are started through an injected
 * `startRun`, the one thing here that changes state (see `security.ts`); its request must be exactly right (JSON, a
 * schema, a size bound) or nothing starts.
 */
import { Hono } from 'hono';
import { CbbdError } from '../core/errors.ts';
import type { AssetGraph } from '../core/graph.ts';
import type { SeasonWindow } from '../core/partitions.ts';
import type { RunLogReader } from '../store/run-log.ts';
import { StatusCache } from './asset-status.ts';
import { assetsRoutes } from './assets-route.ts';
import { backtestRoutes, type BacktestRouteDeps } from './backtest-route.ts';
import { dataReadsRoutes, type DataAnswer } from './data-reads-route.ts';
import { eventsRoutes } from './events-route.ts';
import { materializeRoutes } from './materialize-route.ts';
import { partitionsHeatmapRoutes } from './partitions-heatmap-route.ts';
import { quotaRoutes, type QuotaRouteDeps } from './quota-route.ts';
import { runsRoutes, type RunRequest, type RunsRouteDeps } from './runs-route.ts';
import { scheduleActionsRoutes, type ScheduleActionsDeps } from './schedule-actions-route.ts';
import { schedulesRoutes, type SchedulesRouteDeps } from './schedules-route.ts';
import { guardRequests, LOOPBACK_HOSTS, securityHeaders } from './security.ts';
import { uiFilesRoutes } from './ui-files-route.ts';
import { ServerBusyError, WorkQueue } from './work-queue.ts';

export type { DataAnswer } from './data-reads-route.ts';
export type { BacktestAnswer } from './backtest-route.ts';

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
   * history the chart draws (the project's `extensions.queries.ratingHistory`): injected, so the server imports no
   * lake code. Both validate what they are given (season, date, limit, team ids) and throw a usage error otherwise.
   */
  readonly preview?: (request: { asset: string; season?: string; date?: string; limit?: string }) => Promise<DataAnswer>;
  readonly ratingHistory?: (request: { asset: string; season?: string; teams?: string }) => Promise<DataAnswer>;
  /** The backtest panel's rows (`backtest-route.ts`), the project's read; without it `GET /api/backtest` is a 404. */
  readonly backtest?: BacktestRouteDeps['backtest'];
  /** The month's API budget for `GET /api/quota` (`quota-route.ts`); without it the route is not served. */
  readonly quota?: QuotaRouteDeps['quota'];
  /** The schedules and their ticks for `GET /api/schedules` (`schedules-route.ts`); without it the route is not served. */
  readonly schedules?: SchedulesRouteDeps['schedules'];
  /** A run's plan before it starts (`runs-route.ts`): partitions by asset, API calls, the quota after. */
  readonly planRun?: RunsRouteDeps['planRun'];
  /** Record a cancel request that the run's process acts on (`store/run-controls.ts`). */
  readonly cancelRun?: RunsRouteDeps['cancelRun'];
  /** A run planning more partitions than this needs an explicit confirmation (default 200). */
  readonly confirmAbovePartitions?: number;
  /** Turn a schedule on or off, persisted in the run log (`schedule-actions-route.ts`). */
  readonly switchSchedule?: ScheduleActionsDeps['switchSchedule'];
  /** Tick a schedule now, if this server runs the schedules (`schedule-actions-route.ts`). */
  readonly runSchedule?: ScheduleActionsDeps['runNow'];
}

export function createServerApp(deps: ServerDeps): { app: Hono; status: StatusCache } {
  const status = new StatusCache(deps.graph, deps.runLog, {
    window: deps.window, rollingDays: deps.rollingDays, ...(deps.now && { now: deps.now }),
    ...(deps.settled && { settled: deps.settled }), ...(deps.recoverOrphans && { recoverOrphans: deps.recoverOrphans }),
  });
  // What a GET may cost, bounded whoever sends it (`work-queue.ts`): a snapshot not in the cache is planned on the
  // event loop, one at a time; a data read opens a DuckDB.
  const plans = new WorkQueue({ what: 'plans of the graph', running: 1, waiting: deps.plansWaiting ?? 4, rest: 1 });
  const dataReads = new WorkQueue({ what: 'data previews', ...(deps.dataReads ?? { running: 2, waiting: 6 }) });
  const snapshotOf = async (selection: string, season: number | undefined) =>
    status.cached(selection, season) ?? plans.run(() => status.snapshot(selection, season));

  const app = new Hono();
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

  // The page, its modules and the graph layout library (dagre), from this server only.
  app.route('/', uiFilesRoutes());
  // Runs (list, run page, plan, start with confirmation, cancel, re-run failed), the heatmap, schedule switches.
  app.route('/', runsRoutes({
    runLog: deps.runLog,
    // A run's plan is a plan of the graph like a new selection's: through the same bounded queue.
    ...(deps.planRun && { planRun: (request) => plans.run(() => deps.planRun!(request)) }),
    ...(deps.cancelRun && { cancelRun: deps.cancelRun }),
    ...(deps.confirmAbovePartitions !== undefined && { confirmAbovePartitions: deps.confirmAbovePartitions }),
    ...(deps.startRun && { startRun: startRunOf(deps.startRun) }),
  }));
  app.route('/', partitionsHeatmapRoutes({ graph: deps.graph, runLog: deps.runLog, status, window: deps.window }));
  if (deps.switchSchedule) app.route('/', scheduleActionsRoutes({ switchSchedule: deps.switchSchedule, ...(deps.runSchedule && { runNow: deps.runSchedule }) }));
  // The lineage's reads (through the queue of plans) and the data behind an asset (through the queue of data reads).
  app.route('/', assetsRoutes({ ...deps, snapshotOf, builtSeasons: () => status.builtSeasons() }));
  app.route('/', dataReadsRoutes({ ...deps, readQueued: (read) => dataReads.run(read) }));
  if (deps.quota) app.route('/', quotaRoutes({ runLog: deps.runLog, quota: deps.quota, ...(deps.now && { now: deps.now }) }));
  if (deps.schedules) app.route('/', schedulesRoutes({ schedules: deps.schedules }));
  // Each backtest read opens a DuckDB as a preview does: it waits in the same bounded queue (429 beyond it).
  const { backtest } = deps;
  app.route('/', backtestRoutes(backtest ? { backtest: (request) => dataReads.run(() => backtest(request)) } : {}));
  app.route('/', eventsRoutes(deps));
  app.route('/', materializeRoutes(deps));

  app.notFound((c) => c.json({ error: `Not found: ${c.req.path}` }, 404));
  return { app, status };
}

/** The page's run request (seasons and game days as ranges) as `startRun` takes it. */
function startRunOf(startRun: NonNullable<ServerDeps['startRun']>): NonNullable<RunsRouteDeps['startRun']> {
  return (r: RunRequest) => startRun({
    selection: r.selection, ...(r.seasonFrom !== undefined && { season: r.seasonFrom }), ...(r.seasonTo !== undefined && { seasonTo: r.seasonTo }),
    ...(r.dateFrom !== undefined && { dateFrom: r.dateFrom }), ...(r.dateTo !== undefined && { dateTo: r.dateTo }),
  });
}
