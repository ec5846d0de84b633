/**
 * Partition mappings: which partitions of an upstream asset a downstream partition is built from.
 *
 * - identity: the same key (both sides partitioned alike);
 * - date_to_season: a season partition depends on every game day of that season upstream;
 * - season_to_date: a game-day partition depends on its season's partition upstream;
 * - earlier_dates: a game-day partition depends on every game day of its season strictly before it upstream (a
 *   time window from the season's start with an offset of one day, as Dagster's TimeWindowPartitionMapping with
 *   start_offset): "as of the morning of day D". A late correction to one day makes exactly the later days stale;
 *   the season's first game day reads nothing;
 * - all: depends on every partition upstream (for an unpartitioned upstream, its one latest snapshot).
 */
import type { PartitionsDef } from './partitions.ts';
import { seasonOfKey } from './partitions.ts';

export type PartitionMapping = 'identity' | 'date_to_season' | 'season_to_date' | 'earlier_dates' | 'all';

export const PARTITION_MAPPINGS: readonly PartitionMapping[] = ['identity', 'date_to_season', 'season_to_date', 'earlier_dates', 'all'];

/** The mapping an author would expect when none is declared. */
export function defaultMapping(down: PartitionsDef, up: PartitionsDef): PartitionMapping {
  if (up.kind === 'none' || down.kind === 'none') return 'all';
  if (down.kind === up.kind) return 'identity';
  return down.kind === 'season' ? 'date_to_season' : 'season_to_date';
}

/** Why a mapping cannot join these two definitions, or undefined when it can. */
export function mappingProblem(mapping: PartitionMapping, down: PartitionsDef, up: PartitionsDef): string | undefined {
  switch (mapping) {
    case 'identity':
      return down.kind === up.kind ? undefined : `identity needs both sides partitioned alike (${down.kind} vs ${up.kind})`;
    case 'date_to_season':
      return down.kind === 'season' && up.kind === 'season_date'
        ? undefined
        : `date_to_season maps a season partition onto season×date upstream partitions (${down.kind} vs ${up.kind})`;
    case 'season_to_date':
      return down.kind === 'season_date' && up.kind === 'season'
        ? undefined
        : `season_to_date maps a season×date partition onto a season upstream partition (${down.kind} vs ${up.kind})`;
    case 'earlier_dates':
      return down.kind === 'season_date' && up.kind === 'season_date'
        ? undefined
        : `earlier_dates maps a season×date partition onto the earlier season×date partitions of its season (${down.kind} vs ${up.kind})`;
    case 'all':
      return undefined;
  }
}

/**
 * The partitions of an asset, in order, indexed by season so that mappings cost a lookup, not a scan.
 * `keys` is the universe the planner considers for that asset.
 */
export class PartitionIndex {
  readonly keys: readonly string[];
  private readonly bySeason = new Map<number, string[]>();

  constructor(keys: readonly string[]) {
    this.keys = keys;
    for (const key of keys) {
      const season = seasonOfKey(key);
      if (season === undefined) continue;
      let list = this.bySeason.get(season);
      if (!list) this.bySeason.set(season, (list = []));
      list.push(key);
    }
  }

  ofSeason(season: number): readonly string[] {
    return this.bySeason.get(season) ?? [];
  }

  /** The season×date keys of a season strictly before `key` (keys of one season sort by date as strings). */
  earlierInSeason(key: string): readonly string[] {
    const days = this.ofSeason(seasonOfKey(key)!);
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (days[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return days.slice(0, lo);
  }
}

/** The upstream partitions that a downstream partition `key` is built from. */
export function upstreamPartitionsOf(mapping: PartitionMapping, key: string, upstream: PartitionIndex): readonly string[] {
  switch (mapping) {
    case 'identity':
      return [key];
    case 'date_to_season':
      return upstream.ofSeason(seasonOfKey(key)!);
    case 'season_to_date':
      return [String(seasonOfKey(key))];
    case 'earlier_dates':
      return upstream.earlierInSeason(key);
    case 'all':
      return upstream.keys;
  }
}
