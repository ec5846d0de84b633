/** Date windows sized from a schedule: as few as the cap allows, covering every day once, never past the capacity. */
import { describe, expect, it } from 'vitest';
import { scheduleWindows } from '../../src/cbbd/game-windows.ts';
import { dayToIsoDate, isoDateToDay } from '../../src/core/partitions.ts';

/** `perDay` games on each day from `from` for `days` days. */
function schedule(from: string, days: number, perDay: (i: number) => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < days; i++) for (let g = 0; g < perDay(i); g++) out.push(`${dayToIsoDate(isoDateToDay(from)! + i)}T23:30:00.000Z`);
  return out;
}

describe('scheduleWindows', () => {
  it.each([
    // capacity, games a day: the fewest windows that hold them
    [2_700, 40, 3],
    [900, 40, 7],
    [10_000, 40, 1],
  ])('packs 150 days of %i-game capacity windows (%i games a day) into %i windows', (capacity, perDay, windows) => {
    const games = schedule('2023-11-06', 150, () => perDay);
    const out = scheduleWindows('2023-11-01', '2024-04-30', games, capacity);
    expect(out).toHaveLength(windows);
    // Every day of the range in exactly one window, in order, and no window over the capacity.
    expect(out[0]!.from).toBe('2023-11-01');
    expect(out.at(-1)!.to).toBe('2024-04-30');
    for (let i = 1; i < out.length; i++) expect(isoDateToDay(out[i]!.from)).toBe(isoDateToDay(out[i - 1]!.to)! + 1);
    for (const w of out) expect(games.filter((g) => g.slice(0, 10) >= w.from && g.slice(0, 10) <= w.to).length).toBeLessThanOrEqual(capacity);
  });

  it('gives a day that alone holds more than the capacity a window of its own (fetchCapped then reports it)', () => {
    const out = scheduleWindows('2024-01-01', '2024-01-03', schedule('2024-01-01', 3, (i) => (i === 1 ? 50 : 5)), 20);
    expect(out).toEqual([{ from: '2024-01-01', to: '2024-01-01' }, { from: '2024-01-02', to: '2024-01-02' }, { from: '2024-01-03', to: '2024-01-03' }]);
  });

  it('covers a range with no games in one window, and an empty range with none', () => {
    expect(scheduleWindows('2024-04-10', '2024-04-30', [], 900)).toEqual([{ from: '2024-04-10', to: '2024-04-30' }]);
    expect(scheduleWindows('2024-04-30', '2024-04-10', [], 900)).toEqual([]);
  });
});
