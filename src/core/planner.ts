/**
 * The staleness planner: one pure function from (graph, selection, state, options) to a frozen Plan.
 * One pass over the selected assets in topological order; per asset, set operations over in-memory maps.
 */
import type { AssetDefinition } from './asset.ts';
import type { AssetGraph } from './graph.ts';
import { PartitionIndex, upstreamPartitionsOf } from './mappings.ts';
import {
  dateOfKey, dayToIsoDate, enumeratePartitions, isoDateOf, isoDateToDay, seasonBounds, seasonOfKey,
  type PartitionFilter, type SeasonWindow,
} from './partitions.ts';
import type { AssetPlanSummary, MaterializeStep, Plan, PlannedPartition, StaleReason, StaleReasonKind } from './plan.ts';
import { selectAssets } from './selection.ts';
import { decodeInputs, encodeInputs, hashInputs, inputFingerprint, type PartitionRecord, type PlannerState } from './state.ts';

export interface PlanOptions {
  readonly window: SeasonWindow;
  readonly filter?: PartitionFilter;
  /** Re-materialize every selected partition whatever its state. */
  readonly force?: boolean;
  /** Recent game days whose source may still change (the API corrects recent games). */
  readonly rollingDays: number;
  /** Count stale partitions per asset without building steps (for `status`). */
  readonly countsOnly?: boolean;
  /**
   * Also plan the upstream partitions the selection reads that were never materialized, as `plan` and `materialize`
   * do; a view of the selection's own state (status, the lineage page) leaves this off.
   */
  readonly buildNeverBuiltUpstream?: boolean;
}

/** Partition universes per asset, computed once per plan. */
export class PartitionUniverse {
  /**
   * By partitioning (`season_date` on the games calendar...), not by asset: most assets share one of a few, and
   * enumerating every game day of every season for each of them was most of what a plan of a fresh season cost.
   */
  private readonly byPartitioning = new Map<string, PartitionIndex>();
  private readonly filteredCache = new Map<string, readonly string[]>();
  readonly today: string;
  readonly todayDay: number;
  constructor(
    private readonly graph: AssetGraph,
    private readonly state: PlannerState,
    private readonly window: SeasonWindow,
  ) {
    this.today = isoDateOf(state.now);
    this.todayDay = isoDateToDay(this.today)!;
  }

  private windowStart: { days: number; date: string } | undefined;

  /** The first game day still inside the rolling window of recent days. */
  rollingWindowStart(rollingDays: number): string {
    if (this.windowStart?.days !== rollingDays) this.windowStart = { days: rollingDays, date: dayToIsoDate(this.todayDay - rollingDays + 1) };
    return this.windowStart.date;
  }

  /** Every partition of an asset that exists by today, all seasons. */
  of(key: string): PartitionIndex {
    const partitioning = this.partitioningOf(key);
    let index = this.byPartitioning.get(partitioning);
    if (!index) {
      index = new PartitionIndex(enumeratePartitions(this.graph.get(key).partitions, this.window, this.today, this.state.calendars));
      this.byPartitioning.set(partitioning, index);
    }
    return index;
  }

  /** The partitions of an asset that pass a filter. */
  filtered(key: string, filter: PartitionFilter | undefined): readonly string[] {
    if (!filter || Object.keys(filter).length === 0) return this.of(key).keys;
    const cacheKey = `${this.partitioningOf(key)}|${filter.seasonFrom}|${filter.seasonTo}|${filter.dateFrom}|${filter.dateTo}`;
    let keys = this.filteredCache.get(cacheKey);
    if (!keys) {
      keys = enumeratePartitions(this.graph.get(key).partitions, this.window, this.today, this.state.calendars, filter);
      this.filteredCache.set(cacheKey, keys);
    }
    return keys;
  }

  /** What decides an asset's partitions: its kind, and for game days the calendar asset. */
  private partitioningOf(key: string): string {
    const { partitions } = this.graph.get(key);
    return partitions.kind === 'season_date' ? `season_date:${partitions.calendar ?? ''}` : partitions.kind;
  }
}

/**
 * Why a partition is stale, ignoring partitions planned upstream in the same run, or undefined when it is fresh.
 * Shared by the planner and the materializer's re-check after upstream steps ran.
 */
export function staleReason(
  graph: AssetGraph,
  asset: AssetDefinition,
  partition: string,
  record: PartitionRecord | undefined,
  state: PlannerState,
  universe: PartitionUniverse,
  options: PlanOptions,
): StaleReason | undefined {
  if (options.force) return FORCED;
  if (!record || record.dataVersion === null) {
    return record?.status === 'failed' ? { kind: 'failed', ...(record.error && { error: record.error }) } : MISSING;
  }
  if (record.status === 'failed') return { kind: 'failed', ...(record.error && { error: record.error }) };
  if (record.codeVersion !== asset.codeVersion) return { kind: 'code_changed', from: record.codeVersion ?? '?', to: asset.codeVersion };
  const edges = graph.stalenessInputs(asset.key);
  if (edges.length) {
    const current = edges.map((e) => [e.key, inputFingerprint(e.mapping, partition, universe.of(e.key), state.records.get(e.key))] as const);
    if (record.inputsHash !== hashInputs(encodeInputs(current))) {
      const built = decodeInputs(state.builtInputs?.(asset.key, partition) ?? null);
      const changed = current.filter(([key, fingerprint]) => built[key] !== fingerprint).map(([key]) => key);
      return { kind: 'upstream_changed', upstream: (changed.length ? changed : edges.map((e) => e.key)).join(', ') };
    }
  }
  return volatileReason(asset, partition, record, state, universe, options);
}

function volatileReason(
  asset: AssetDefinition,
  partition: string,
  record: PartitionRecord,
  state: PlannerState,
  universe: PartitionUniverse,
  options: PlanOptions,
): StaleReason | undefined {
  if (!asset.volatile || record.lastSuccessAt === null) return undefined;
  if (state.now.getTime() - record.lastSuccessAt < asset.volatile.maxAgeHours * 3_600_000) return undefined;
  if (state.settled.get(asset.key)?.has(partition)) return undefined;
  switch (asset.partitions.kind) {
    case 'none':
      return SNAPSHOT_AGE;
    case 'season': {
      const { first, last } = seasonBounds(Number(partition), options.window);
      return universe.todayDay >= first && universe.todayDay <= last + options.rollingDays ? SEASON_IN_PROGRESS : undefined;
    }
    case 'season_date':
      // ISO dates compare as strings; the window's first day is computed once per plan.
      return dateOfKey(partition)! >= universe.rollingWindowStart(options.rollingDays) ? ROLLING_WINDOW : undefined;
  }
}

// Shared, frozen reasons: a plan of a million partitions needs no million copies of `{ kind: 'missing' }`.
const MISSING: StaleReason = Object.freeze({ kind: 'missing' });
const FORCED: StaleReason = Object.freeze({ kind: 'forced' });
const SNAPSHOT_AGE: StaleReason = Object.freeze({ kind: 'source_volatile', why: 'snapshot_age' });
const SEASON_IN_PROGRESS: StaleReason = Object.freeze({ kind: 'source_volatile', why: 'season_in_progress' });
const ROLLING_WINDOW: StaleReason = Object.freeze({ kind: 'source_volatile', why: 'rolling_window' });
const UPSTREAM_STALE = new Map<string, StaleReason>();
function upstreamStale(upstream: string): StaleReason {
  let reason = UPSTREAM_STALE.get(upstream);
  if (!reason) UPSTREAM_STALE.set(upstream, (reason = Object.freeze({ kind: 'upstream_stale', upstream })));
  return reason;
}

/** Compute the plan for a selection: every stale partition with its reason, in steps ordered by dependency. */
export function buildPlan(graph: AssetGraph, selection: string, state: PlannerState, options: PlanOptions): Plan {
  const universe = new PartitionUniverse(graph, state, options.window);
  const chosen = selectAssets(graph, selection);
  const pulledIn = options.buildNeverBuiltUpstream ? neverBuiltUpstream(graph, chosen, state, universe, options.filter) : new Set<string>();
  const selectedSet = new Set([...chosen, ...pulledIn]);
  const selected = graph.order.filter((k) => selectedSet.has(k));
  const planned = new Map<string, Map<string, StaleReason>>();
  const steps: MaterializeStep[] = [];
  const stepOf = new Map<string, Map<string, string>>(); // asset -> partition -> step id
  const summaries: AssetPlanSummary[] = [];
  const warnings: string[] = [];
  const neverBuilt: string[] = [];

  for (const key of selected) {
    const asset = graph.get(key);
    const records = state.records.get(key);
    const keys = universe.filtered(key, options.filter);
    const stale = new Map<string, StaleReason>();
    const edges = graph.upstream(key);
    const missingUpstream = new Map<string, number>();
    const pulled = pulledIn.has(key);
    const own = pulled ? { ...options, force: false } : options;
    for (const partition of keys) {
      const record = records?.get(partition);
      // An upstream asset pulled in is only built where it never was: refreshing it is for "+key" to ask.
      let reason = pulled && record?.dataVersion ? undefined : staleReason(graph, asset, partition, record, state, universe, own);
      for (const edge of edges) {
        const upPlanned = planned.get(edge.key);
        const selectedUpstream = selectedSet.has(edge.key);
        if (reason && selectedUpstream) continue;
        if (!upPlanned?.size && selectedUpstream) continue;
        const ups = upstreamPartitionsOf(edge.mapping, partition, universe.of(edge.key));
        if (!reason && edge.affectsStaleness && upPlanned?.size && ups.some((u) => upPlanned.has(u))) reason = upstreamStale(edge.key);
        if (!selectedUpstream && ups.length === 1 && !state.records.get(edge.key)?.get(ups[0]!)?.dataVersion) {
          missingUpstream.set(edge.key, (missingUpstream.get(edge.key) ?? 0) + 1);
        }
      }
      if (reason) stale.set(partition, reason);
    }
    for (const [up, count] of missingUpstream) {
      warnings.push(`${key}: ${count} partition(s) read ${up}, which has not been materialized and is not selected; select "+${key}" to build it first.`);
    }
    if (pulled) neverBuilt.push(`${key} (${stale.size})`);
    planned.set(key, stale);
    const assetSteps = options.countsOnly ? [] : batchSteps(asset, keys, stale);
    const partitionStep = new Map<string, string>();
    for (const step of assetSteps) for (const p of step.partitions) partitionStep.set(p.key, step.id);
    stepOf.set(key, partitionStep);
    for (const step of assetSteps) {
      steps.push({ ...step, dependsOn: stepDependencies(step.partitions, edges, stepOf, universe) });
    }
    const byReason: Partial<Record<StaleReasonKind, number>> = {};
    for (const reason of stale.values()) byReason[reason.kind] = (byReason[reason.kind] ?? 0) + 1;
    summaries.push({
      asset: key,
      partitions: keys.length,
      stale: stale.size,
      byReason,
      expectedCalls: options.countsOnly ? 0 : assetSteps.reduce((n, s) => n + s.expectedCalls, 0),
    });
  }

  if (neverBuilt.length) {
    warnings.push(
      `Not selected, but read by the selection and never materialized there, so planned too: ${neverBuilt.join(', ')}. ` +
        `Select "${selection.split(',').map((t) => (t.trim().startsWith('+') ? t.trim() : `+${t.trim()}`)).join(',')}" to refresh their stale partitions as well.`,
    );
  }
  return freezePlan({
    selection,
    filter: options.filter ?? {},
    createdAt: state.now.toISOString(),
    assets: summaries,
    steps,
    stalePartitions: summaries.reduce((n, s) => n + s.stale, 0),
    expectedCalls: summaries.reduce((n, s) => n + s.expectedCalls, 0),
    warnings,
  });
}

/**
 * Upstream assets the selection reads that were never materialized in some partition of the filter, found walking up
 * from the selection (through assets pulled in, not past complete ones). Asking
 * for `silver/*` on an empty lakehouse then builds what silver needs instead of failing for want of input.
 */
function neverBuiltUpstream(
  graph: AssetGraph, chosen: readonly string[], state: PlannerState, universe: PartitionUniverse, filter: PartitionFilter | undefined,
): Set<string> {
  const pulled = new Set<string>();
  const visited = new Set(chosen);
  const queue = [...chosen];
  while (queue.length) {
    for (const { key: up } of graph.upstream(queue.shift()!)) {
      if (visited.has(up)) continue;
      visited.add(up);
      const records = state.records.get(up);
      if (universe.filtered(up, filter).every((p) => records?.get(p)?.dataVersion)) continue;
      pulled.add(up);
      queue.push(up);
    }
  }
  return pulled;
}

/** Group an asset's stale partitions into steps: contiguous runs within one season, up to the asset's batch size. */
function batchSteps(asset: AssetDefinition, keys: readonly string[], stale: ReadonlyMap<string, StaleReason>): Omit<MaterializeStep, 'dependsOn'>[] {
  const max = asset.batch?.maxPartitions ?? 1;
  const batches: PlannedPartition[][] = [];
  let current: PlannedPartition[] = [];
  let previousIndex = -2;
  keys.forEach((key, index) => {
    const reason = stale.get(key);
    if (!reason) return;
    const last = current[current.length - 1];
    const contiguous = index === previousIndex + 1 && last !== undefined && seasonOfKey(last.key) === seasonOfKey(key);
    if (!contiguous || current.length >= max) {
      if (current.length) batches.push(current);
      current = [];
    }
    current.push({ key, reason });
    previousIndex = index;
  });
  if (current.length) batches.push(current);
  return batches.map((partitions, i) => ({
    kind: 'materialize' as const,
    id: `${asset.key}#${i + 1}`,
    asset: asset.key,
    partitions,
    expectedCalls: asset.expectedCalls?.(partitions.map((p) => p.key)) ?? 0,
  }));
}

function stepDependencies(
  partitions: readonly PlannedPartition[],
  edges: ReturnType<AssetGraph['upstream']>,
  stepOf: ReadonlyMap<string, ReadonlyMap<string, string>>,
  universe: PartitionUniverse,
): string[] {
  const deps = new Set<string>();
  for (const edge of edges) {
    const upSteps = stepOf.get(edge.key);
    if (!upSteps?.size) continue;
    const seen = new Set<readonly string[]>();
    for (const p of partitions) {
      const ups = upstreamPartitionsOf(edge.mapping, p.key, universe.of(edge.key));
      if (seen.has(ups)) continue; // `all` returns one shared list: look at it once
      seen.add(ups);
      for (const u of ups) {
        const id = upSteps.get(u);
        if (id) deps.add(id);
      }
    }
  }
  return [...deps];
}

/**
 * Freeze the plan and its lists, so the materializer can only interpret it. Steps are readonly by type; freezing
 * each of a hundred thousand steps would cost more than the rest of planning.
 */
function freezePlan(plan: Plan): Plan {
  Object.freeze(plan.steps);
  Object.freeze(plan.assets);
  Object.freeze(plan.warnings);
  return Object.freeze(plan);
}
