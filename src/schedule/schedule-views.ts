/**
 * What `cbbd schedule --list`, the start-up lines of `cbbd schedule` and `GET /api/schedules` show: each schedule
 * with its cron, time zone, command, whether it is enabled, its next tick, and its recent ticks from the run log.
 */
import type { ScheduleLog, SchedulerHolder, TickView } from '../store/schedule-log.ts';
import type { ScheduleConfig } from '../config/schedules.ts';
import { cronOf, nextTick } from './missed-ticks.ts';

export interface TickJson {
  readonly plannedAt: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly outcome: TickView['outcome'];
  readonly reason: string | null;
  readonly missed: boolean;
  readonly exitCode: number | null;
  readonly runId: string | null;
}

export interface ScheduleJson {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly command: readonly string[];
  readonly enabled: boolean;
  /** When and by whom the schedule was last switched on or off (overriding config.yaml), if ever. */
  readonly switchedAt?: string;
  readonly switchedBy?: string;
  /** ISO time of the next tick (null when disabled or never again). */
  readonly nextTick: string | null;
  readonly lastTick: TickJson | null;
  readonly recentTicks: readonly TickJson[];
}

export interface SchedulesJson {
  /** The process that runs the schedules now, if any. */
  readonly scheduler: { readonly pid: number; readonly host: string; readonly label: string; readonly since: string } | null;
  readonly schedules: readonly ScheduleJson[];
}

const iso = (ms: number) => new Date(ms).toISOString();

function tickJson(t: TickView): TickJson {
  return {
    plannedAt: iso(t.plannedAt), startedAt: iso(t.startedAt), endedAt: t.endedAt === null ? null : iso(t.endedAt),
    outcome: t.outcome, reason: t.reason, missed: t.missed, exitCode: t.exitCode, runId: t.runId,
  };
}

export function schedulesView(
  schedules: Readonly<Record<string, ScheduleConfig>>, scheduleLog: ScheduleLog, now: Date, recent = 10,
  switches: ReadonlyMap<string, { readonly enabled: boolean; readonly at: number; readonly by: string }> = new Map(),
): SchedulesJson {
  const holder: SchedulerHolder | undefined = scheduleLog.schedulerHolder();
  return {
    scheduler: holder ? { pid: holder.pid, host: holder.host, label: holder.label, since: iso(holder.startedAt) } : null,
    schedules: Object.entries(schedules).map(([name, s]) => {
      const ticks = scheduleLog.recentTicks(name, recent).map(tickJson);
      // A switch from the page (persisted in the run log) overrides config.yaml's `enabled`.
      const switched = switches.get(name);
      const enabled = switched?.enabled ?? s.enabled;
      const next = enabled ? nextTick(cronOf(s), now) : null;
      return {
        name, cron: s.cron, timezone: s.timezone, command: s.command, enabled,
        ...(switched && { switchedAt: iso(switched.at), switchedBy: switched.by }),
        nextTick: next ? next.toISOString() : null, lastTick: ticks[0] ?? null, recentTicks: ticks,
      };
    }),
  };
}

/** One line per schedule for a terminal: name, cron and zone, next tick, command. */
export function renderSchedules(view: SchedulesJson): string {
  if (!view.schedules.length) return 'No schedules in config.yaml (schedules:).';
  const width = Math.max(...view.schedules.map((s) => s.name.length));
  return view.schedules.map((s) => {
    const when = s.enabled ? `next ${s.nextTick ?? 'never'}` : 'disabled';
    const last = s.lastTick ? `; last ${s.lastTick.plannedAt} ${s.lastTick.outcome}${s.lastTick.reason ? ` (${s.lastTick.reason})` : ''}` : '';
    return `  ${s.name.padEnd(width)}  ${`${s.cron} (${s.timezone})`.padEnd(26)}  ${when}  cbbd ${s.command.map(shellWord).join(' ')}${last}`;
  }).join('\n');
}

/** An argument as a shell needs it typed: `*` or a space quoted, so the command printed can be pasted as it is. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
