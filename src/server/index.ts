/**
 * The web app (Hono): the lineage page and its JSON API. `app.ts` composes it from the asset graph, a read-only
 * run-log reader and the settings: what it checks on every request (`security.ts`), the status cache
 * (`asset-status.ts`), the queues that bound costly reads (`work-queue.ts`), then one sub-app per route group, each
 * given only what it uses: the page's files (`ui-files-route.ts`), runs (`runs-route.ts`), the partitions heatmap,
 * schedule switches (`schedule-actions-route.ts`), assets and seasons (`assets-route.ts`), data previews and rating
 * history (`data-reads-route.ts`), the quota, the schedules, the backtest, live progress (`events-route.ts`) and
 * `POST /api/materialize` (`materialize-route.ts`). Only `cbbd serve` binds a port.
 *
 * May import: src/core, src/store (the run log, read only).
 */
export { createServerApp, type DataAnswer, type ServerDeps, type StartRunRequest } from './app.ts';
export type { RunPlanPreview, RunRequest } from './runs-route.ts';
export { allowedHostsFor, isLoopback } from './security.ts';
