/**
 * Partition definitions and the small pure functions that enumerate, validate and order partition keys.
 *
 * Keys are strings: `-` for an unpartitioned asset, `2024` for a season, `2024|2024-01-15` for a season's game day.
 * Season N runs from the window start in year N-1 (Nov 1 by default) to the window end in year N (Apr 30).
 * A key reaches a path or a SQL statement only from the command line's filters (`parseSeason`, `parseSeasonDate`),
 * from the configured window (`enumeratePartitions`), or from a season calendar, whose dates come from the API and
 * are checked with `validatePartitionKey` before the calendar is recorded (`LiveRunState.calendarProblem`).
 */
import { commandClock } from './clock.ts';
import { PlanError } from './errors.ts';

export type PartitionsDef =
  | { readonly kind: 'none' }
  | { readonly kind: 'season' }
  /** `calendar` names a season-partitioned asset whose materializations list the season's game days. */
  | { readonly kind: 'season_date'; readonly calendar?: string };

export const NONE_PARTITION = '-';

export interface SeasonWindow {
  readonly firstSeason: number;
  readonly lastSeason: number;
  /** `MM-DD` of the first day of a season, in the calendar year before the season's number. */
  readonly start: string;
  /** `MM-DD` of the last day of a season, in the season's own calendar year. */
  readonly end: string;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SEASON = /^\d{4}$/;

/** Days since the epoch of a real ISO date, or undefined for anything else (`2024-02-30`, `../x`). */
export function isoDateToDay(date: string): number | undefined {
  const m = ISO_DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

export function dayToIsoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC calendar date of an instant. */
export function isoDateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** First and last day (epoch days, inclusive) of a season's window. */
export function seasonBounds(season: number, window: SeasonWindow): { first: number; last: number } {
  const first = isoDateToDay(`${season - 1}-${window.start}`);
  const last = isoDateToDay(`${season}-${window.end}`);
  if (first === undefined || last === undefined) {
    throw new PlanError(`Season window ${window.start}..${window.end} is not a pair of real MM-DD dates.`);
  }
  return { first, last };
}

/** Every calendar date of a season's window, in order. */
export function seasonDates(season: number, window: SeasonWindow): string[] {
  const { first, last } = seasonBounds(season, window);
  const out: string[] = [];
  for (let day = first; day <= last; day++) out.push(dayToIsoDate(day));
  return out;
}

/** The season whose window holds a date, if any. */
export function seasonOfDate(date: string, window: SeasonWindow): number | undefined {
  const day = isoDateToDay(date);
  if (day === undefined) return undefined;
  const year = Number(date.slice(0, 4));
  for (const season of [year, year + 1]) {
    const { first, last } = seasonBounds(season, window);
    if (day >= first && day <= last) return season;
  }
  return undefined;
}

/**
 * The season in progress at `now` by the window alone: the one whose window holds today's UTC date, or, out of
 * season, the last one whose window has ended. Season N runs from the window start in N-1 to the window end in N, so
 * on 2026-12-06 it is 2027, and on 2026-07-01 it is 2026. `seasons.last: current` (the default) ends the configured
 * range here.
 */
export function seasonInProgress(now: Date, window: Pick<SeasonWindow, 'start' | 'end'>): number {
  const today = isoDateToDay(isoDateOf(now))!;
  const year = now.getUTCFullYear();
  const bounds = (s: number) => seasonBounds(s, { firstSeason: s, lastSeason: s, ...window });
  // Newest first: with a window longer than a year two seasons overlap, and the newer one is the one in progress.
  const candidates = [year + 1, year, year - 1];
  return candidates.find((s) => {
    const { first, last } = bounds(s);
    return first <= today && today <= last;
  }) ?? candidates.find((s) => bounds(s).last < today)!;
}

/**
 * The season `current` names at `now`: the season in progress (`seasonInProgress`), never beyond the configured
 * last season. A fixed `seasons.last` below the season in progress caps it, and every command says so on its first
 * line (`config/season-range.ts`).
 */
export function currentSeason(now: Date, window: SeasonWindow): number {
  const season = seasonInProgress(now, window);
  const capped = Math.min(season, window.lastSeason);
  if (capped < window.firstSeason) {
    throw new PlanError(`The current season (${season}, by the clock ${isoDateOf(now)}) is before the configured range ${window.firstSeason}-${window.lastSeason}: lower seasons.first in config.yaml.`);
  }
  return capped;
}

/**
 * Parse a season number, checking it lies in the configured range; `current` is the season in progress at `now`
 * (see `currentSeason`), by default the wall clock, the clock every command runs on.
 */
export function parseSeason(value: string, window: SeasonWindow, now: Date = commandClock()): number {
  if (value.trim().toLowerCase() === 'current') return currentSeason(now, window);
  if (!SEASON.test(value)) {
    throw new PlanError(`"${value}" is not a season: use a four-digit year such as ${window.lastSeason}, or "current".`);
  }
  const season = Number(value);
  if (season < window.firstSeason || season > window.lastSeason) {
    throw new PlanError(
      `Season ${season} is outside the configured range ${window.firstSeason}-${window.lastSeason} (seasons in config.yaml).`,
    );
  }
  return season;
}

/** Parse a date, checking it is a real ISO date inside some configured season's window. */
export function parseSeasonDate(value: string, window: SeasonWindow): { season: number; date: string } {
  if (isoDateToDay(value) === undefined) {
    throw new PlanError(`"${value}" is not a real date: use YYYY-MM-DD, for example ${window.lastSeason}-01-15.`);
  }
  const season = seasonOfDate(value, window);
  if (season === undefined || season < window.firstSeason || season > window.lastSeason) {
    throw new PlanError(
      `${value} is not inside any configured season (${window.firstSeason}-${window.lastSeason}, ${window.start} to ${window.end}).`,
    );
  }
  return { season, date: value };
}

export function seasonDateKey(season: number, date: string): string {
  return `${season}|${date}`;
}

/** The season of a season or season×date key (undefined for `-`). Assumes a validated key. */
export function seasonOfKey(key: string): number | undefined {
  return key === NONE_PARTITION ? undefined : Number(key.slice(0, 4));
}

/** The date of a season×date key. Assumes a validated key. */
export function dateOfKey(key: string): string | undefined {
  return key.length > 5 ? key.slice(5) : undefined;
}

/** Check that a key is a valid partition of a definition, and return it. Throws a PlanError that says why not. */
export function validatePartitionKey(def: PartitionsDef, key: string, window: SeasonWindow): string {
  switch (def.kind) {
    case 'none':
      if (key !== NONE_PARTITION) throw new PlanError(`"${key}" is not a partition of an unpartitioned asset (use "-").`);
      return key;
    case 'season':
      return String(parseSeason(key, window));
    case 'season_date': {
      const [seasonText, date, extra] = key.split('|');
      if (seasonText === undefined || date === undefined || extra !== undefined) {
        throw new PlanError(`"${key}" is not a season×date partition: use SEASON|YYYY-MM-DD, e.g. 2024|2024-01-15.`);
      }
      const season = parseSeason(seasonText, window);
      const parsed = parseSeasonDate(date, window);
      if (parsed.season !== season) throw new PlanError(`${date} is not inside season ${season}'s window.`);
      return key;
    }
  }
}

/** Which partitions a command works on: inclusive season and date ranges, each optional. */
export interface PartitionFilter {
  readonly seasonFrom?: number;
  readonly seasonTo?: number;
  readonly dateFrom?: string;
  readonly dateTo?: string;
}

/** Game days of each season, by the asset that provides the calendar. */
export type Calendars = ReadonlyMap<string, ReadonlyMap<number, readonly string[]>>;

/**
 * Every partition key of a definition, in order, that exists by `today` (a date partition after today, or a
 * season that has not begun, cannot be materialized yet) and passes the filter.
 */
export function enumeratePartitions(
  def: PartitionsDef,
  window: SeasonWindow,
  today: string,
  calendars: Calendars,
  filter: PartitionFilter = {},
): string[] {
  if (def.kind === 'none') return [NONE_PARTITION];
  const todayDay = isoDateToDay(today) ?? Number.POSITIVE_INFINITY;
  const from = Math.max(window.firstSeason, filter.seasonFrom ?? window.firstSeason);
  const to = Math.min(window.lastSeason, filter.seasonTo ?? window.lastSeason);
  const keys: string[] = [];
  for (let season = from; season <= to; season++) {
    const bounds = seasonBounds(season, window);
    if (bounds.first > todayDay) break;
    if (def.kind === 'season') {
      keys.push(String(season));
      continue;
    }
    const calendar = def.calendar ? calendars.get(def.calendar)?.get(season) : undefined;
    // Without a known calendar every day of the window is a partition: correct, only less economical.
    const dates = calendar ?? seasonDates(season, window);
    for (const date of dates) {
      if (filter.dateFrom !== undefined && date < filter.dateFrom) continue;
      if (filter.dateTo !== undefined && date > filter.dateTo) continue;
      if (date > today) break;
      keys.push(seasonDateKey(season, date));
    }
  }
  return keys;
}
