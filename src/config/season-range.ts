/**
 * The configured seasons as a window, on a clock: `seasons.last: current` (the default) ends the range at the season
 * in progress, so on 2026-12-06 `--season current` is 2027 without anyone editing config.yaml. A fixed year below
 * the season in progress still works, and the notice returned says so: a command whose arguments name `current`
 * prints it on its first line, because a cap that changes what `current` means must never be silent (a nightly would
 * refresh a finished season).
 */
import { seasonInProgress, type SeasonWindow } from '../core/partitions.ts';
import type { Config } from './config.ts';

export function seasonWindow(seasons: Config['seasons'], now: Date): { window: SeasonWindow; notice?: string } {
  const inProgress = seasonInProgress(now, { start: seasons.windowStart, end: seasons.windowEnd });
  const lastSeason = seasons.last === 'current' ? Math.max(inProgress, seasons.first) : seasons.last;
  const window = { firstSeason: seasons.first, lastSeason, start: seasons.windowStart, end: seasons.windowEnd };
  if (lastSeason >= inProgress) return { window };
  return {
    window,
    // Not `cbbd: `, which is how failures begin (the cloud's error alarm counts those lines).
    notice: `cbbd note: seasons.last is ${lastSeason} in config.yaml, so "current" means ${lastSeason}, not ${inProgress}, the season in progress on ${now.toISOString().slice(0, 10)}: set seasons.last to current (or ${inProgress}) to follow the calendar.`,
  };
}
