/**
 * Cap-aware fetching of the date-range endpoints (`/games`, `/games/teams`, `/games/players`, `/games/media`,
 * `/lines`). They return the first N games of a range, silently: a window that comes back with N games is split in
 * halves and fetched again, down to single days, so no truncated window is ever taken as complete.
 */
import { SourceError } from '../core/errors.ts';
import { dayToIsoDate, isoDateToDay } from '../core/partitions.ts';
import type { SourceResponse } from './client.ts';

export interface DateWindow {
  /** First and last UTC dates, inclusive. */
  readonly from: string;
  readonly to: string;
}

export interface WindowResult<T> {
  readonly window: DateWindow;
  readonly response: SourceResponse<T[]>;
  /** False only if a single day still hit the cap (reported as an error before it is ever written). */
  readonly complete: boolean;
}

/** Consecutive windows of at most `days` days covering `from`..`to`. */
export function dateWindows(from: string, to: string, days: number): DateWindow[] {
  const first = isoDateToDay(from)!;
  const last = isoDateToDay(to)!;
  const out: DateWindow[] = [];
  for (let d = first; d <= last; d += days) out.push({ from: dayToIsoDate(d), to: dayToIsoDate(Math.min(last, d + days - 1)) });
  return out;
}

/**
 * Windows covering `from`..`to` sized from a schedule (one UTC date per game): consecutive days are packed while the
 * window holds at most `capacity` games, so a season takes as few calls as the endpoint's cap allows (three for the
 * 3,000-game endpoints, seven for the 1,000-game box scores at full scale) instead of one per fixed month or fortnight.
 * A window that still reaches the cap (games added since the schedule was read) is split by `fetchCapped`, so a
 * schedule that is off costs a call, never a game.
 */
export function scheduleWindows(from: string, to: string, gameDates: readonly string[], capacity: number): DateWindow[] {
  const first = isoDateToDay(from)!;
  const last = isoDateToDay(to)!;
  if (last < first) return [];
  const perDay = new Map<number, number>();
  for (const date of gameDates) {
    const day = isoDateToDay(date.slice(0, 10));
    if (day !== undefined && day >= first && day <= last) perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const out: DateWindow[] = [];
  let start = first;
  let games = 0;
  for (let day = first; day <= last; day++) {
    const n = perDay.get(day) ?? 0;
    if (games + n > capacity && day > start) {
      out.push({ from: dayToIsoDate(start), to: dayToIsoDate(day - 1) });
      start = day;
      games = 0;
    }
    games += n;
  }
  out.push({ from: dayToIsoDate(start), to: dayToIsoDate(last) });
  return out;
}

/** The API's range parameters for a window: from the first instant of `from` to the last of `to`, in UTC. */
export function rangeParams(window: DateWindow): { startDateRange: string; endDateRange: string } {
  return { startDateRange: `${window.from}T00:00:00Z`, endDateRange: `${window.to}T23:59:59Z` };
}

/**
 * Fetch every window, splitting any that hit `cap`. `fetchWindow` makes one API call. Windows are returned in date
 * order, each complete.
 */
export async function fetchCapped<T>(
  windows: readonly DateWindow[],
  cap: number,
  fetchWindow: (window: DateWindow) => Promise<SourceResponse<T[]>>,
  /** How many games a response holds: box-score endpoints answer one record per team and game. */
  gamesIn: (records: readonly T[]) => number = (records) => records.length,
): Promise<WindowResult<T>[]> {
  const out: WindowResult<T>[] = [];
  const visit = async (window: DateWindow): Promise<void> => {
    const response = await fetchWindow(window);
    if (gamesIn(response.data) < cap) {
      out.push({ window, response, complete: true });
      return;
    }
    const first = isoDateToDay(window.from)!;
    const last = isoDateToDay(window.to)!;
    if (first === last) {
      throw new SourceError(`${response.request.path} returned ${gamesIn(response.data)} games for the single day ${window.from}, the API's cap of ${cap}: the day cannot be split further, so it is not written as complete.`);
    }
    const middle = Math.floor((first + last) / 2);
    await visit({ from: window.from, to: dayToIsoDate(middle) });
    await visit({ from: dayToIsoDate(middle + 1), to: window.to });
  };
  for (const window of windows) await visit(window);
  return out;
}
