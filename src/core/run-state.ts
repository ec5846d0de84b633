/**
 * The planner's state as a run changes it: every partition committed during the run is recorded here too, so a later
 * step's staleness re-check and input fingerprints see it without reading the run log back.
 */
import type { AssetDefinition, PartitionOutput } from './asset.ts';
import { DefinitionError } from './errors.ts';
import type { AssetGraph } from './graph.ts';
import { upstreamPartitionsOf } from './mappings.ts';
import { seasonDateKey, seasonOfKey, validatePartitionKey, type SeasonWindow } from './partitions.ts';
import { PartitionUniverse } from './planner.ts';
import { encodeInputs, hashInputs, inputFingerprint, type PartitionRecord, type PlannerState } from './state.ts';

export class LiveRunState {
  private readonly records = new Map<string, Map<string, PartitionRecord>>();
  private readonly calendars = new Map<string, Map<number, readonly string[]>>();
  /** The state as the planner reads it; its maps are the ones this class updates. */
  readonly planner: PlannerState;
  private universeNow: PartitionUniverse;

  constructor(
    private readonly graph: AssetGraph,
    state: PlannerState,
    private readonly window: SeasonWindow,
  ) {
    for (const [asset, map] of state.records) this.records.set(asset, new Map(map));
    for (const [asset, map] of state.calendars) this.calendars.set(asset, new Map(map));
    this.planner = { ...state, records: this.records, calendars: this.calendars };
    this.universeNow = new PartitionUniverse(graph, this.planner, window);
  }

  /** Every partition of every asset by today, as the calendars known now make it. */
  get universe(): PartitionUniverse {
    return this.universeNow;
  }

  /** The calendars changed (a calendar asset committed): partitions of season×date assets are counted anew. */
  refreshUniverse(): void {
    this.universeNow = new PartitionUniverse(this.graph, this.planner, this.window);
  }

  record(asset: string, partition: string): PartitionRecord | undefined {
    return this.records.get(asset)?.get(partition);
  }

  /** What the output was built from: the fingerprint of each dependency that affects staleness. */
  inputsOf(asset: AssetDefinition, partition: string): { inputs: string; inputsHash: number } {
    const inputs = encodeInputs(this.graph.stalenessInputs(asset.key).map((edge) =>
      [edge.key, inputFingerprint(edge.mapping, partition, this.universeNow.of(edge.key), this.records.get(edge.key))] as const));
    return { inputs, inputsHash: hashInputs(inputs) };
  }

  /** The partitions of `dependency` that `partitions` of `asset` read, through the declared mapping. */
  inputPartitions(asset: AssetDefinition, dependency: string, partitions: readonly string[]): string[] {
    const edge = this.graph.upstream(asset.key).find((e) => e.key === dependency);
    if (!edge) {
      const declared = this.graph.upstream(asset.key).map((e) => e.key);
      throw new DefinitionError(`${asset.key} reads ${dependency}, which it does not declare as a dependency (deps: ${declared.join(', ') || 'none'}). Add "${dependency}" to its deps.`);
    }
    const index = this.universeNow.of(dependency);
    const out = new Set<string>();
    for (const p of partitions) for (const key of upstreamPartitionsOf(edge.mapping, p, index)) out.add(key);
    return [...out];
  }

  /**
   * Why a calendar output cannot be recorded (a date that is not a real day of its season's window, as an API could
   * send), or undefined. Calendar dates become partition keys and then paths, so they are checked here, once.
   */
  calendarProblem(output: PartitionOutput): string | undefined {
    const season = seasonOfKey(output.partition);
    if (!output.calendar || season === undefined) return undefined;
    for (const date of output.calendar) {
      try {
        validatePartitionKey({ kind: 'season_date' }, seasonDateKey(season, date), this.window);
      } catch (error) {
        return `its calendar has a game day that cannot be a partition: ${(error as Error).message}`;
      }
    }
    return undefined;
  }

  /** A partition was committed and recorded as succeeded. */
  succeeded(asset: AssetDefinition, output: PartitionOutput, inputsHash: number, at: number): void {
    let map = this.records.get(asset.key);
    if (!map) this.records.set(asset.key, (map = new Map()));
    if (output.calendar) {
      let bySeason = this.calendars.get(asset.key);
      if (!bySeason) this.calendars.set(asset.key, (bySeason = new Map()));
      bySeason.set(seasonOfKey(output.partition)!, [...output.calendar].sort());
    }
    map.set(output.partition, {
      status: 'succeeded', dataVersion: output.dataVersion, codeVersion: asset.codeVersion, inputsHash,
      lastSuccessAt: at, lastAttemptAt: at, error: null,
    });
  }
}
