/**
 * The state of every asset and partition as the page shows it, from one plan over the run log. Plans are cached by
 * (selection, season) and recomputed only when the run log changed or the cache is older than a minute (staleness
 * also moves with the clock), so `/api/assets` answers from memory.
 */
import type { AssetGraph } from '../core/graph.ts';
import { seasonOfKey, type SeasonWindow } from '../core/partitions.ts';
import type { Plan, StaleReason } from '../core/plan.ts';
import { buildPlan } from '../core/planner.ts';
import type { RunLogReader } from '../core/run-log/run-log.ts';
import type { PartitionRecords, PlannerState } from '../core/state.ts';

export type NodeState = 'fresh' | 'stale' | 'missing' | 'failed' | 'running';

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
  readonly settled?: () => ReadonlyMap<string, ReadonlySet<string>>;
  readonly now?: () => Date;
  readonly maxAgeMs?: number;
}

export class StatusCache {
  private readonly cache = new Map<string, { token: string; snapshot: StatusSnapshot }>();
  private built: { token: string; seasons: readonly number[] } | undefined;

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
    const hit = this.cache.get(key);
    if (hit && hit.token === token && now.getTime() - hit.snapshot.computedAt < (this.options.maxAgeMs ?? 60_000)) return hit.snapshot;
    const snapshot = this.compute(selection, season, now);
    if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { token, snapshot });
    return snapshot;
  }

  private compute(selection: string, season: number | undefined, now: Date): StatusSnapshot {
    const records = this.runLog.loadPartitionRecords();
    const state: PlannerState = {
      now, records, calendars: this.runLog.loadCalendars(), settled: this.options.settled?.() ?? new Map(),
      builtInputs: (asset, partition) => this.runLog.builtInputs(asset, partition),
    };
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
      const missing = summary.byReason.missing ?? 0;
      const failed = summary.byReason.failed ?? 0;
      const runningCount = running.get(summary.asset)?.size ?? 0;
      const counts = {
        fresh: summary.partitions - summary.stale, stale: summary.stale - missing - failed, missing, failed, running: runningCount,
      };
      // Never built is not stale: a season nobody asked for must not paint the graph yellow (the legend's ○ missing).
      const state: NodeState = runningCount ? 'running'
        : failed ? 'failed'
        : counts.stale ? 'stale'
        : missing ? 'missing'
        : 'fresh';
      return { key: summary.asset, partitions: summary.partitions, counts, state, reasons: summary.byReason };
    });
    return { plan, assets, reasons, records, running, computedAt: now.getTime() };
  }
}

/** The state of one partition for the grid. */
export function partitionState(snapshot: StatusSnapshot, asset: string, partition: string): { state: NodeState; reason?: StaleReason } {
  if (snapshot.running.get(asset)?.has(partition)) return { state: 'running' };
  const reason = snapshot.reasons.get(asset)?.get(partition);
  if (!reason) return { state: 'fresh' };
  if (reason.kind === 'missing') return { state: 'missing', reason };
  if (reason.kind === 'failed') return { state: 'failed', reason };
  return { state: 'stale', reason };
}
