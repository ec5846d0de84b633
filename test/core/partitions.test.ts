import { describe, expect, it } from 'vitest';
import {
  enumeratePartitions, isoDateToDay, parseSeason, seasonDates, seasonOfDate, validatePartitionKey,
} from '../../src/core/partitions.ts';
import { window } from '../helpers.ts';

describe('dates and seasons', () => {
  it.each([
    ['2024-01-15', true], ['2024-02-29', true], ['2023-02-29', false], ['2024-02-30', false],
    ['2024-13-01', false], ['../x', false], ['2024-1-5', false], ['', false],
  ])('isoDateToDay(%j) is a real date: %s', (date, real) => {
    expect(isoDateToDay(date) !== undefined).toBe(real);
  });

  it('a season runs from Nov 1 of the year before to Apr 30 of its year', () => {
    const dates = seasonDates(2024, window);
    expect(dates[0]).toBe('2023-11-01');
    expect(dates.at(-1)).toBe('2024-04-30');
    expect(dates).toHaveLength(182); // 2024 is a leap year
  });

  it.each([
    ['2023-11-01', 2024], ['2024-04-30', 2024], ['2024-01-15', 2024], ['2024-05-01', undefined], ['2024-11-02', 2025],
  ])('seasonOfDate(%s) = %s', (date, season) => {
    expect(seasonOfDate(date, window)).toBe(season);
  });
});

describe('validatePartitionKey rejects bad values before they become a key or a path', () => {
  it.each([
    [{ kind: 'season' } as const, '2019', /outside the configured range 2020-2025/],
    [{ kind: 'season' } as const, '20x4', /not a season/],
    [{ kind: 'season' } as const, '../x', /not a season/],
    [{ kind: 'season_date' } as const, '2024|2024-02-30', /not a real date/],
    [{ kind: 'season_date' } as const, '2024|2024-06-01', /not inside any configured season/],
    [{ kind: 'season_date' } as const, '2024|2024-12-01', /not inside season 2024's window/],
    [{ kind: 'season_date' } as const, '2024|../../etc', /not a real date/],
    [{ kind: 'season_date' } as const, '2024-01-15', /SEASON\|YYYY-MM-DD/],
    [{ kind: 'none' } as const, '2024', /unpartitioned/],
  ])('%j %s', (def, key, message) => {
    expect(() => validatePartitionKey(def, key, window)).toThrow(message);
  });

  it('accepts valid keys', () => {
    expect(validatePartitionKey({ kind: 'season_date' }, '2024|2024-01-15', window)).toBe('2024|2024-01-15');
    expect(validatePartitionKey({ kind: 'season' }, '2024', window)).toBe('2024');
    expect(parseSeason('2025', window)).toBe(2025);
  });
});

describe('enumeratePartitions', () => {
  it('stops at today: no future game days, no season that has not begun', () => {
    const keys = enumeratePartitions({ kind: 'season_date' }, window, '2023-11-03', new Map());
    expect(keys.at(-1)).toBe('2024|2023-11-03');
    expect(keys[0]).toBe('2020|2019-11-01');
    expect(enumeratePartitions({ kind: 'season' }, window, '2023-11-03', new Map())).toEqual(['2020', '2021', '2022', '2023', '2024']);
  });

  it('narrows a season to its game days when the calendar is known', () => {
    const calendars = new Map([['raw/schedule', new Map([[2024, ['2023-11-06', '2023-11-09']]])]]);
    const keys = enumeratePartitions({ kind: 'season_date', calendar: 'raw/schedule' }, window, '2030-01-01', calendars, {
      seasonFrom: 2024, seasonTo: 2024,
    });
    expect(keys).toEqual(['2024|2023-11-06', '2024|2023-11-09']);
  });

  it('applies season and date filters', () => {
    const keys = enumeratePartitions({ kind: 'season_date' }, window, '2030-01-01', new Map(), {
      seasonFrom: 2024, seasonTo: 2024, dateFrom: '2024-01-15', dateTo: '2024-01-17',
    });
    expect(keys).toEqual(['2024|2024-01-15', '2024|2024-01-16', '2024|2024-01-17']);
  });

  it('an unpartitioned asset has one partition', () => {
    expect(enumeratePartitions({ kind: 'none' }, window, '2030-01-01', new Map())).toEqual(['-']);
  });
});
