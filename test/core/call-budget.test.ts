import { describe, expect, it } from 'vitest';
import { defineAsset, type AssetSpec } from '../../src/core/asset.ts';
import { applyCallBudget } from '../../src/core/budget/call-budget.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import type { MaterializeStep, Plan, StaleReason } from '../../src/core/plan.ts';
import type { PartitionRecord, PlannerState } from '../../src/core/state.ts';

const HOUR = 3_600_000;
const NOW = new Date('2024-01-20T08:00:00Z');
const noop = async () => [];
const season = { kind: 'season' } as const;
const weekly = { volatile: { maxAgeHours: 164 }, deferrable: { withinHours: 48 } };
const perGame = { volatile: { maxAgeHours: 20 }, deferrable: { withinHours: 48, partial: true } };

const specs: AssetSpec[] = [
  { key: 'raw/games', partitions: season, codeVersion: '1', volatile: { maxAgeHours: 6 } },
  { key: 'raw/substitutions', deps: ['raw/games'], partitions: season, codeVersion: '1', ...perGame },
  { key: 'raw/lineups', deps: ['raw/games'], partitions: season, codeVersion: '1', ...perGame },
  { key: 'raw/teams', partitions: season, codeVersion: '1', ...weekly },
  { key: 'raw/rosters', partitions: season, codeVersion: '1', ...weekly },
  { key: 'bronze/teams', deps: ['raw/teams'], partitions: season, codeVersion: '1' },
];
const graph = buildAssetGraph(specs.map((s) => defineAsset(s, noop)));

function step(asset: string, expectedCalls: number, reason: StaleReason, dependsOn: string[] = []): MaterializeStep {
  return { kind: 'materialize', id: `${asset}#1`, asset, partitions: [{ key: '2024', reason }], dependsOn, expectedCalls };
}
const volatile: StaleReason = { kind: 'source_volatile', why: 'season_in_progress' };
const upstream: StaleReason = { kind: 'upstream_changed', upstream: 'raw/games' };

function planOf(steps: MaterializeStep[]): Plan {
  return {
    selection: '*', filter: {}, createdAt: NOW.toISOString(), steps, warnings: [], stalePartitions: steps.length,
    expectedCalls: steps.reduce((n, s) => n + s.expectedCalls, 0),
    assets: steps.map((s) => ({ asset: s.asset, partitions: 1, stale: 1, byReason: { [s.partitions[0]!.reason.kind]: 1 }, expectedCalls: s.expectedCalls })),
  };
}

/** Every asset built once, `hoursAgo[asset]` hours before NOW (default 24). */
function stateOf(hoursAgo: Record<string, number> = {}): PlannerState {
  const record = (h: number): PartitionRecord => ({
    status: 'succeeded', dataVersion: 'v', codeVersion: '1', inputsHash: 0, lastSuccessAt: NOW.getTime() - h * HOUR, lastAttemptAt: NOW.getTime() - h * HOUR, error: null,
  });
  return {
    now: NOW, settled: new Map(), calendars: new Map(),
    records: new Map(specs.map((s) => [s.key, new Map([['2024', record(hoursAgo[s.key] ?? 24)]])])),
  };
}

const night = () => planOf([
  step('raw/games', 100, volatile),
  step('raw/substitutions', 60, upstream, ['raw/games#1']),
  step('raw/lineups', 60, upstream, ['raw/games#1']),
  step('raw/teams', 1, volatile),
  step('raw/rosters', 1, volatile),
  step('bronze/teams', 0, { kind: 'upstream_stale', upstream: 'raw/teams' }, ['raw/teams#1']),
]);

describe('a run within a call budget', () => {
  it('runs scores first, shares the rest among per-game work, and defers a weekly refresh that can wait', () => {
    // raw/teams fell due 10 hours ago (may wait); raw/rosters 50 hours ago (may not wait any longer).
    const plan = applyCallBudget(graph, night(), stateOf({ 'raw/teams': 174, 'raw/rosters': 214 }), { calls: 150, spent: 0 });
    const byAsset = new Map(plan.steps.map((s) => [s.asset, s]));
    expect(byAsset.get('raw/games')?.callAllowance).toBeUndefined();
    expect(byAsset.has('raw/rosters')).toBe(true);
    expect(byAsset.has('raw/teams')).toBe(false);
    expect(plan.callBudget?.deferred.map((d) => d.asset)).toEqual(['raw/teams']);
    expect(plan.callBudget?.deferred[0]?.mustRunBy).toBe(NOW.getTime() + 38 * HOUR);
    // 150 less the essential 101 and a margin of 5 for estimate error, shared by need: 22 each.
    expect(byAsset.get('raw/substitutions')?.callAllowance).toBe(22);
    expect(byAsset.get('raw/lineups')?.callAllowance).toBe(22);
    expect(plan.expectedCalls).toBeLessThanOrEqual(150);
    // bronze/teams no longer waits on a step that is not in the plan (its partition is re-checked and found fresh).
    expect(byAsset.get('bronze/teams')?.dependsOn).toEqual([]);
  });

  it('counts the calls spent before a re-plan', () => {
    const plan = applyCallBudget(graph, night(), stateOf(), { calls: 150, spent: 40 });
    expect(plan.steps.find((s) => s.asset === 'raw/substitutions')?.callAllowance).toBe(2); // (150 - 40 - 5 - 100) / 2
    expect(plan.callBudget?.deferred.map((d) => d.asset).sort()).toEqual(['raw/rosters', 'raw/teams']);
  });

  it('defers nothing when the budget covers the night', () => {
    const plan = applyCallBudget(graph, night(), stateOf(), { calls: 1_000, spent: 0 });
    expect(plan.steps).toHaveLength(6);
    expect(plan.callBudget?.deferred).toEqual([]);
    expect(plan.steps.find((s) => s.asset === 'raw/lineups')?.callAllowance).toBeGreaterThanOrEqual(60);
  });

  it('never defers what is missing: a hole is not an old copy', () => {
    const missing = planOf([step('raw/games', 100, volatile), step('raw/teams', 1, { kind: 'missing' }), step('raw/lineups', 362, { kind: 'missing' }, ['raw/games#1'])]);
    const plan = applyCallBudget(graph, missing, stateOf(), { calls: 50, spent: 0 });
    expect(plan.steps.map((s) => s.asset)).toEqual(['raw/games', 'raw/teams', 'raw/lineups']);
    expect(plan.steps.every((s) => s.callAllowance === undefined)).toBe(true);
  });
});
