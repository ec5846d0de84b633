/**
 * What the raw assets' call estimates know about a real Division I season, so a plan is priced before a call is made:
 * how many teams a per-team endpoint is asked for, how many of a season window's days have games, how many games a
 * game day holds and on which weekdays, and how many final games the API has no bulk plays for (each then costs one
 * call per game, once). Figures from ENDPOINTS.md and the simulator's calibrated world (README, "The simulator's world").
 */
import type { CallEstimateContext } from '../../src/core/asset.ts';
import { isoDateToDay } from '../../src/core/partitions.ts';
import { INCREMENTAL } from '../../src/authoring/raw/incremental.ts';

/** Division I teams, each asked once by a per-team endpoint's backfill. */
export const DIVISION_ONE_TEAMS = 362;

/**
 * The share of a month's days with games, by month (January = 0): the season opens in the second week of November,
 * pauses around Christmas, plays every day of January and February, thins out after the conference tournaments in
 * March, and ends with the Final Four in April (139 to 141 game days a season in the calibrated world, as in real
 * seasons). A backfill is priced before its calendar is known, and its days are mostly the busy early months: a flat
 * share of the whole window (0.78) priced a backfill to mid-January 13% low.
 */
const GAME_DAY_SHARE_BY_MONTH = [1, 1, 0.8, 0.1, 0, 0, 0, 0, 0, 0, 0.85, 0.88] as const;

/** Whether a day (days since 1970-01-01, or an ISO date) is likely a game day, as a share. */
function gameDayShareOf(day: number): number {
  return GAME_DAY_SHARE_BY_MONTH[new Date(day * DAY_MS).getUTCMonth()]!;
}

/** Games on a game day, on average (about 5,900 games over 141 game days). */
const GAMES_PER_GAME_DAY = 42;

/**
 * Games by weekday of the local date (Sunday first), the season's mean: about 38 a day, 266 a week. A night's refresh
 * asks for the games that became final since the last one, so its estimate follows the days it covers.
 */
const GAMES_BY_WEEKDAY = [24, 21, 33, 37, 50, 17, 84] as const;

/**
 * In conference play (January to the first week of March) each Division I team plays twice a week: 362 games a week,
 * against the season's mean of 266; the non-conference weeks and the tournaments are near the mean or below it.
 */
function seasonPhaseFactor(day: number): number {
  const monthDay = new Date(day * DAY_MS).toISOString().slice(5, 10);
  return monthDay >= '01-01' && monthDay <= '03-07' ? DIVISION_ONE_TEAMS / (GAMES_BY_WEEKDAY.reduce((a, b) => a + b, 0)) : 1;
}

const DAY_MS = 86_400_000;

/** Share of final games the API has no play-by-play for: a third before 2014, a quarter in 2021, 1% otherwise. */
export function missingPlaysShare(season: number): number {
  return season < 2014 ? 0.35 : season === 2021 ? 0.25 : 0.01;
}

/** Whether a partition will be refreshed incrementally (only what can still change is asked again). */
export function refreshesIncrementally(context: CallEstimateContext | undefined, partition: string): context is CallEstimateContext {
  return context !== undefined && context.lastSuccessAt(partition) !== undefined && INCREMENTAL.has(context.reasons.get(partition) ?? 'missing');
}

/**
 * The share of a season's planned day that is a game day: 1 once the calendar is known (the plan then lists game
 * days only), otherwise the usual share of its month's days.
 */
export function gameDayShare(context: CallEstimateContext | undefined, season: number, date: string): number {
  return context?.gameDays(season) ? 1 : gameDayShareOf(isoDateToDay(date)!);
}

/**
 * Game days a season in progress will add to the plan once its calendar is refreshed in the run: the calendar ends at
 * the last fetch of its games, and the run re-plans over the days since, today included. Counted on the step that
 * holds the calendar's last day; none for a season whose calendar ended before the rolling window (it is over).
 * `finished`: those of them before today, whose games are final (today's have not started by a morning run).
 */
export function gameDaysBeyondCalendar(context: CallEstimateContext | undefined, season: number, partitionDates: readonly string[], rollingDays: number): { days: number; finished: number } {
  const last = context?.gameDays(season)?.at(-1);
  if (!context || last === undefined || !partitionDates.includes(last)) return { days: 0, finished: 0 };
  const today = Math.floor(context.now.getTime() / DAY_MS);
  const lastDay = isoDateToDay(last)!;
  if (lastDay < today - rollingDays) return { days: 0, finished: 0 };
  let days = 0;
  let finished = 0;
  for (let day = lastDay + 1; day <= today; day++) {
    days += gameDayShareOf(day);
    if (day < today) finished += gameDayShareOf(day);
  }
  return { days, finished };
}

/**
 * Games a full-scale season holds between two dates (inclusive), by the share of game days of each month: about 5,860
 * over a whole season (the calibrated world has 5,870 to 5,900). What a backfill's date windows are priced by.
 */
export function expectedGamesBetween(from: string, to: string): number {
  let games = 0;
  for (let day = isoDateToDay(from)!; day <= isoDateToDay(to)!; day++) games += GAMES_PER_GAME_DAY * gameDayShareOf(day);
  return games;
}

/** Plays calls a game day's fetch is expected to add for games missing from the bulk answer (fetched one by one). */
export function expectedPlayGaps(season: number): number {
  return GAMES_PER_GAME_DAY * missingPlaysShare(season);
}

/**
 * Games expected to become final between `since` and `now` (epoch ms), by the weekday of each game day covered: what
 * a per-game refresh asks for. A local date's games are taken as final by 2 am UTC the next day (evening games in
 * the east end then); days outside the season window count nothing.
 */
export function gamesFinishedBetween(since: number, now: number, inSeason: (day: number) => boolean): number {
  const finalBy = DAY_MS + 2 * 3_600_000;
  let games = 0;
  for (let day = Math.floor((since - finalBy) / DAY_MS); day * DAY_MS + finalBy <= now; day++) {
    if (day * DAY_MS + finalBy > since && inSeason(day)) games += GAMES_BY_WEEKDAY[(day + 4) % 7]! * seasonPhaseFactor(day); // 1970-01-01 was a Thursday
  }
  return games;
}

/** Whether a day number (days since 1970-01-01) falls in a season window given as its first and last ISO dates. */
export function dayIn(first: string, last: string): (day: number) => boolean {
  const a = isoDateToDay(first)!;
  const b = isoDateToDay(last)!;
  return (day) => day >= a && day <= b;
}
