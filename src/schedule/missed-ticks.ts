/**
 * When a schedule ticks, and which ticks were missed while no scheduler ran. Pure functions over croner's
 * occurrences, so the rule "missed ticks run once at start-up, not once each" is tested without waiting for a clock.
 */
import { Cron } from 'croner';
import type { ScheduleConfig } from '../config/schedules.ts';

/** Counting missed ticks stops here: a seconds schedule stopped for a week would otherwise count for a long time. */
const MAX_COUNTED = 100;

/** A croner job that only evaluates the schedule: paused and without a function, it sets no timer. */
export function cronOf(schedule: Pick<ScheduleConfig, 'cron' | 'timezone'>): Cron {
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
}

/** The schedule's next tick strictly after `after`, or null when it never ticks again. */
export function nextTick(cron: Cron, after: Date): Date | null {
  return cron.nextRun(after);
}

/**
 * The schedule's latest tick at or before `at`, or undefined when there is none after `notBefore`. Croner only
 * looks forward, so look back from `at` over a doubling span until an occurrence falls inside it, then walk forward
 * to the last one: a few evaluations whatever the schedule's period.
 */
export function previousTick(cron: Cron, at: Date, notBefore: Date): Date | undefined {
  const end = at.getTime();
  const floor = notBefore.getTime();
  for (let span = 1_000; ; span *= 2) {
    const from = Math.max(end - span, floor);
    let found = cron.nextRun(new Date(from));
    if (found && found.getTime() <= end) {
      for (let next = cron.nextRun(found); next && next.getTime() <= end; next = cron.nextRun(found)) found = next;
      return found;
    }
    if (from === floor) return undefined;
  }
}

/** The one tick that stands for the ticks missed since the last one, and how many it stands for. */
export interface MissedTick {
  /** The latest missed occurrence: the tick is recorded as planned then. */
  readonly plannedAt: Date;
  /** Occurrences missed since the last tick (at most 100 are counted: croner takes milliseconds per occurrence). */
  readonly count: number;
  readonly countCapped: boolean;
}

/**
 * Whether ticks of a schedule were missed between its last planned tick and `now`; if so the single tick to run in
 * their place. A schedule never seen before has missed nothing: its history starts with the first scheduler.
 */
export function missedTick(cron: Cron, lastPlannedAt: Date | undefined, now: Date): MissedTick | undefined {
  if (lastPlannedAt === undefined) return undefined;
  const latest = previousTick(cron, now, lastPlannedAt);
  if (!latest || latest.getTime() <= lastPlannedAt.getTime()) return undefined;
  let count = 0;
  for (let t = cron.nextRun(lastPlannedAt); t && t.getTime() <= now.getTime() && count < MAX_COUNTED; t = cron.nextRun(t)) count++;
  return { plannedAt: latest, count, countCapped: count >= MAX_COUNTED };
}
