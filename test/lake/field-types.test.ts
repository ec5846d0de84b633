import { describe, expect, it } from 'vitest';
import { duckType, glueType, misfit, t, unlistedFields } from '../../src/lake/schema/field-types.ts';
import { duckTypeOfGlue } from '../../src/lake/schema/glue-types.ts';

const box = t.struct([
  ['gameId', t.bigint],
  ['startDate', t.timestamp],
  ['minutes', t.double, true],
  ['points', t.int],
  ['periods', t.array(t.int)],
  ['fieldGoals', t.struct([['made', t.int], ['pct', t.double, true]])],
]);
const good = { gameId: 202400083000, startDate: '2024-01-15T23:00:00.000Z', minutes: null, points: 70, periods: [30, 40], fieldGoals: { made: 25, pct: 0.45 } };

describe('declared field types', () => {
  it('render the same type for Glue and for DuckDB', () => {
    expect(glueType(box)).toBe('struct<gameid:bigint,startdate:timestamp,minutes:double,points:int,periods:array<int>,fieldgoals:struct<made:int,pct:double>>');
    expect(duckType(box)).toBe('STRUCT("gameId" BIGINT, "startDate" TIMESTAMP, "minutes" DOUBLE, "points" INTEGER, "periods" INTEGER[], "fieldGoals" STRUCT("made" INTEGER, "pct" DOUBLE))');
    expect(duckTypeOfGlue('array<struct<made:int,pct:double>>')).toBe('STRUCT("made" INTEGER, "pct" DOUBLE)[]');
  });

  it('accept a record that fits', () => {
    expect(misfit(good, box, false, '')).toBeUndefined();
  });

  it.each([
    ['a fraction in an integer', { points: 70.5 }, 'points should be an integer, got 70.5'],
    ['an integer past 32 bits', { points: 2 ** 31 }, 'points 2147483648 does not fit a 32-bit integer'],
    ['a string for a number', { gameId: '1' }, 'gameId should be an integer, got "1"'],
    ['a null where none is declared', { points: null }, 'points is null but the schema says it never is'],
    ['a bad timestamp', { startDate: 'yesterday' }, 'startDate should be an ISO timestamp, got "yesterday"'],
    ['a bad list element', { periods: [30, 'x'] }, 'periods[1] should be an integer, got "x"'],
    ['a nested misfit', { fieldGoals: { made: '25', pct: 0.4 } }, 'fieldGoals.made should be an integer, got "25"'],
    ['an object where a list belongs', { periods: {} }, 'periods should be a list, got object'],
  ])('name the field when a record does not fit: %s', (_what, change, reason) => {
    expect(misfit({ ...good, ...change }, box, false, '')).toBe(reason);
  });

  it('list the fields the declaration does not know, without calling them misfits', () => {
    const extra = { ...good, externalId: 'sim-1' };
    expect(misfit(extra, box, false, '')).toBeUndefined();
    expect(unlistedFields(extra, box)).toEqual(['externalId']);
  });
});
