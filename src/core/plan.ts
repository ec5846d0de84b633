/**
 * A plan is data before it is action: a frozen list of steps, each an asset and the partitions to compute with the
 * reason each one is stale. `cbbd plan` prints it; the materializer only interprets it.
 */
import type { PartitionFilter } from './partitions.ts';

export type StaleReason =
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly error?: string }
  | { readonly kind: 'code_changed'; readonly from: string; readonly to: string }
  | { readonly kind: 'upstream_changed'; readonly upstream: string }
  | { readonly kind: 'source_volatile'; readonly why: 'rolling_window' | 'season_in_progress' | 'snapshot_age' }
  /** An upstream partition is planned in the same run; re-checked after it runs, so an identical result stops here. */
  | { readonly kind: 'upstream_stale'; readonly upstream: string }
  | { readonly kind: 'forced' };

export type StaleReasonKind = StaleReason['kind'];

export interface PlannedPartition {
  readonly key: string;
  readonly reason: StaleReason;
}

export interface MaterializeStep {
  readonly kind: 'materialize';
  /** `asset#n`, unique in the plan. */
  readonly id: string;
  readonly asset: string;
  readonly partitions: readonly PlannedPartition[];
  /** Steps that must finish first: those computing an upstream partition this step reads. */
  readonly dependsOn: readonly string[];
  readonly expectedCalls: number;
  /** Under a call budget: the calls this (partial, deferrable) step may make; see `call-budget.ts`. */
  readonly callAllowance?: number;
}

/** A step the call budget left for a later run: its partitions stay stale, nothing is lost. */
export interface DeferredStep {
  readonly asset: string;
  readonly partitions: readonly string[];
  readonly expectedCalls: number;
  /** When the refresh fell due, and the latest moment it may wait to (epoch ms). */
  readonly dueAt: number;
  readonly mustRunBy: number;
}

/** The only step kind today; a union so that new kinds (checks, observations) extend it without breaking callers. */
export type PlanStep = MaterializeStep;

export interface AssetPlanSummary {
  readonly asset: string;
  /** Partitions that exist for the filter (game days up to today). */
  readonly partitions: number;
  readonly stale: number;
  readonly byReason: Readonly<Partial<Record<StaleReasonKind, number>>>;
  readonly expectedCalls: number;
}

export interface Plan {
  readonly selection: string;
  readonly filter: PartitionFilter;
  readonly createdAt: string;
  readonly assets: readonly AssetPlanSummary[];
  readonly steps: readonly PlanStep[];
  readonly stalePartitions: number;
  readonly expectedCalls: number;
  /** Things that will probably make a step fail, with how to avoid them. */
  readonly warnings: readonly string[];
  /** Under a call budget: the budget, and the steps it deferred to a later run. */
  readonly callBudget?: { readonly calls: number; readonly spentBeforePlan: number; readonly deferred: readonly DeferredStep[] };
}

/** One line describing a reason, for people. */
export function describeReason(reason: StaleReason): string {
  switch (reason.kind) {
    case 'missing':
      return 'missing (never materialized)';
    case 'failed':
      return `failed last time${reason.error ? `: ${reason.error}` : ''}`;
    case 'code_changed':
      return `code changed (${reason.from} -> ${reason.to})`;
    case 'upstream_changed':
      return `upstream changed (${reason.upstream})`;
    case 'source_volatile':
      return `source may still change (${reason.why.replace(/_/g, ' ')})`;
    case 'upstream_stale':
      return `upstream is stale (${reason.upstream})`;
    case 'forced':
      return 'forced';
  }
}
