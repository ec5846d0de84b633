/**
 * The simulator's clock of the real game: US time zones by venue state (with daylight saving time), so tips are
 * local evenings and many land on the next UTC date, and the days of the week a season is played on.
 */

/** Standard-time offset from UTC in hours of each state the simulator's venues are in (Arizona keeps no DST). */
const STANDARD_OFFSET: Readonly<Record<string, number>> = {
  FL: -5, GA: -5, IN: -5, KY: -5, MA: -5, MD: -5, MI: -5, NC: -5, NY: -5, OH: -5, PA: -5, SC: -5, VA: -5,
  AL: -6, IL: -6, IA: -6, KS: -6, MN: -6, MO: -6, NE: -6, TN: -6, TX: -6, WI: -6,
  AZ: -7, CO: -7, UT: -7,
  CA: -8, OR: -8, WA: -8,
};
const NO_DST = new Set(['AZ']);

/** Offset from UTC in hours at a venue in `state` on a UTC day number (days since 1970-01-01). */
export function utcOffsetHours(state: string | null, day: number): number {
  const standard = STANDARD_OFFSET[state ?? ''] ?? -5;
  return NO_DST.has(state ?? '') || !inDaylightSaving(day) ? standard : standard + 1;
}

/** US daylight saving time: from the second Sunday of March to the first Sunday of November. */
function inDaylightSaving(day: number): boolean {
  const year = new Date(day * 86_400_000).getUTCFullYear();
  return day >= nthWeekday(year, 2, 0, 2) && day < nthWeekday(year, 10, 0, 1);
}

/** The day number of the n-th given weekday (0 = Sunday) of a month (0-based) of a year. */
export function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = Date.UTC(year, month, 1) / 86_400_000;
  return first + ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: number): number {
  return (day + 4) % 7; // 1970-01-01 was a Thursday
}

/** The UTC instant (ISO, minute precision) of a tip at `localHour` (e.g. 19.5) on local `day` at a venue in `state`. */
export function tipInstant(day: number, localHour: number, state: string | null): string {
  const ms = (day * 24 + localHour - utcOffsetHours(state, day)) * 3_600_000;
  return new Date(Math.round(ms / 60_000) * 60_000).toISOString();
}

/** The local calendar date (YYYY-MM-DD) of a UTC instant at a venue in `state`. */
export function localDateOf(startDate: string, state: string | null): string {
  const ms = Date.parse(startDate);
  const guess = Math.floor(ms / 86_400_000);
  return new Date(ms + utcOffsetHours(state, guess) * 3_600_000).toISOString().slice(0, 10);
}
