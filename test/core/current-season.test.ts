/** `--season current`: the season in progress by the configured window, or the last one ended; never past seasons.last. */
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/core/errors.ts';
import { currentSeason, parseSeason } from '../../src/core/partitions.ts';
import { parsePartitionFilter } from '../../src/core/selection.ts';

const window = { firstSeason: 2010, lastSeason: 2030, start: '11-01', end: '04-30' };

describe('currentSeason', () => {
  it.each([
    ['2025-11-01T00:00:00Z', 2026, 'first day of the window: season 2026 has started'],
    ['2025-10-31T23:59:59Z', 2025, 'the day before: out of season, the last one ended'],
    ['2026-01-15T12:00:00Z', 2026, 'mid-season'],
    ['2026-04-30T23:59:59Z', 2026, 'last day of the window'],
    ['2026-05-01T00:00:00Z', 2026, 'the off-season after it: still the last one ended'],
    ['2026-07-04T00:00:00Z', 2026, 'summer'],
    ['2026-12-01T21:00:00Z', 2027, 'December is in the next season'],
  ])('at %s it is %i (%s)', (now, season) => {
    expect(currentSeason(new Date(now), window)).toBe(season);
  });

  it('follows a configured window (season N from Oct 15 of N-1 to Jun 15 of N)', () => {
    const w = { ...window, start: '10-15', end: '06-15' };
    expect(currentSeason(new Date('2025-10-15T00:00:00Z'), w)).toBe(2026);
    expect(currentSeason(new Date('2026-06-15T00:00:00Z'), w)).toBe(2026);
    expect(currentSeason(new Date('2026-06-16T00:00:00Z'), w)).toBe(2026);
    expect(currentSeason(new Date('2026-10-14T00:00:00Z'), w)).toBe(2026);
  });

  it('never goes beyond seasons.last, and says how to fix a clock before seasons.first', () => {
    expect(currentSeason(new Date('2031-02-01T00:00:00Z'), window)).toBe(2030);
    expect(() => currentSeason(new Date('2005-02-01T00:00:00Z'), window)).toThrow(PlanError);
    expect(() => currentSeason(new Date('2005-02-01T00:00:00Z'), window)).toThrow(/before the configured range 2010-2030: lower seasons.first/);
  });

  it('is what --season current and --seasons FROM-current mean, on the clock given', () => {
    const now = new Date('2026-02-10T08:00:00Z');
    expect(parseSeason('current', window, now)).toBe(2026);
    expect(parsePartitionFilter({ season: 'current' }, window, now)).toEqual({ seasonFrom: 2026, seasonTo: 2026 });
    expect(parsePartitionFilter({ seasons: '2020-current' }, window, now)).toEqual({ seasonFrom: 2020, seasonTo: 2026 });
    expect(() => parseSeason('currnet', window, now)).toThrow(/is not a season: use a four-digit year such as 2030, or "current"/);
  });
});
