import { describe, expect, it } from 'vitest';
import { defaultMapping, mappingProblem, PartitionIndex, upstreamPartitionsOf } from '../../src/core/mappings.ts';

const dates = new PartitionIndex(['2023|2022-11-07', '2023|2022-11-08', '2024|2023-11-06', '2024|2023-11-07']);
const seasons = new PartitionIndex(['2023', '2024']);
const snapshot = new PartitionIndex(['-']);

describe('partition mappings', () => {
  it.each([
    ['identity', '2024|2023-11-06', dates, ['2024|2023-11-06']],
    ['date_to_season', '2024', dates, ['2024|2023-11-06', '2024|2023-11-07']],
    ['season_to_date', '2024|2023-11-07', seasons, ['2024']],
    ['earlier_dates', '2024|2023-11-07', dates, ['2024|2023-11-06']],
    ['earlier_dates', '2024|2023-11-06', dates, []],
    ['earlier_dates', '2024|2023-12-01', dates, ['2024|2023-11-06', '2024|2023-11-07']],
    ['all', '2024', snapshot, ['-']],
    ['all', '-', dates, dates.keys],
  ] as const)('%s: %s reads %j', (mapping, key, upstream, expected) => {
    expect(upstreamPartitionsOf(mapping, key, upstream)).toEqual(expected);
  });

  it('defaults follow the partition kinds on both sides', () => {
    expect(defaultMapping({ kind: 'season_date' }, { kind: 'season_date' })).toBe('identity');
    expect(defaultMapping({ kind: 'season' }, { kind: 'season_date' })).toBe('date_to_season');
    expect(defaultMapping({ kind: 'season_date' }, { kind: 'season' })).toBe('season_to_date');
    expect(defaultMapping({ kind: 'season' }, { kind: 'none' })).toBe('all');
  });

  it('rejects a mapping that cannot join the two sides', () => {
    expect(mappingProblem('identity', { kind: 'season' }, { kind: 'season_date' })).toMatch(/identity needs both sides/);
    expect(mappingProblem('date_to_season', { kind: 'season_date' }, { kind: 'season' })).toMatch(/date_to_season/);
    expect(mappingProblem('earlier_dates', { kind: 'season' }, { kind: 'season_date' })).toMatch(/earlier_dates/);
    expect(mappingProblem('earlier_dates', { kind: 'season_date' }, { kind: 'season_date' })).toBeUndefined();
  });
});
