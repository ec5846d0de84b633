/**
 * Schedules: the cron schedules of `config.yaml` ticked by croner in their time zones, each tick a child process of
 * the same CLI; one scheduler per run log (a lease that beats), missed ticks run once at start-up, every tick
 * recorded in the run log. `cbbd schedule` runs it in the foreground, `cbbd serve` beside the page.
 *
 * May import: src/core, src/config, src/store (the schedules' lease and ticks).
 */
export { Scheduler, describeHolder, type ActiveTick, type SchedulerOptions, type SchedulerState } from './scheduler.ts';
export { renderSchedules, schedulesView, type ScheduleJson, type SchedulesJson, type TickJson } from './schedule-views.ts';
export { cronOf, missedTick, nextTick, previousTick, type MissedTick } from './missed-ticks.ts';
export type { TickCli } from './tick-process.ts';
