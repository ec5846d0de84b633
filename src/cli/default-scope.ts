/**
 * What `cbbd plan` and `cbbd status` cover when no season is given: the seasons that have data plus the season in
 * progress, not every configured season (17 of them, and right after `npm start` some 33,000 partitions "missing" in
 * seasons nobody asked for). The first line of their output says so, and how to see the rest.
 */
import type { PlannerState } from '../core/state.ts';
import { seasonOfKey, type PartitionFilter, type SeasonWindow } from '../core/partitions.ts';
import { parsePartitionFilter, type PartitionFilterInput } from '../core/selection.ts';

export interface Scope {
  readonly filter: PartitionFilter;
  /** The line that says what a default scope covers; absent when the user gave a filter. */
  readonly note?: string;
}

/** The seasons with at least one partition built successfully. */
export function seasonsWithData(state: PlannerState): number[] {
  const seasons = new Set<number>();
  for (const records of state.records.values()) {
    for (const [partition, record] of records) {
      if (record.lastSuccessAt === null) continue;
      const season = seasonOfKey(partition);
      if (season !== undefined) seasons.add(season);
    }
  }
  return [...seasons].sort((a, b) => a - b);
}

export function scopeOf(input: PartitionFilterInput, window: SeasonWindow, state: PlannerState): Scope {
  if (input.season !== undefined || input.seasons !== undefined || input.date !== undefined || input.from !== undefined || input.to !== undefined) {
    return { filter: parsePartitionFilter(input, window) };
  }
  const current = parsePartitionFilter({ season: 'current' }, window).seasonFrom!;
  const withData = seasonsWithData(state).filter((s) => s >= window.firstSeason && s <= window.lastSeason);
  const from = Math.min(current, ...withData);
  const to = Math.max(current, ...withData);
  const all = `--seasons ${window.firstSeason}-${window.lastSeason} covers every configured season`;
  const what = withData.length
    ? `the seasons with data (${describeSeasons(withData)}) and ${current}, the season in progress`
    : `${current}, the season in progress (no season has data yet)`;
  return {
    filter: { seasonFrom: from, seasonTo: to },
    note: `Seasons ${from === to ? from : `${from}-${to}`}: ${what}; ${all}.`,
  };
}

function describeSeasons(seasons: readonly number[]): string {
  return seasons.length > 4 ? `${seasons[0]}-${seasons.at(-1)}, ${seasons.length} seasons` : seasons.join(', ');
}
