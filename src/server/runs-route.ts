/**
 * Runs on the page: the list (selection, seasons, start, duration, outcome, partitions, API calls), one run (its
 * steps per asset for a timeline, its event log with levels, its failures, progress per season), the plan of a run
 * before it starts, starting it (a run over the thresholds needs a confirmation that names the plan's numbers),
 * cancelling it and re-running what failed. The state-changing routes are POSTs behind the app's guard (host, origin,
 * token) with a JSON body checked by a schema and a size bound, as `POST /api/materialize` is.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import { dateOfKey, seasonOfKey } from '../core/partitions.ts';
import type { RunLogReader } from '../store/run-log.ts';
import { MAX_SELECTION_LENGTH } from '../core/selection.ts';

/** A run to plan or start: a selection and, optionally, seasons and game days. */
export interface RunRequest {
  readonly selection: string;
  readonly seasonFrom?: number;
  readonly seasonTo?: number;
  readonly dateFrom?: string;
  readonly dateTo?: string;
}

/** What a run would do, as the page shows it before starting one. */
export interface RunPlanPreview {
  readonly partitions: number;
  readonly assets: readonly { readonly asset: string; readonly partitions: number; readonly expectedCalls: number }[];
  readonly expectedCalls: number;
  /** The month's quota: calls usable before the reserve, the reserve, and what is left after this run (null: unknown). */
  readonly quota: { readonly available: number; readonly reserve: number; readonly afterRun: number } | null;
  readonly warnings: readonly string[];
}

export interface RunsRouteDeps {
  readonly runLog: RunLogReader;
  readonly planRun?: (request: RunRequest) => Promise<RunPlanPreview>;
  readonly startRun?: (request: RunRequest) => Promise<{ runId: string } | { nothingToDo: true }>;
  /** Record a cancel request the run's process acts on (`store/run-controls.ts`). */
  readonly cancelRun?: (runId: string, by: string) => { readonly outcome: string };
  /** A run planning more partitions than this needs a confirmation naming the numbers (default 200). */
  readonly confirmAbovePartitions?: number;
  readonly now?: () => number;
}

const RUN_ID = /^r[0-9a-z-]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const runRequest = z.object({
  selection: z.string().trim().min(1, 'selection is empty').max(MAX_SELECTION_LENGTH),
  season: z.union([z.number().int(), z.literal('all')]).optional(),
  seasonFrom: z.number().int().optional(),
  seasonTo: z.number().int().optional(),
  dateFrom: z.string().regex(DATE, 'a date is YYYY-MM-DD').optional(),
  dateTo: z.string().regex(DATE, 'a date is YYYY-MM-DD').optional(),
  /** The numbers the user confirmed: must equal the plan's, or the run is refused with the plan to confirm. */
  confirm: z.object({ partitions: z.number().int(), expectedCalls: z.number() }).strict().optional(),
}).strict();

const confirmBody = z.object({ confirm: runRequest.shape.confirm }).strict();

type ParsedBody<T> = { data: T } | { error: Response };

/** A small JSON body, or the answer that says what was wrong with it. */
async function jsonBody<T>(c: Context, schema: z.ZodType<T>, example: string): Promise<ParsedBody<T>> {
  if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
    return { error: c.json({ error: 'Send the request as Content-Type: application/json.' }, 415) };
  }
  let json: unknown;
  try {
    const text = await c.req.text();
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { error: c.json({ error: `The request body is not JSON; send ${example}.` }, 400) };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: c.json({ error: `Bad request: ${issue.path.join('.') || 'body'}: ${issue.message}. Send ${example}.` }, 400) };
  }
  return { data: parsed.data };
}

const limitBody = bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.json({ error: 'The request body is larger than 4 KB.' }, 413) });

/** Why a plan needs an explicit confirmation, in words that name its numbers; empty when it does not. */
export function confirmationReasons(plan: RunPlanPreview, maxPartitions: number): string[] {
  const reasons: string[] = [];
  if (plan.partitions > maxPartitions) reasons.push(`${plan.partitions} partitions, over the ${maxPartitions} a run may build without confirmation`);
  if (plan.quota && plan.expectedCalls > 0 && plan.quota.afterRun < plan.quota.reserve) {
    reasons.push(`about ${Math.round(plan.expectedCalls)} API calls, leaving ${Math.max(0, plan.quota.afterRun)} of the month's quota, under its reserve of ${plan.quota.reserve}`);
  }
  return reasons;
}

export function runsRoutes(deps: RunsRouteDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;
  const maxPartitions = deps.confirmAbovePartitions ?? 200;

  const callsOf = (startedAt: number, endedAt: number | null) =>
    deps.runLog.apiCallsBetween(startedAt, endedAt ?? now()).filter((c) => c.asset !== null).reduce((n, c) => n + c.calls, 0);

  app.get('/api/runs', async (c) => {
    const limit = Number(c.req.query('limit') ?? 50);
    const runs = await deps.runLog.listRuns(Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : 50);
    return c.json({
      runs: runs.map((r) => {
        const counts = (r.summary as { counts?: Record<string, number> } | null)?.counts ?? null;
        return {
          ...r, durationMs: r.endedAt === null ? null : r.endedAt - r.startedAt, seasons: seasonsText(r.filter),
          counts, apiCalls: callsOf(r.startedAt, r.endedAt),
        };
      }),
    });
  });

  app.get('/api/runs/:id', async (c) => {
    const id = c.req.param('id');
    if (!RUN_ID.test(id)) return c.json({ error: `"${id}" is not a run id.` }, 400);
    const run = await deps.runLog.getRun(id);
    if (!run) return c.json({ error: `No run ${id}.` }, 404);
    // `?after=<event id>`: only the events after it (the run page appends them to the log it shows).
    const after = Number(c.req.query('after') ?? 0);
    const [materializations, events] = await Promise.all([deps.runLog.materializationsOf(id), deps.runLog.eventsOf(id, Number.isSafeInteger(after) && after > 0 ? after : 0)]);
    // One bar per asset on the timeline: from its first partition's start to its last one's end.
    const byAsset = new Map<string, { asset: string; startedAt: number; endedAt: number | null; counts: Record<string, number>; rows: number }>();
    const bySeason = new Map<string, Record<string, number>>();
    for (const m of materializations) {
      let a = byAsset.get(m.asset);
      if (!a) byAsset.set(m.asset, (a = { asset: m.asset, startedAt: m.startedAt, endedAt: m.endedAt, counts: {}, rows: 0 }));
      a.startedAt = Math.min(a.startedAt, m.startedAt);
      a.endedAt = a.endedAt === null || m.endedAt === null ? (m.status === 'running' ? null : Math.max(a.endedAt ?? 0, m.endedAt ?? 0)) : Math.max(a.endedAt, m.endedAt);
      a.counts[m.status] = (a.counts[m.status] ?? 0) + 1;
      a.rows += m.rowCount ?? 0;
      const season = String(seasonOfKey(m.partition) ?? '-');
      const s = bySeason.get(season) ?? {};
      s[m.status] = (s[m.status] ?? 0) + 1;
      bySeason.set(season, s);
    }
    const failures = materializations.filter((m) => m.status === 'failed').map((m) => ({ asset: m.asset, partition: m.partition, attempt: m.attempt, error: m.error }));
    // With `after`, only a request among the newer events: the page keeps the one it saw before.
    const cancel = events.find((e) => e.type === 'cancel_requested');
    return c.json({
      run: { ...run, durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt, seasons: seasonsText(run.filter), apiCalls: callsOf(run.startedAt, run.endedAt) },
      now: now(),
      steps: [...byAsset.values()].sort((a, b) => a.startedAt - b.startedAt || a.asset.localeCompare(b.asset)),
      seasons: [...bySeason].map(([season, counts]) => ({ season, counts })).sort((a, b) => a.season.localeCompare(b.season)),
      failures: failures.slice(0, 200), failuresTotal: failures.length,
      cancelRequested: cancel ? { at: cancel.at, by: (cancel.payload as { by?: string } | null)?.by ?? null } : null,
      events: events.slice(-500).map((e) => ({ id: e.id, at: e.at, level: e.level, type: e.type, asset: e.asset, partition: e.partition, payload: e.payload })),
      eventsTotal: events.length,
    });
  });

  // The plan first: what the page shows before it offers to start a run. Read-only.
  app.get('/api/plan', async (c) => {
    if (!deps.planRun) return c.json({ error: 'This server cannot plan runs.' }, 405);
    const q = (name: string) => c.req.query(name) || undefined;
    const parsed = runRequest.safeParse({
      selection: q('selection') ?? '*',
      ...(q('season') && q('season') !== 'all' && { season: Number(q('season')) }),
      ...(q('seasonFrom') && { seasonFrom: Number(q('seasonFrom')) }), ...(q('seasonTo') && { seasonTo: Number(q('seasonTo')) }),
      ...(q('dateFrom') && { dateFrom: q('dateFrom') }), ...(q('dateTo') && { dateTo: q('dateTo') }),
    });
    if (!parsed.success) return c.json({ error: `Bad plan request: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` }, 400);
    const request = toRunRequest(parsed.data);
    const plan = await deps.planRun(request);
    return c.json({ request, plan, confirmation: confirmationReasons(plan, maxPartitions), confirmAbovePartitions: maxPartitions });
  });

  /** Plan, check the confirmation against the plan's numbers, start. */
  const startChecked = async (c: Context, request: RunRequest, confirm: { partitions: number; expectedCalls: number } | undefined) => {
    if (!deps.startRun || !deps.planRun) return c.json({ error: 'This server cannot start runs.' }, 405);
    const plan = await deps.planRun(request);
    const reasons = confirmationReasons(plan, maxPartitions);
    if (reasons.length && (confirm?.partitions !== plan.partitions || confirm.expectedCalls !== plan.expectedCalls)) {
      return c.json({
        error: `This run needs a confirmation: ${reasons.join('; ')}. Send it again with "confirm": {"partitions": ${plan.partitions}, "expectedCalls": ${plan.expectedCalls}}.`,
        needsConfirmation: true, request, plan, confirmation: reasons,
      }, 409);
    }
    const started = await deps.startRun(request);
    return c.json({ ...started, request, plan }, 'runId' in started ? 202 : 200);
  };

  app.post('/api/runs', limitBody, async (c) => {
    const body = await jsonBody(c, runRequest, '{"selection": "silver/*", "season": 2024}');
    if ('error' in body) return body.error;
    return startChecked(c, toRunRequest(body.data), body.data.confirm);
  });

  app.post('/api/runs/:id/cancel', limitBody, async (c) => {
    const id = c.req.param('id');
    if (!RUN_ID.test(id)) return c.json({ error: `"${id}" is not a run id.` }, 400);
    if (!deps.cancelRun) return c.json({ error: 'This server cannot cancel runs.' }, 405);
    const { outcome } = deps.cancelRun(id, 'the page');
    if (outcome === 'unknown') return c.json({ error: `No run ${id}.` }, 404);
    if (outcome !== 'requested') return c.json({ error: `Run ${id} is not running (${outcome}).`, status: outcome }, 409);
    return c.json({ runId: id, cancelRequested: true }, 202);
  });

  // Re-run what failed: the failed assets over the seasons (and game days) of their failed partitions. The plan
  // re-checks staleness, so what has since been rebuilt is not built again.
  app.post('/api/runs/:id/rerun-failed', limitBody, async (c) => {
    const id = c.req.param('id');
    if (!RUN_ID.test(id)) return c.json({ error: `"${id}" is not a run id.` }, 400);
    const body = await jsonBody(c, confirmBody, '{} or {"confirm": {"partitions": 12, "expectedCalls": 0}}');
    if ('error' in body) return body.error;
    const run = await deps.runLog.getRun(id);
    if (!run) return c.json({ error: `No run ${id}.` }, 404);
    const failed = (await deps.runLog.materializationsOf(id)).filter((m) => m.status === 'failed');
    if (!failed.length) return c.json({ error: `Run ${id} has no failed partitions.` }, 409);
    return startChecked(c, failedRequest(failed), body.data.confirm);
  });

  return app;
}

function toRunRequest(d: z.infer<typeof runRequest>): RunRequest {
  const season = typeof d.season === 'number' ? d.season : undefined;
  const seasonFrom = d.seasonFrom ?? season;
  const seasonTo = d.seasonTo ?? season;
  return {
    selection: d.selection,
    ...(seasonFrom !== undefined && { seasonFrom }), ...(seasonTo !== undefined && { seasonTo }),
    ...(d.dateFrom !== undefined && { dateFrom: d.dateFrom }), ...(d.dateTo !== undefined && { dateTo: d.dateTo }),
  };
}

/** The failed partitions' assets, and the smallest season (and date) range that holds them all. */
export function failedRequest(failed: readonly { asset: string; partition: string }[]): RunRequest {
  const assets = [...new Set(failed.map((f) => f.asset))].sort();
  const seasons = failed.map((f) => seasonOfKey(f.partition));
  const dates = failed.map((f) => dateOfKey(f.partition));
  const allSeasons = seasons.every((s) => s !== undefined) ? (seasons as number[]) : [];
  const allDates = dates.every((d) => d !== undefined) ? (dates as string[]).sort() : [];
  return {
    selection: assets.join(','),
    ...(allSeasons.length && { seasonFrom: Math.min(...allSeasons), seasonTo: Math.max(...allSeasons) }),
    ...(allDates.length && { dateFrom: allDates[0]!, dateTo: allDates.at(-1)! }),
  };
}

function seasonsText(filter: unknown): string | null {
  const f = (filter ?? {}) as { seasonFrom?: number; seasonTo?: number; dateFrom?: string; dateTo?: string };
  const parts: string[] = [];
  if (f.seasonFrom !== undefined) parts.push(f.seasonFrom === f.seasonTo ? String(f.seasonFrom) : `${f.seasonFrom}–${f.seasonTo ?? ''}`);
  if (f.dateFrom !== undefined) parts.push(f.dateFrom === f.dateTo ? f.dateFrom : `${f.dateFrom}..${f.dateTo ?? ''}`);
  return parts.length ? parts.join(', ') : null;
}
