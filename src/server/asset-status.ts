/**
 * The state of every asset and partition as the page shows it, from one plan over the run log. Plans are cached by
 * (selection, season) and recomputed only when the run log changed or the cache is older than a minute (staleness
 * also moves with the clock), so `/api/assets` answers from memory. While a run writes, the run log changes with
 * every event: a plan per poll of the page would make each answer wait for one (about 50 ms for a season's 1,200
 * partitions, far more on a busy machine), so the last snapshot answers at once and is refreshed after the answer,
 * at most once every REFRESH_WHILE_RUNNING_MS. Once no run is under way, a changed run log is planned again before
 * the answer: the page never shows a finished run as still going.
 */
import type { AssetGraph } from '../core/graph.ts';
import { seasonOfKey, type SeasonWindow } from '../core/partitions.ts';
import type { Plan, StaleReason } from '../core/plan.ts';
import { partitionCounts, stateOfCounts, stateOfReason, type PartitionState } from '../core/partition-counts.ts';
import { buildPlan } from '../core/planner.ts';
import type { RunLogReader } from '../store/run-log.ts';
import { plannerStateOf } from '../core/run-selection.ts';
import type { PartitionRecords } from '../core/state.ts';

export type NodeState = PartitionState;

export interface AssetView {
  readonly key: string;
  readonly partitions: number;
  readonly counts: Readonly<Record<NodeState, number>>;
  readonly state: NodeState;
  readonly reasons: Readonly<Partial<Record<StaleReason['kind'], number>>>;
}

export interface StatusSnapshot {
  readonly plan: Plan;
  readonly assets: readonly AssetView[];
  readonly reasons: ReadonlyMap<string, ReadonlyMap<string, StaleReason>>;
  readonly records: ReadonlyMap<string, PartitionRecords>;
  readonly running: ReadonlyMap<string, ReadonlySet<string>>;
  readonly computedAt: number;
}

export interface StatusOptions {
  readonly window: SeasonWindow;
  readonly rollingDays: number;
  /** The checkpoints' settled partitions, as last read (the plan is made synchronously, on the event loop). */
  readonly settled?: () => ReadonlyMap<string, ReadonlySet<string>>;
  /** Mark runs whose process is gone as failed before planning, as every command does (a writer's run log). */
  readonly recoverOrphans?: () => unknown;
  readonly now?: () => Date;
  readonly maxAgeMs?: number;
  /** While a run is under way, how often at most the snapshot is refreshed off the request path. */
  readonly refreshWhileRunningMs?: number;
}

export const REFRESH_WHILE_RUNNING_MS = 1_000;
/** Snapshots refreshed off the request path at once; another stale one answers as it is (at most STALE_AT_MOST_MS). */
const MAX_REFRESHING = 4;
/** The oldest snapshot answered while a run is under way; an older one is planned again before the answer. */
export const STALE_AT_MOST_MS = 10_000;

export class StatusCache {
  private readonly cache = new Map<string, { token: string; snapshot: StatusSnapshot }>();
  private built: { token: string; seasons: readonly number[] } | undefined;
  /** Keys whose refresh is scheduled (see the module's comment). */
  private readonly refreshing = new Set<string>();

  /** Seasons with at least one partition ever built, ascending: what the page's season filter starts on. */
  builtSeasons(): readonly number[] {
    const token = this.runLog.changeToken();
    if (this.built?.token !== token) {
      const seasons = new Set<number>();
      for (const partitions of this.runLog.loadPartitionRecords().values()) {
        for (const [key, record] of partitions) {
          const season = seasonOfKey(key);
          if (season !== undefined && record.dataVersion !== null) seasons.add(season);
        }
      }
      this.built = { token, seasons: [...seasons].sort((a, b) => a - b) };
    }
    return this.built.seasons;
  }

  constructor(
    private readonly graph: AssetGraph,
    private readonly runLog: RunLogReader,
    private readonly options: StatusOptions,
  ) {}

  snapshot(selection: string, season: number | undefined): StatusSnapshot {
    const key = `${selection}|${season ?? ''}`;
    const token = this.runLog.changeToken();
    const now = (this.options.now ?? (() => new Date()))();
    return this.answer(key, selection, season, token, now) ?? this.store(key, token, this.compute(selection, season, now));
  }

  /**
   * The snapshot `snapshot()` would answer without planning, or undefined when it would plan first: a plan holds the
   * event loop (a third of a second for 17 seasons), so the server plans only through a bounded queue.
   */
  cached(selection: string, season: number | undefined): StatusSnapshot | undefined {
    const now = (this.options.now ?? (() => new Date()))();
    return this.answer(`${selection}|${season ?? ''}`, selection, season, this.runLog.changeToken(), now);
  }

  private answer(key: string, selection: string, season: number | undefined, token: string, now: Date): StatusSnapshot | undefined {
    const hit = this.cache.get(key);
    if (hit && hit.token === token && now.getTime() - hit.snapshot.computedAt < (this.options.maxAgeMs ?? 60_000)) return hit.snapshot;
    // Never older than STALE_AT_MOST_MS, even when the first poll in a while comes during a long backfill.
    if (hit && now.getTime() - hit.snapshot.computedAt < STALE_AT_MOST_MS && this.runLog.runInProgress()) {
      this.refreshLater(key, selection, season, hit.snapshot.computedAt);
      return hit.snapshot;
    }
    return undefined;
  }

  private store(key: string, token: string, snapshot: StatusSnapshot): StatusSnapshot {
    if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { token, snapshot });
    return snapshot;
  }

  /** Plan again once the snapshot computed at `computedAt` is REFRESH_WHILE_RUNNING_MS old, after this answer. */
  private refreshLater(key: string, selection: string, season: number | undefined, computedAt: number): void {
    // A few keys at most: each refresh is a plan on the event loop, and keys are whatever selections were asked for.
    if (this.refreshing.has(key) || this.refreshing.size >= MAX_REFRESHING) return;
    this.refreshing.add(key);
    const clock = this.options.now ?? (() => new Date());
    const wait = Math.max(0, computedAt + (this.options.refreshWhileRunningMs ?? REFRESH_WHILE_RUNNING_MS) - clock().getTime());
    setTimeout(() => {
      this.refreshing.delete(key);
      try {
        // The token read before planning: a change during the plan leaves the snapshot behind, to be refreshed again.
        const token = this.runLog.changeToken();
        this.store(key, token, this.compute(selection, season, clock()));
      } catch {
        // The run log closed as the server stopped, or busy: the next request plans on its own path (and answers
        // with the error, if any).
        this.cache.delete(key);
      }
    }, wait).unref();
  }

  private compute(selection: string, season: number | undefined, now: Date): StatusSnapshot {
    const { runLog, options } = this;
    // The same builder as every command's plan: the page never shows a killed run's partitions as running.
    const state = plannerStateOf({
      loadPartitionRecords: () => runLog.loadPartitionRecords(), loadCalendars: () => runLog.loadCalendars(),
      builtInputs: (asset, partition) => runLog.builtInputs(asset, partition), ...(options.recoverOrphans && { recoverOrphans: options.recoverOrphans }),
    }, now, options.settled?.() ?? new Map());
    const { records } = state;
    const plan = buildPlan(this.graph, selection, state, {
      window: this.options.window, rollingDays: this.options.rollingDays,
      ...(season !== undefined && { filter: { seasonFrom: season, seasonTo: season } }),
    });
    const reasons = new Map<string, Map<string, StaleReason>>();
    for (const step of plan.steps) {
      let map = reasons.get(step.asset);
      if (!map) reasons.set(step.asset, (map = new Map()));
      for (const p of step.partitions) map.set(p.key, p.reason);
    }
    const running = this.runLog.runningPartitions();
    const assets = plan.assets.map((summary): AssetView => {
      // Each partition once, and only the running partitions of the season shown (partition-counts.ts).
      const under = [...(running.get(summary.asset) ?? [])].filter((p) => season === undefined || seasonOfKey(p) === undefined || seasonOfKey(p) === season);
      const counts = partitionCounts(summary, under.map((p) => reasons.get(summary.asset)?.get(p)));
      return { key: summary.asset, partitions: summary.partitions, counts, state: stateOfCounts(counts), reasons: summary.byReason };
    });
    return { plan, assets, reasons, records, running, computedAt: now.getTime() };
  }
}

/** The state of one partition for the grid. */
export function partitionState(snapshot: StatusSnapshot, asset: string, partition: string): { state: NodeState; reason?: StaleReason } {
  if (snapshot.running.get(asset)?.has(partition)) return { state: 'running' };
  const reason = snapshot.reasons.get(asset)?.get(partition);
  return reason ? { state: stateOfReason(reason), reason } : { state: 'fresh' };
}
