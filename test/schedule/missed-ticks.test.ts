/** The missed-tick rule: ticks missed while no scheduler ran run once at start-up (the latest), never once each. */
import { describe, expect, it } from 'vitest';
import { cronOf, missedTick, previousTick } from '../../src/schedule/missed-ticks.ts';

const nightly = cronOf({ cron: '0 8 * * *', timezone: 'UTC' });
const at = (iso: string) => new Date(iso);

describe('missedTick', () => {
  it('a schedule never seen before has missed nothing', () => {
    expect(missedTick(nightly, undefined, at('2026-02-10T09:00:00Z'))).toBeUndefined();
  });

  it('nothing is missed before the next occurrence after the last tick', () => {
    expect(missedTick(nightly, at('2026-02-10T08:00:00Z'), at('2026-02-11T07:59:59Z'))).toBeUndefined();
    expect(missedTick(nightly, at('2026-02-10T08:00:00Z'), at('2026-02-10T08:00:00Z'))).toBeUndefined();
  });

  it('one night missed: its tick, at its planned time', () => {
    expect(missedTick(nightly, at('2026-02-10T08:00:00Z'), at('2026-02-11T08:00:00Z'))).toEqual({ plannedAt: at('2026-02-11T08:00:00Z'), count: 1, countCapped: false });
  });

  it('a week stopped: one tick, planned at the latest missed night, standing for seven', () => {
    expect(missedTick(nightly, at('2026-02-10T08:00:00Z'), at('2026-02-17T10:30:00Z'))).toEqual({ plannedAt: at('2026-02-17T08:00:00Z'), count: 7, countCapped: false });
  });

  it('reads the schedule in its own time zone (08:00 in New York is 13:00 UTC in winter, 12:00 in summer)', () => {
    const ny = cronOf({ cron: '0 8 * * *', timezone: 'America/New_York' });
    expect(missedTick(ny, at('2026-01-10T13:00:00Z'), at('2026-01-11T12:59:00Z'))).toBeUndefined();
    expect(missedTick(ny, at('2026-01-10T13:00:00Z'), at('2026-01-11T13:00:00Z'))?.plannedAt).toEqual(at('2026-01-11T13:00:00Z'));
    expect(missedTick(ny, at('2026-07-01T12:00:00Z'), at('2026-07-05T00:00:00Z'))).toMatchObject({ plannedAt: at('2026-07-04T12:00:00Z'), count: 3 });
  });

  it('the weekly validate: missed only once a Sunday noon has passed', () => {
    const weekly = cronOf({ cron: '0 12 * * 0', timezone: 'UTC' });
    // 2026-02-08 is a Sunday.
    expect(missedTick(weekly, at('2026-02-08T12:00:00Z'), at('2026-02-14T23:00:00Z'))).toBeUndefined();
    expect(missedTick(weekly, at('2026-02-08T12:00:00Z'), at('2026-02-23T00:00:00Z'))).toMatchObject({ plannedAt: at('2026-02-22T12:00:00Z'), count: 2 });
  });

  it('a seconds schedule stopped for a day: one tick, its count capped', () => {
    const everySecond = cronOf({ cron: '* * * * * *', timezone: 'UTC' });
    expect(missedTick(everySecond, at('2026-02-10T00:00:00Z'), at('2026-02-11T00:00:00.500Z'))).toEqual({ plannedAt: at('2026-02-11T00:00:00Z'), count: 100, countCapped: true });
  });
});

describe('previousTick', () => {
  it.each([
    ['0 8 * * *', '2026-02-10T07:59:59Z', '2026-02-09T08:00:00Z'],
    ['0 8 * * *', '2026-02-10T08:00:00Z', '2026-02-10T08:00:00Z'],
    ['*/5 * * * * *', '2026-02-10T08:00:07.300Z', '2026-02-10T08:00:05Z'],
    ['0 0 1 1 *', '2026-06-01T00:00:00Z', '2026-01-01T00:00:00Z'],
  ])('%s at %s is %s', (cron, now, expected) => {
    expect(previousTick(cronOf({ cron, timezone: 'UTC' }), at(now), at('2000-01-01T00:00:00Z'))).toEqual(at(expected));
  });

  it('none after the floor', () => {
    expect(previousTick(nightly, at('2026-02-10T07:00:00Z'), at('2026-02-09T08:00:00Z'))).toBeUndefined();
  });
});
