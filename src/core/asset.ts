/**
 * Declaring assets. An asset is a spec (key, dependencies, partitions, code version, schema, checks) and, apart, the
 * function that computes some of its partitions: `defineAsset(spec, compute)`.
 */
import type { Logger } from './logger.ts';
import type { PartitionMapping } from './mappings.ts';
import type { PartitionsDef } from './partitions.ts';
import type { StaleReasonKind } from './plan.ts';

export const LAYERS = ['raw', 'bronze', 'silver', 'gold'] as const;
export type Layer = (typeof LAYERS)[number];

export interface ColumnSpec {
  readonly name: string;
  /** A Parquet- and Glue-compatible type, in Glue's spelling (see `column-types.ts`). */
  readonly type: string;
  readonly nullable?: boolean;
  readonly description?: string;
}

export interface TableSchema {
  readonly columns: readonly ColumnSpec[];
  /** The natural key: column names, unique together across the whole table. */
  readonly primaryKey: readonly string[];
}

export interface DependencySpec {
  readonly key: string;
  /** Defaults to what the two partition definitions suggest (see `defaultMapping`). */
  readonly mapping?: PartitionMapping;
  /**
   * Default true. False for a dependency that is read but whose changes are covered otherwise: raw/plays reads the
   * day's games from raw/games, but a volatile day is re-fetched anyway, so a new game elsewhere in the season must
   * not make every day of plays stale.
   */
  readonly affectsStaleness?: boolean;
}

/** What one materialized partition produced. */
export interface PartitionOutput {
  readonly partition: string;
  /** A content hash of what was written: equal data, equal version, so nothing downstream goes stale. */
  readonly dataVersion: string;
  readonly rowCount?: number;
  readonly bytes?: number;
  /** Game days of this season, when the asset provides a calendar for season×date assets. */
  readonly calendar?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Makes the written data visible. Called only after every blocking check passed. */
  readonly commit?: () => Promise<void>;
  /** Hive partition folders written under the table (`season=2024/date=2024-01-15`), registered in the catalog on commit. */
  readonly tablePartitions?: readonly string[];
  /** Records kept out of the data (quarantined, with their reason) and the first reason, for the checks and the page. */
  readonly quarantine?: { readonly records: number; readonly firstProblem?: string };
  /** Source API calls this output took. */
  readonly apiCalls?: number;
}

export interface CheckOutcome {
  readonly passed: boolean;
  readonly detail?: string;
}

export interface AssetCheck {
  readonly name: string;
  /** A failed blocking check fails the partition (its data is not committed). Default true. */
  readonly blocking?: boolean;
  readonly description?: string;
  readonly run: (input: { asset: AssetSpec; output: PartitionOutput }) => CheckOutcome | Promise<CheckOutcome>;
  /**
   * The same check as SQL, so `cbbd validate` can run it again over what is stored: `query` reads the stored
   * partition as `out` and the asset's inputs by their view names (`inputs`: view name -> dependency key), and returns
   * one row `(passed BOOLEAN, detail VARCHAR)`. A check without it is evaluated at materialization only.
   */
  readonly sql?: { readonly query: string; readonly inputs: Readonly<Record<string, string>> };
}

export interface ComputeContext {
  readonly asset: AssetSpec;
  /** The partitions this step computes: one, or several contiguous ones when the asset allows batching. */
  readonly partitions: readonly string[];
  readonly runId: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /**
   * Why each partition is computed. A source asset may fetch incrementally (only what can still change) when a
   * partition is merely volatile, and must fetch everything when it is missing, forced or its code changed.
   */
  readonly reasons: ReadonlyMap<string, StaleReasonKind>;
  /**
   * The partitions of a declared dependency that `partition` reads (all of this step's partitions when omitted),
   * resolved through the dependency's partition mapping over the partitions that exist upstream. Reading an asset
   * that is not declared in `deps` is a DefinitionError, so what an asset declares and what it reads cannot drift
   * apart. The storage layout turns these keys into objects (`lake/`), never the compute.
   */
  readonly inputPartitions: (dependency: string, partition?: string) => readonly string[];
  /**
   * The source API calls this step may make, when the run has a call budget and the asset is `deferrable` with
   * `partial`: fetch the most overdue part of the work within it and leave the rest waiting. Undefined: no limit.
   */
  readonly callAllowance?: number;
}

export type ComputeFn = (ctx: ComputeContext) => Promise<readonly PartitionOutput[]>;

export interface AssetSpec {
  readonly key: string;
  readonly description?: string;
  readonly deps?: readonly (string | DependencySpec)[];
  readonly partitions: PartitionsDef;
  /** Bump when the compute logic changes: every partition becomes stale. */
  readonly codeVersion: string;
  readonly schema?: TableSchema;
  readonly checks?: readonly AssetCheck[];
  /** Contiguous partitions may be computed together, up to this many in one step. */
  readonly batch?: { readonly maxPartitions: number };
  /**
   * A source whose recent partitions may still change upstream (the API corrects recent games). Partitions inside
   * the rolling window, or of a season in progress, are re-fetched when older than `maxAgeHours`.
   */
  readonly volatile?: { readonly maxAgeHours: number };
  /**
   * How many source API calls computing these partitions is expected to take (for `cbbd plan` and the quota check).
   * The context, when given (see `call-estimate.ts`), says why each partition is planned and what is known of it.
   */
  readonly expectedCalls?: (partitions: readonly string[], context?: CallEstimateContext) => number;
  /**
   * Under a run's call budget (`materialize --call-budget`), a refresh of this asset's volatile partitions may wait
   * when the budget is spent on what matters more (scores, box scores, plays), for at most `withinHours` past the
   * moment it fell due; then it runs whatever the budget says. With `partial`, the step runs with a `callAllowance`
   * and fetches what it can (the oldest first), leaving the rest waiting. A missing, failed or code-changed
   * partition never waits.
   */
  readonly deferrable?: { readonly withinHours: number; readonly partial?: boolean };
  /**
   * How `cbbd show` and the page's preview order rows: `orderBy` is comma-separated `column [asc|desc]` terms over
   * the declared columns (`'composite_rank'`); the primary key's order without it.
   */
  readonly preview?: { readonly orderBy?: string };
}

/** What an estimate of API calls may know beyond the partitions: a refresh of a volatile partition fetches less. */
export interface CallEstimateContext {
  /** Why each partition is planned. */
  readonly reasons: ReadonlyMap<string, StaleReasonKind>;
  /** When the partition was last built successfully (epoch ms), if ever. */
  readonly lastSuccessAt: (partition: string) => number | undefined;
  /** The game days of a season, once its calendar is known (assets partitioned by a calendar). */
  readonly gameDays: (season: number) => readonly string[] | undefined;
  readonly now: Date;
}

export interface AssetDefinition extends AssetSpec {
  readonly compute: ComputeFn;
}

/** Declare an asset: the spec first, the function that computes it second. Validated when the graph loads. */
export function defineAsset(spec: AssetSpec, compute: ComputeFn): AssetDefinition {
  return Object.freeze({ ...spec, compute });
}

export function layerOf(key: string): string {
  return key.slice(0, key.indexOf('/'));
}
