import { describe, expect, it } from 'vitest';
import { defineAsset, type AssetDefinition, type PartitionOutput } from '../../src/core/asset.ts';
import { PermanentError } from '../../src/core/errors.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { materialize, type MaterializeOptions } from '../../src/core/materializer.ts';
import { buildPlan } from '../../src/core/planner.ts';
import type { RunEvent } from '../../src/core/run-events.ts';
import type { RunLog } from '../../src/store/run-log.ts';
import type { PlannerState } from '../../src/core/state.ts';
import { openRunLog, runLogFile, window } from '../helpers.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const seasons = { seasonFrom: 2023, seasonTo: 2024 };

/** A tiny world: raw/scores per season -> silver/scores -> gold/summary, with knobs the tests turn. */
function world() {
  const knobs = { rawValue: 'v1', failRaw: new Set<string>(), rawFailuresLeft: 0, silverCheckPasses: true, silverInputMissing: false };
  const calls: string[] = [];
  const committed = new Map<string, string>();
  const out = (asset: string, partitions: readonly string[], value: (p: string) => string): PartitionOutput[] =>
    partitions.map((partition) => ({
      partition,
      dataVersion: value(partition),
      rowCount: 1,
      commit: async () => void committed.set(`${asset} ${partition}`, value(partition)),
    }));
  const assets: AssetDefinition[] = [
    defineAsset({ key: 'raw/scores', partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx) => {
      calls.push(`raw ${ctx.partitions.join(',')}`);
      if (knobs.rawFailuresLeft > 0) {
        knobs.rawFailuresLeft--;
        throw new Error('HTTP 503 from the source');
      }
      for (const p of ctx.partitions) if (knobs.failRaw.has(p)) throw new Error(`no data for ${p}`);
      return out('raw/scores', ctx.partitions, (p) => `${p}-${knobs.rawValue}`);
    }),
    defineAsset({
      key: 'silver/scores', deps: ['raw/scores'], partitions: { kind: 'season' }, codeVersion: '1',
      checks: [{ name: 'scores_look_right', run: () => ({ passed: knobs.silverCheckPasses, detail: knobs.silverCheckPasses ? undefined : '3 duplicate keys' }) }],
    }, async (ctx) => {
      calls.push(`silver ${ctx.partitions.join(',')}`);
      if (knobs.silverInputMissing) throw new PermanentError('raw/scores 2024 has not been materialized: materialize it first.');
      return out('silver/scores', ctx.partitions, (p) => `silver-${p}-${knobs.rawValue}`);
    }),
    defineAsset({ key: 'gold/summary', deps: ['silver/scores'], partitions: { kind: 'none' }, codeVersion: '1' }, async (ctx) => {
      calls.push('gold');
      return out('gold/summary', ctx.partitions, () => `gold-${knobs.rawValue}`);
    }),
  ];
  return { graph: buildAssetGraph(assets), knobs, calls, committed };
}

async function run(w: ReturnType<typeof world>, runLog: RunLog, selection = '*', extra: Partial<MaterializeOptions> = {}) {
  const state: PlannerState = { now: NOW, records: runLog.loadPartitionRecords(), calendars: runLog.loadCalendars(), settled: new Map() };
  const planOptions = { window, rollingDays: 3, filter: seasons, ...extra };
  const plan = buildPlan(w.graph, selection, state, planOptions);
  const events: RunEvent[] = [];
  const result = await materialize(w.graph, plan, runLog, state, {
    ...planOptions, concurrency: 2, retries: 1, retryMinDelayMs: 1, onEvent: (e) => events.push(e), ...extra,
  });
  return { plan, result, events };
}

describe('materialize', () => {
  it('computes every stale partition in dependency order and then has nothing left to do', async () => {
    const w = world();
    const runLog = await openRunLog();
    const { result, events } = await run(w, runLog);
    expect(result.status).toBe('succeeded');
    expect(result.counts).toEqual({ succeeded: 5, failed: 0, skipped: 0, unchanged: 0 });
    expect(w.calls.indexOf('gold')).toBe(w.calls.length - 1);
    expect(w.calls.indexOf('silver 2024')).toBeGreaterThan(w.calls.indexOf('raw 2024'));
    expect(events[0]).toMatchObject({ type: 'run_started', partitions: 5 });
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', status: 'succeeded' });
    const again = await run(w, runLog);
    expect(again.plan.steps).toHaveLength(0);
    expect((await runLog.getRun(result.runId))?.status).toBe('succeeded');
  });

  it('retries a failing step, then succeeds', async () => {
    const w = world();
    w.knobs.rawFailuresLeft = 1;
    const { result, events } = await run(w, await openRunLog(), 'raw/scores', { filter: { seasonFrom: 2024, seasonTo: 2024 } });
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]!.attempts).toBe(2);
    expect(events.some((e) => e.type === 'step_retrying')).toBe(true);
  });

  it('runs a compute that fails for good (a permanent error) once, without retrying', async () => {
    const w = world();
    w.knobs.silverInputMissing = true;
    const { result, events } = await run(w, await openRunLog(), '+silver/scores', { filter: { seasonFrom: 2024, seasonTo: 2024 }, retries: 3 });
    const silver = result.steps.find((s) => s.asset === 'silver/scores')!;
    expect(silver).toMatchObject({ status: 'failed', attempts: 1, error: 'raw/scores 2024 has not been materialized: materialize it first.' });
    expect(w.calls.filter((c) => c.startsWith('silver'))).toEqual(['silver 2024']);
    expect(events.some((e) => e.type === 'step_retrying')).toBe(false);
  });

  it('fails a partition after its retries and skips what depends on it, leaving the rest built', async () => {
    const w = world();
    w.knobs.failRaw.add('2023');
    const runLog = await openRunLog();
    const { result } = await run(w, runLog);
    expect(result.status).toBe('failed');
    const byStep = Object.fromEntries(result.steps.map((s) => [s.step, s.status]));
    expect(byStep).toEqual({
      'raw/scores#1': 'failed', 'raw/scores#2': 'succeeded', 'silver/scores#1': 'skipped', 'silver/scores#2': 'succeeded', 'gold/summary#1': 'skipped',
    });
    expect(result.steps[0]!.error).toBe('no data for 2023');
    const records = runLog.loadPartitionRecords();
    expect(records.get('raw/scores')!.get('2023')).toMatchObject({ status: 'failed', error: 'no data for 2023', dataVersion: null });
    // The next run repairs exactly what failed.
    w.knobs.failRaw.clear();
    const repair = await run(w, runLog);
    expect(repair.plan.steps.map((s) => `${s.id}:${s.partitions.map((p) => p.reason.kind).join(',')}`)).toEqual([
      'raw/scores#1:failed', 'silver/scores#1:missing', 'gold/summary#1:missing',
    ]);
    expect(repair.result.status).toBe('succeeded');
  });

  it('a failed blocking check fails the partition and its data is not committed', async () => {
    const w = world();
    w.knobs.silverCheckPasses = false;
    const runLog = await openRunLog();
    const { result } = await run(w, runLog, '*', { filter: { seasonFrom: 2024, seasonTo: 2024 } });
    expect(result.status).toBe('failed');
    expect(result.steps.find((s) => s.asset === 'silver/scores')!.error).toBe('silver/scores 2024: blocking check "scores_look_right" (3 duplicate keys) failed');
    expect(w.committed.has('silver/scores 2024')).toBe(false);
    const checks = await runLog.checkResultsOf('silver/scores');
    expect(checks.map((c) => [c.name, c.passed, c.blocking, c.detail])).toEqual([['scores_look_right', false, true, '3 duplicate keys']]);
  });

  it('an identical re-fetch upstream leaves downstream unchanged; a correction rebuilds it', async () => {
    const w = world();
    const runLog = await openRunLog();
    await run(w, runLog);
    w.calls.length = 0;
    expect((await run(w, runLog)).plan.steps).toHaveLength(0);
    // Force only the raw asset: it re-fetches the same data, so silver and gold are re-checked and left alone.
    const state: PlannerState = { now: NOW, records: runLog.loadPartitionRecords(), calendars: new Map(), settled: new Map() };
    const refetch = buildPlan(w.graph, 'raw/scores', state, { window, rollingDays: 3, filter: seasons, force: true });
    await materialize(w.graph, refetch, runLog, state, { window, rollingDays: 3, concurrency: 1, retries: 0 });
    expect((await run(w, runLog)).plan.steps).toHaveLength(0);
    w.knobs.rawValue = 'v2';
    const corrected = buildPlan(w.graph, 'raw/scores', state, { window, rollingDays: 3, filter: seasons, force: true });
    const fresh: PlannerState = { ...state, records: runLog.loadPartitionRecords() };
    await materialize(w.graph, corrected, runLog, fresh, { window, rollingDays: 3, concurrency: 1, retries: 0 });
    const after = await run(w, runLog);
    expect(after.plan.steps.map((s) => `${s.asset}:${s.partitions.map((p) => p.reason.kind)}`)).toEqual([
      'silver/scores:upstream_changed', 'silver/scores:upstream_changed', 'gold/summary:upstream_stale',
    ]);
    expect(w.committed.get('gold/summary -')).toBe('gold-v2');
  });

  it('re-checks upstream-stale partitions during the run and skips the compute when upstream came out identical', async () => {
    const w = world();
    const runLog = await openRunLog();
    await run(w, runLog);
    w.calls.length = 0;
    // Make raw look failed so it is planned; it will re-fetch identical data.
    runLogFile(runLog).prepare(`UPDATE partition_state SET status = 'failed' WHERE asset_key = 'raw/scores' AND partition = '2024'`).run();
    const { plan, result } = await run(w, runLog);
    expect(plan.steps.map((s) => s.partitions[0]!.reason.kind)).toEqual(['failed', 'upstream_stale', 'upstream_stale']);
    expect(w.calls).toEqual(['raw 2024']);
    expect(result.counts).toEqual({ succeeded: 1, failed: 0, skipped: 0, unchanged: 2 });
  });
});

describe('calendars', () => {
  it('refuses a calendar whose game day cannot be a partition (an API could send anything), before it becomes a key or a path', async () => {
    const schedule = (days: string[]) => defineAsset({ key: 'raw/schedule', partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx) =>
      ctx.partitions.map((partition) => ({ partition, dataVersion: days.join(), calendar: days })));
    const runLog = await openRunLog();
    const graph = buildAssetGraph([schedule(['2024-01-15', '2024-01-16/../../../etc'])]);
    const state: PlannerState = { now: NOW, records: new Map(), calendars: new Map(), settled: new Map() };
    const options = { window, rollingDays: 3, filter: { seasonFrom: 2024, seasonTo: 2024 } };
    const result = await materialize(graph, buildPlan(graph, '*', state, options), runLog, state, { ...options, concurrency: 1, retries: 0 });
    expect(result.status).toBe('failed');
    expect(result.steps[0]!.error).toMatch(/blocking check "calendar_dates_valid" \(its calendar has a game day that cannot be a partition: .*2024-01-16\/\.\.\/\.\.\/\.\.\/etc/);
    expect(runLog.loadCalendars().get('raw/schedule')).toBeUndefined();
  });
});
