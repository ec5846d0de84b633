/**
 * The simulator's world against the real game's shape: strengths spread like published ratings, results as
 * predictable as real ones, the home court, the weekly rhythm and local tip times, and plays that mostly lack
 * `onFloor`. The figures themselves are printed by `npm run bench -- realism`; these tests hold the shape.
 */
import type { GameInfo, PlayInfo } from 'cbbd';
import { describe, expect, it } from 'vitest';
import { createSimApp } from '../../src/sim/app.ts';
import { localDateOf, tipInstant, weekdayOf } from '../../src/sim/calendar.ts';
import { openingDay, selectionSunday } from '../../src/sim/schedule.ts';
import { SimWorld } from '../../src/sim/world.ts';
import { adjustedMargins, spearman, worldFigures } from '../../src/sim/world-figures.ts';
import { dayToIsoDate, isoDateToDay } from '../../src/core/partitions.ts';

const NOW = () => new Date('2026-11-26T00:00:00Z');
const auth = { headers: { Authorization: 'Bearer any-key' } };
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

describe('the calendar', () => {
  it.each([
    [2024, '2023-11-06', '2024-03-17'],
    [2025, '2024-11-04', '2025-03-16'],
    [2026, '2025-11-03', '2026-03-15'],
  ])('season %i opens on the first Monday of November (%s) and its field is picked on Selection Sunday (%s)', (season, opening, selection) => {
    expect(dayToIsoDate(openingDay(season))).toBe(opening);
    expect(dayToIsoDate(selectionSunday(season))).toBe(selection);
  });

  it.each([
    ['a 7 pm tip in New York in January is after midnight UTC', '2024-01-13', 19, 'NY', '2024-01-14T00:00:00.000Z'],
    ['in Seattle it is three hours later', '2024-01-13', 19, 'WA', '2024-01-14T03:00:00.000Z'],
    ['daylight saving time moves it an hour earlier in UTC', '2024-03-16', 19, 'NY', '2024-03-16T23:00:00.000Z'],
    ['Arizona keeps standard time', '2024-03-16', 19, 'AZ', '2024-03-17T02:00:00.000Z'],
    ['a noon tip in Texas', '2024-02-03', 12, 'TX', '2024-02-03T18:00:00.000Z'],
  ])('%s', (_what, date, hour, state, utc) => {
    const instant = tipInstant(isoDateToDay(date)!, hour, state);
    expect(instant).toBe(utc);
    expect(localDateOf(instant, state)).toBe(date);
  });
});

describe('the world at full scale', () => {
  const world = new SimWorld({ seed: 2024, scale: 'full', now: NOW });

  it('spreads team strengths like published adjusted efficiency margins, and programs persist from year to year', () => {
    const d1 = world.divisionOneTeams;
    const nets = (season: number) => d1.map((t) => world.strengths(season).get(t.id)!.net);
    for (const season of [2023, 2024, 2025]) {
      const n = nets(season);
      expect(sd(n)).toBeGreaterThan(10);
      expect(sd(n)).toBeLessThan(12.5);
      expect(Math.min(...n)).toBeLessThan(-22);
      expect(Math.max(...n)).toBeGreaterThan(25);
      // The average Division I team is 0, as rating sites define it.
      expect(Math.abs(n.reduce((a, b) => a + b, 0) / n.length)).toBeLessThan(0.1);
    }
    const ranks = (season: number) => new Map(d1.map((t, i) => [t.id, nets(season)[i]!]));
    const carried = spearman(ranks(2024), ranks(2025));
    expect(carried).toBeGreaterThan(0.7); // good programs stay good...
    expect(carried).toBeLessThan(0.92); // ...but not exactly: a season's form regresses
  });

  it('conferences come in tiers: the best conference is far above the worst', () => {
    const strengths = world.strengths(2024);
    const means = world.conferences.map((c) => {
      const members = world.divisionOneTeams.filter((t) => t.conferenceId === c.id).map((t) => strengths.get(t.id)!.net);
      return members.reduce((a, b) => a + b, 0) / members.length;
    });
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(18);
  });
});

describe('a demo season', () => {
  const { app, world } = createSimApp({ seed: 11, scale: 'demo', now: NOW });
  const games = world.season(2024).games;
  const byLocalWeekday = (list: readonly GameInfo[]) => {
    const counts = [0, 0, 0, 0, 0, 0, 0];
    for (const g of list) counts[weekdayOf(isoDateToDay(localDateOf(g.startDate, g.state))!)]!++;
    return counts;
  };

  it('results stray from what the strengths predict about as much as real ones do from closing spreads, and the home team wins about 60%', () => {
    const f = worldFigures(world, 2024, 50);
    expect(f.marginDeviationSd).toBeGreaterThan(8.5);
    expect(f.marginDeviationSd).toBeLessThan(11.5);
    // The strengths mean what they say: results follow the predicted margin one for one (loosely: 400 games).
    expect(f.marginSlope).toBeGreaterThan(0.75);
    expect(f.marginSlope).toBeLessThan(1.25);
    expect(f.homeWinShare).toBeGreaterThan(0.52);
    expect(f.homeWinShare).toBeLessThan(0.7);
    expect(f.lineErrorSd).toBeGreaterThan(f.marginDeviationSd);
    // A plain adjusted margin ranks the teams close to the truth.
    expect(f.spearman).toBeGreaterThan(0.85);
  });

  it('plays conference games on Saturday and one weekday, Saturday the busiest day, Monday and Friday quiet', () => {
    const conference = games.filter((g) => g.conferenceGame && g.seasonType === 'regular');
    const counts = byLocalWeekday(conference);
    expect(counts[6]).toBe(Math.max(...counts));
    expect(counts[6]! / conference.length).toBeGreaterThan(0.35);
    expect(counts[1]! + counts[5]!).toBeLessThan(conference.length * 0.12);
    // Each conference plays on its own two days, a few games moved a day for television.
    for (const c of world.conferences) {
      const mine = byLocalWeekday(conference.filter((g) => g.homeConferenceId === c.id)).map((n, day) => [day, n] as const).sort((a, b) => b[1] - a[1]);
      expect(mine[0]![1] + mine[1]![1]).toBeGreaterThan(conference.filter((g) => g.homeConferenceId === c.id).length * 0.6);
    }
    expect(byLocalWeekday(games)[6]).toBe(Math.max(...byLocalWeekday(games)));
  });

  it('tips off at local times: weekday games in the evening, many of them on the next UTC date', () => {
    // Home games on a Tuesday, Wednesday or Thursday (neutral-court events and tournaments play all day).
    const weekday = games.filter((g) => !g.neutralSite && [2, 3, 4].includes(weekdayOf(isoDateToDay(localDateOf(g.startDate, g.state))!)));
    const nextUtcDay = games.filter((g) => localDateOf(g.startDate, g.state) !== g.startDate.slice(0, 10));
    expect(nextUtcDay.length / games.length).toBeGreaterThan(0.3);
    expect(new Set(games.map((g) => g.startDate.slice(11, 16))).size).toBeGreaterThan(20);
    expect(weekday.every((g) => g.startDate.slice(11, 13) >= '21' || g.startDate.slice(11, 13) <= '06')).toBe(true);
    expect(games.every((g) => !/-12-2[4-6]$/.test(localDateOf(g.startDate, g.state)))).toBe(true); // nobody plays at Christmas
  });

  it('sends onFloor on about a fifth of the plays, whole games at a time', async () => {
    const days = [...new Set(games.filter((g) => g.startDate < '2024-02-01').map((g) => g.startDate.slice(0, 10)))].slice(0, 30);
    let plays = 0;
    let withFloor = 0;
    const perGame = new Map<number, Set<boolean>>();
    for (const day of days) {
      for (const p of (await (await app.request(`/plays/date?date=${day}`, auth)).json()) as PlayInfo[]) {
        plays++;
        if (p.onFloor.length) withFloor++;
        perGame.set(p.gameId, (perGame.get(p.gameId) ?? new Set()).add(p.onFloor.length > 0));
      }
    }
    expect(withFloor / plays).toBeGreaterThan(0.1);
    expect(withFloor / plays).toBeLessThan(0.35);
    expect([...perGame.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('the adjusted margin is a least-squares fit: a team that beats everyone by more rates higher', () => {
    const g = (id: number, home: number, away: number, homePoints: number, awayPoints: number) =>
      ({ id, homeTeamId: home, awayTeamId: away, homePoints, awayPoints, neutralSite: true }) as GameInfo;
    const ratings = adjustedMargins([g(1, 1, 2, 80, 70), g(2, 2, 3, 75, 70), g(3, 3, 1, 60, 75)], new Set([1, 2, 3]));
    expect(ratings.get(1)!).toBeGreaterThan(ratings.get(2)!);
    expect(ratings.get(2)!).toBeGreaterThan(ratings.get(3)!);
    expect([...ratings.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
  });
});
