import { describe, expect, it } from 'vitest';
import { defineAsset } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { PartitionIndex } from '../../src/core/mappings.ts';
import type { StaleReason } from '../../src/core/plan.ts';
import { buildPlan, type PlanOptions } from '../../src/core/planner.ts';
import { encodeInputs, hashInputs, inputFingerprint, type PartitionRecord, type PlannerState } from '../../src/core/state.ts';
import { succeeded, window } from '../helpers.ts';

const noop = async () => [];
const days = ['2024|2023-11-06', '2024|2023-11-07', '2024|2023-11-09'];
const calendars = new Map([['raw/schedule', new Map([[2024, days.map((d) => d.slice(5))]])]]);
const graph = (codeVersion = '1') => buildAssetGraph([
  defineAsset({ key: 'raw/schedule', partitions: { kind: 'season' }, codeVersion: '1', volatile: { maxAgeHours: 6 } }, noop),
  defineAsset({
    key: 'raw/games', deps: ['raw/schedule'], partitions: { kind: 'season_date', calendar: 'raw/schedule' }, codeVersion: '1',
    volatile: { maxAgeHours: 6 }, batch: { maxPartitions: 2 }, expectedCalls: (p) => p.length,
  }, noop),
  defineAsset({ key: 'bronze/games', deps: ['raw/games'], partitions: { kind: 'season_date', calendar: 'raw/schedule' }, codeVersion }, noop),
  defineAsset({ key: 'gold/power', deps: ['bronze/games'], partitions: { kind: 'season' }, codeVersion: '1' }, noop),
]);
const options: PlanOptions = { window, rollingDays: 3, filter: { seasonFrom: 2024, seasonTo: 2024 } };
const NOW = new Date('2024-06-01T12:00:00Z'); // after the season: nothing is volatile by date

/** Encoded inputs as the materializer records them, with their text kept to explain staleness. */
const builtTexts = new Map<number, string>();
function built(entries: [string, string][]): number {
  const text = encodeInputs(entries);
  builtTexts.set(hashInputs(text), text);
  return hashInputs(text);
}

/** A state where every partition of season 2024 was built from the current upstream versions. */
function freshState(now = NOW, rawVersion = (p: string) => `raw-${p}`): { state: PlannerState; records: Map<string, Map<string, PartitionRecord>> } {
  const dayIndex = new PartitionIndex(days);
  const seasonIndex = new PartitionIndex(['2024']);
  const records = new Map<string, Map<string, PartitionRecord>>();
  records.set('raw/schedule', new Map([['2024', succeeded('sched')]]));
  records.set('raw/games', new Map(days.map((d) => [d, succeeded(rawVersion(d), {
    inputsHash: built([['raw/schedule', inputFingerprint('season_to_date', d, seasonIndex, records.get('raw/schedule'))]]),
  })])));
  records.set('bronze/games', new Map(days.map((d) => [d, succeeded(`bronze-${d}`, { inputsHash: built([['raw/games', `raw-${d}`]]) })])));
  records.set('gold/power', new Map([['2024', succeeded('gold', {
    inputsHash: built([['bronze/games', inputFingerprint('date_to_season', '2024', dayIndex, records.get('bronze/games'))]]),
  })]]));
  const builtInputs = (asset: string, partition: string) => builtTexts.get(records.get(asset)?.get(partition)?.inputsHash ?? -1) ?? null;
  return { state: { now, records, calendars, settled: new Map(), builtInputs }, records };
}

function reasons(plan: ReturnType<typeof buildPlan>): Record<string, StaleReason['kind']> {
  return Object.fromEntries(plan.steps.flatMap((s) => s.partitions.map((p) => [`${s.asset} ${p.key}`, p.reason.kind])));
}

describe('buildPlan', () => {
  it('plans nothing when every partition is fresh', () => {
    const plan = buildPlan(graph(), '*', freshState().state, options);
    expect(plan.stalePartitions).toBe(0);
    expect(plan.steps).toEqual([]);
    expect(plan.assets.map((a) => [a.asset, a.partitions])).toEqual([
      ['raw/schedule', 1], ['raw/games', 3], ['bronze/games', 3], ['gold/power', 1],
    ]);
  });

  it('plans every partition as missing on an empty run log, in dependency order, with expected API calls', () => {
    const state: PlannerState = { now: NOW, records: new Map(), calendars, settled: new Map() };
    const plan = buildPlan(graph(), '*', state, options);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'raw/schedule#1', 'raw/games#1', 'raw/games#2', 'bronze/games#1', 'bronze/games#2', 'bronze/games#3', 'gold/power#1',
    ]);
    expect(plan.steps[1]!.partitions.map((p) => p.key)).toEqual(['2024|2023-11-06', '2024|2023-11-07']); // batched, contiguous
    expect([...plan.steps.find((s) => s.id === 'gold/power#1')!.dependsOn].sort()).toEqual(['bronze/games#1', 'bronze/games#2', 'bronze/games#3']);
    expect(plan.steps.find((s) => s.id === 'bronze/games#3')!.dependsOn).toEqual(['raw/games#2']);
    expect(plan.expectedCalls).toBe(3);
    expect(new Set(Object.values(reasons(plan)))).toEqual(new Set(['missing']));
    expect(Object.isFrozen(plan.steps)).toBe(true);
  });

  it('marks a failed partition failed, with its error, and its downstream upstream-stale', () => {
    const { state, records } = freshState();
    records.get('bronze/games')!.set(days[1]!, { ...records.get('bronze/games')!.get(days[1]!)!, status: 'failed', error: 'boom' });
    const plan = buildPlan(graph(), '*', state, options);
    expect(plan.steps[0]!.partitions[0]!.reason).toEqual({ kind: 'failed', error: 'boom' });
    expect(reasons(plan)).toEqual({ 'bronze/games 2024|2023-11-07': 'failed', 'gold/power 2024': 'upstream_stale' });
  });

  it('marks every partition of an asset whose code version changed', () => {
    const plan = buildPlan(graph('2'), 'bronze/games', freshState().state, options);
    expect(plan.stalePartitions).toBe(3);
    expect(plan.steps[0]!.partitions[0]!.reason).toEqual({ kind: 'code_changed', from: '1', to: '2' });
  });

  it('marks downstream stale when an upstream data version changed, and not when a re-fetch was identical', () => {
    const { state, records } = freshState();
    records.get('raw/games')!.set(days[0]!, succeeded('raw-2024|2023-11-06', { inputsHash: records.get('raw/games')!.get(days[0]!)!.inputsHash }));
    expect(buildPlan(graph(), '*', state, options).stalePartitions).toBe(0);
    records.get('raw/games')!.set(days[0]!, succeeded('corrected', { inputsHash: records.get('raw/games')!.get(days[0]!)!.inputsHash }));
    const plan = buildPlan(graph(), 'bronze/games,gold/power', state, options);
    expect(reasons(plan)).toEqual({ 'bronze/games 2024|2023-11-06': 'upstream_changed', 'gold/power 2024': 'upstream_stale' });
    expect(plan.steps[0]!.partitions[0]!.reason).toEqual({ kind: 'upstream_changed', upstream: 'raw/games' });
  });

  it('marks recent source partitions volatile inside the rolling window, unless settled or refreshed recently', () => {
    const now = new Date('2023-11-09T20:00:00Z');
    const { state, records } = freshState(now);
    for (const map of records.values()) for (const [k, r] of map) map.set(k, { ...r, lastSuccessAt: now.getTime() - 86_400_000 });
    const plan = buildPlan(graph(), 'raw/*', state, options);
    // The schedule's season is in progress; the last 3 game days are in the rolling window; the older game day is
    // planned only because the schedule it reads is (re-checked after the schedule runs).
    expect(reasons(plan)).toEqual({
      'raw/schedule 2024': 'source_volatile', 'raw/games 2024|2023-11-06': 'upstream_stale',
      'raw/games 2024|2023-11-07': 'source_volatile', 'raw/games 2024|2023-11-09': 'source_volatile',
    });
    const settled = new Map([['raw/games', new Set([days[2]!])]]);
    expect(Object.keys(reasons(buildPlan(graph(), 'raw/games', { ...state, settled }, options)))).toEqual(['raw/games 2024|2023-11-07']);
    const recent = freshState(now).records;
    for (const [k, r] of recent.get('raw/games')!) recent.get('raw/games')!.set(k, { ...r, lastSuccessAt: now.getTime() - 3_600_000 });
    expect(buildPlan(graph(), 'raw/games', { ...state, records: recent }, options).stalePartitions).toBe(0);
  });

  it('a dependency that only orders the work neither makes its reader stale nor marks it upstream-stale', () => {
    const ordering = buildAssetGraph([
      defineAsset({ key: 'raw/schedule', partitions: { kind: 'season' }, codeVersion: '1' }, noop),
      defineAsset({ key: 'raw/games', deps: [{ key: 'raw/schedule', affectsStaleness: false }], partitions: { kind: 'season_date', calendar: 'raw/schedule' }, codeVersion: '1' }, noop),
    ]);
    const records = new Map<string, Map<string, PartitionRecord>>([
      ['raw/schedule', new Map([['2024', succeeded('schedule-changed-since')]])],
      ['raw/games', new Map(days.map((d) => [d, succeeded(`g-${d}`, { inputsHash: hashInputs(encodeInputs([])) })]))],
    ]);
    const state: PlannerState = { now: NOW, records, calendars, settled: new Map() };
    expect(buildPlan(ordering, '*', state, options).stalePartitions).toBe(0);
    records.get('raw/schedule')!.set('2024', { ...succeeded('x'), status: 'failed', error: 'boom' });
    expect(reasons(buildPlan(ordering, '*', state, options))).toEqual({ 'raw/schedule 2024': 'failed' });
    // Both planned: the reader still runs after what it reads.
    const forced = buildPlan(ordering, '*', state, { ...options, force: true });
    const schedule = forced.steps.find((st) => st.asset === 'raw/schedule')!;
    expect(forced.steps.filter((st) => st.asset === 'raw/games').every((st) => st.dependsOn.includes(schedule.id))).toBe(true);
  });

  it('--force plans every selected partition; filters narrow it', () => {
    const plan = buildPlan(graph(), 'raw/games', freshState().state, { ...options, force: true, filter: { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2023-11-07', dateTo: '2023-11-07' } });
    expect(reasons(plan)).toEqual({ 'raw/games 2024|2023-11-07': 'forced' });
  });

  it('builds what the selection reads where it was never built, and says so, but refreshes stale upstream only when asked', () => {
    const state: PlannerState = { now: NOW, records: new Map(), calendars, settled: new Map() };
    const view = buildPlan(graph(), 'bronze/games', state, options); // the selection's own state, as status shows it
    expect(view.steps.every((st) => st.asset === 'bronze/games')).toBe(true);
    expect(view.warnings).toEqual(['bronze/games: 3 partition(s) read raw/games, which has not been materialized and is not selected; select "+bronze/games" to build it first.']);
    const building = { ...options, buildNeverBuiltUpstream: true };
    const plan = buildPlan(graph(), 'bronze/games', state, building);
    expect(reasons(plan)).toMatchObject({ 'raw/games 2024|2023-11-07': 'missing', 'bronze/games 2024|2023-11-07': 'missing' });
    expect(plan.steps.filter((st) => st.asset === 'bronze/games').every((st) => st.dependsOn.length > 0)).toBe(true);
    expect(plan.warnings).toEqual([
      'Not selected, but read by the selection and never materialized there, so planned too: raw/schedule (1), raw/games (3). Select "+bronze/games" to refresh their stale partitions as well.',
    ]);
    // Built once (and stale since): not pulled in again; "+" asks for it.
    const { state: built, records } = freshState();
    const rawGames = records.get('raw/games')!;
    const [first] = [...rawGames.keys()];
    rawGames.set(first!, { ...rawGames.get(first!)!, status: 'failed', error: 'boom' });
    records.delete('bronze/games');
    expect(Object.keys(reasons(buildPlan(graph(), 'bronze/games', built, building))).every((k) => k.startsWith('bronze/'))).toBe(true);
    expect(Object.keys(reasons(buildPlan(graph(), '+bronze/games', built, building)))).toContain(`raw/games ${first}`);
  });
});
