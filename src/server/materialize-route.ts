/**
 * `POST /api/materialize` `{"selection": "silver/*", "season": 2024}` (or `"season": "all"`): start a run of a
 * selection, for scripts (the page uses `POST /api/runs`, `runs-route.ts`). The one route here that changes state
 * besides the runs routes: behind the app's guard (host, origin, token), and its request must be exactly right (JSON,
 * a schema, a 4 KB bound) or nothing starts. A plan over the thresholds starts only if its numbers are confirmed.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import type { AssetGraph } from '../core/graph.ts';
import { parseSeason, type SeasonWindow } from '../core/partitions.ts';
import { MAX_SELECTION_LENGTH, selectAssets } from '../core/selection.ts';
import { confirmationReasons, type RunsRouteDeps } from './runs-route.ts';

export interface MaterializeRouteDeps {
  readonly graph: AssetGraph;
  readonly window: SeasonWindow;
  readonly startRun?: (request: { selection: string; season?: number }) => Promise<{ runId: string } | { nothingToDo: true }>;
  readonly planRun?: RunsRouteDeps['planRun'];
  /** A run planning more partitions than this needs an explicit confirmation (default 200). */
  readonly confirmAbovePartitions?: number;
}

/** A run request: the selection and the season, or "all" said explicitly (the page's "all" option). */
const materializeRequest = z.object({
  selection: z.string().trim().min(1, 'selection is empty: send an asset key or glob, e.g. "silver/*"').max(MAX_SELECTION_LENGTH),
  season: z.union([z.number().int(), z.literal('all')], { error: 'season must be a season (an integer such as 2024) or "all"' }),
  /** Over the thresholds, the plan's numbers, as `POST /api/runs` wants them (`runs-route.ts`). */
  confirm: z.object({ partitions: z.number().int(), expectedCalls: z.number() }).strict().optional(),
}).strict();

export function materializeRoutes(deps: MaterializeRouteDeps): Hono {
  const app = new Hono();
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
  return app;
}
