/**
 * `cbbd serve`: the lineage page and its JSON API. Binds loopback by default. Every state-changing request must
 * carry the UI token (CBBD_UI_TOKEN, or a random one kept in a file only this user can read: `ui-token.ts`), and on
 * any other address every API read too; the page learns it from the address printed here (`#token=`). Requests
 * addressed to any other host name are refused (see `security.ts`).
 */
import { serve } from '@hono/node-server';
import { UsageError } from '../../core/errors.ts';
import { dirname, join } from 'node:path';
import { uiToken } from '../ui-token.ts';
import { createServerApp, type StartRunRequest } from '../../server/app.ts';
import { allowedHostsFor, isBindableHost, isLoopback, unbracket } from '../../server/security.ts';
import type { CommandContext } from '../context.ts';
import { planSelection, settledPartitions } from '../../core/run-selection.ts';
import { preparePlanRun } from '../run-plan.ts';
import { currentQuota } from '../quota-report.ts';
import { RunControls } from '../../store/run-controls.ts';
import type { RunPlanPreview, RunRequest } from '../../server/runs-route.ts';
import { previewRows, type PreviewLake } from '../../lake/query/preview.ts';
import { tableQueryOf } from './show.ts';
import { ServerRuns } from '../server-runs.ts';
import { againText, onStopSignals } from '../stop-signals.ts';
import { serveSchedules } from './schedule.ts';

export interface ServeOptions {
  port?: string;
  host?: string;
  /** false with --no-schedules: the page shows the schedules, another process runs them. */
  schedules?: boolean;
  /** The global --assets, passed on to the ticks. */
  assets?: string;
}

/** Start a run in this process; resolves once it holds its partitions, and lets it go on (until `runs` stop). */
export function serverRunStarter(ctx: CommandContext, runs?: ServerRuns) {
  return async ({ selection, season, seasonTo, dateFrom, dateTo }: StartRunRequest) => {
    const filter = {
      ...(season !== undefined && { seasonFrom: season, seasonTo: seasonTo ?? season }),
      ...(dateFrom !== undefined && { dateFrom }), ...(dateTo !== undefined && { dateTo }),
    };
    const planned = await planSelection(ctx.project, { selection, filter });
    if (!planned.plan.steps.length) return { nothingToDo: true as const };
    const run = preparePlanRun(ctx, planned); // over the month's quota: refused, HTTP 400
    return new Promise<{ runId: string }>((resolve, reject) => {
      // `run_started` may be heard before runPlanned returns: the server follows the run through `ended`.
      let ended!: () => void;
      const end = new Promise<void>((done) => (ended = done));
      run.start({
        ...(runs && { signal: runs.signal }),
        onEvent: (e) => {
          if (e.type !== 'run_started') return;
          runs?.track(e.runId, end);
          resolve({ runId: e.runId });
        },
      }).then(
        ({ result }) => ctx.log.info({ runId: result.runId, status: result.status, counts: result.counts }, 'run finished'),
        (error: unknown) => {
          reject(error instanceof Error ? error : new Error(String(error)));
          ctx.log.error({ err: error }, 'run could not start');
        },
      ).finally(ended);
    });
  };
}

/** The plan the page shows before a run: partitions by asset, API calls, and the month's quota after it. */
export async function serverPlanPreview(ctx: CommandContext, request: RunRequest): Promise<RunPlanPreview> {
  const filter = {
    ...(request.seasonFrom !== undefined && { seasonFrom: request.seasonFrom, seasonTo: request.seasonTo ?? request.seasonFrom }),
    ...(request.dateFrom !== undefined && { dateFrom: request.dateFrom }), ...(request.dateTo !== undefined && { dateTo: request.dateTo }),
  };
  const { plan } = await planSelection(ctx.project, { selection: request.selection, filter });
  const { budget } = currentQuota(ctx);
  return {
    partitions: plan.steps.reduce((n, s) => n + s.partitions.length, 0),
    assets: plan.assets.map((a) => ({ asset: a.asset, partitions: a.partitions, expectedCalls: a.expectedCalls })),
    expectedCalls: plan.expectedCalls,
    quota: budget ? { available: budget.available, reserve: budget.reserve, afterRun: budget.available + budget.reserve - plan.expectedCalls } : null,
    warnings: plan.warnings,
  };
}

/** How often the page re-reads the checkpoints' settled partitions. */
const SETTLED_REFRESH_MS = 30_000;

export async function serveCommand(ctx: CommandContext, options: ServeOptions): Promise<number> {
  const host = unbracket(options.host ?? '127.0.0.1');
  if (!isBindableHost(host)) throw new UsageError(`--host ${options.host} is not an IP address: use 127.0.0.1 (the default), ::1, or an address of this machine.`);
  const port = Number(options.port ?? 3000);
  if (!/^\d+$/.test(options.port ?? '3000') || port > 65_535) throw new UsageError(`--port ${options.port} is not a port number (0-65535).`);
  // There is always a token, loopback too: CBBD_UI_TOKEN, or a random one kept beside the run log (`ui-token.ts`).
  const ui = uiToken({
    env: process.env.CBBD_UI_TOKEN, file: join(dirname(ctx.config.runLog.path), 'ui-token'), loopback: isLoopback(host), terminal: process.stdout.isTTY === true,
  });
  const token = ui.token;
  // The page's data preview and chart read the lakehouse as `cbbd show` does.
  const lake: PreviewLake = { graph: ctx.graph, window: ctx.window, storage: ctx.storage, query: tableQueryOf(ctx) };
  const { queries } = ctx.extensions;
  const schedules = serveSchedules(ctx.config, ctx.runLog, ctx.log, { run: options.schedules !== false, ...(options.assets !== undefined && { assets: options.assets }) });
  const runs = new ServerRuns(ctx.runLog, ctx.log);
  // The page plans as every command does (plannerStateOf): orphans recovered first, the checkpoints' settled partitions
  // read before it starts and again every half minute (a plan is made synchronously; the read may be a cloud call).
  let settled = await settledPartitions(ctx.project);
  const settledRefresh = setInterval(() => {
    settledPartitions(ctx.project).then((s) => (settled = s), (error: unknown) => ctx.log.warn({ err: error }, 'could not read the settled partitions; the page plans with the last ones'));
  }, SETTLED_REFRESH_MS);
  settledRefresh.unref();
  const { app, status } = createServerApp({
    preview: (request) => previewRows(lake, request),
    // The rating chart and the backtest panel read what the project says (its `extensions.queries`), when it says.
    ...(queries?.ratingHistory && { ratingHistory: (request) => queries.ratingHistory!(lake, request) }),
    ...(queries?.backtest && { backtest: (request) => queries.backtest!({ graph: ctx.graph, preview: (r) => previewRows(lake, r) }, request) }),
    graph: ctx.graph, runLog: ctx.runLog, window: ctx.window, rollingDays: ctx.config.source.rollingDays,
    settled: () => settled, recoverOrphans: () => ctx.runLog.recoverOrphans(),
    startRun: (request) => {
      schedules.refuseDuringTick();
      return serverRunStarter(ctx, runs)(request);
    },
    sourceDescription: ctx.source.description,
    quota: { source: ctx.source.ledgerName, reserve: ctx.config.source.quotaReserve }, token,
    schedules: () => schedules.view(),
    switchSchedule: (name, enabled, by) => schedules.switchSchedule(name, enabled, by),
    runSchedule: (name, why) => {
      schedules.refuseDuringTick();
      return schedules.runNow(name, why);
    },
    planRun: (request) => serverPlanPreview(ctx, request),
    // Runs planning more partitions than this need an explicit confirmation on the page (default 200).
    ...(/^\d+$/.test(process.env.CBBD_UI_CONFIRM_ABOVE ?? '') && { confirmAbovePartitions: Number(process.env.CBBD_UI_CONFIRM_ABOVE) }),
    cancelRun: (runId, by) => {
      const controls = RunControls.open(ctx.config.runLog.path);
      if (!controls) return { outcome: 'unknown' };
      try {
        return controls.requestCancel(runId, by);
      } finally {
        controls.close();
      }
    },
    allowedHosts: allowedHostsFor(host, (process.env.CBBD_UI_ALLOWED_HOSTS ?? '').split(',')),
    readsNeedToken: !isLoopback(host),
  });
  status.snapshot('*', undefined); // warm the cache: the first page load answers from memory
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      // Straight to stdout, not through the logger's redaction: whoever started the server must see the token.
      // A fragment is never sent to the server nor logged by a proxy; the page keeps it for the tab and drops it.
      process.stdout.write(`${ui.notice}\n`);
      const fragment = ui.inPageAddress ? `#token=${token}` : '';
      process.stdout.write(`Lineage page on http://${host.includes(':') ? `[${host}]` : host}:${info.port}/${fragment} (Ctrl-C stops it)\n`);
      resolve(s);
    });
    s.once('error', (error: NodeJS.ErrnoException) => reject(new UsageError(`Cannot listen on ${host}:${port}: ${error.code ?? error.message}${error.code === 'EADDRINUSE' ? ' (another program uses the port; pick another with --port)' : ''}.`)));
  });
  schedules.start();
  // The first signal stops the page's runs (a grace period for their steps) and the scheduler (its tick is passed the
  // signal and waited for); a second abandons both, records the runs as cancelled and exits.
  const stop = onStopSignals({
    log: ctx.log,
    graceMs: null,
    notices: {
      stopping: (signal) => `stopping: the page's runs finish their steps, a running tick is passed ${signal}; ${againText(signal)} abandons them`,
      abandoning: () => 'abandoning the page\'s runs and the running tick: recording them as cancelled',
    },
    abandon: async (signal) => {
      schedules.killTick();
      runs.abandon(signal);
      await ctx.close();
    },
  });
  const signal = await stop.stopped;
  clearInterval(settledRefresh);
  await Promise.all([schedules.stop(signal), runs.stop(signal)]);
  stop.dispose();
  // Live-progress streams never end by themselves: close them, or the server would wait for every open page.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if ('closeAllConnections' in server) server.closeAllConnections();
  await closed;
  return 0;
}
