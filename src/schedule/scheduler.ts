/**
 * The scheduler: ticks each enabled schedule with croner in the schedule's time zone and runs its command as a child
 * process (`tick-process.ts`). One scheduler per run log: it holds the scheduler lease in the run log and beats; a
 * second one waits as a standby, naming the holder, and takes over when the holder stops or dies. On taking the
 * lease, ticks missed while no scheduler ran are run once each schedule (the latest), not once per missed tick. A
 * tick that finds a run in progress (this scheduler's previous tick, a user's `materialize`, a page's run) is skipped
 * with a log line naming it. Every tick is recorded in the run log.
 */
import { Cron } from 'croner';
import type { Logger } from '../core/logger.ts';
import type { RunLog } from '../store/run-log.ts';
import { SCHEDULER_HEARTBEAT_MS, type ScheduleLog, type SchedulerHolder, type TickStart } from '../store/schedule-log.ts';
import type { ScheduleConfig } from '../config/schedules.ts';
import { describeLiveRun } from './live-run.ts';
import { cronOf, missedTick, previousTick, type MissedTick } from './missed-ticks.ts';
import { startTickProcess, type TickCli, type TickProcess } from './tick-process.ts';

export interface SchedulerOptions {
  readonly schedules: Readonly<Record<string, ScheduleConfig>>;
  /** The run log's writer: dead runs are marked failed before a tick looks for live ones. */
  readonly runLog: Pick<RunLog, 'recoverOrphans'>;
  readonly scheduleLog: ScheduleLog;
  readonly cli: TickCli;
  readonly log: Logger;
  /** What holds the lease, as other schedulers and the page name it: "cbbd schedule", "cbbd serve". */
  readonly label: string;
  /**
   * Whether a schedule is on now: config.yaml's `enabled`, unless the page switched it (persisted in the run log, so
   * every scheduler of the run log agrees). Asked at each tick; without it, config.yaml's `enabled` alone.
   */
  readonly isEnabled?: (name: string, schedule: ScheduleConfig) => boolean;
  /** How long a stopping scheduler waits for a running tick's command before killing it (a container gets 30 s). */
  readonly stopGraceMs?: number;
}

export type SchedulerState = 'starting' | 'active' | 'standby' | 'stopped';

/** The tick whose command is running now. */
export interface ActiveTick {
  readonly schedule: string;
  readonly plannedAt: number;
  readonly startedAt: number;
  readonly pid: number;
}

const DEFAULT_STOP_GRACE_MS = 20_000;

export class Scheduler {
  private state: SchedulerState = 'starting';
  private readonly jobs: Cron[] = [];
  private timer: NodeJS.Timeout | undefined;
  private active: (ActiveTick & { readonly process: TickProcess }) | undefined;
  private activeDone: Promise<void> | undefined;
  private standbyHolder: string | undefined;
  private stoppedBy: NodeJS.Signals | undefined;
  private readonly enabled: [string, ScheduleConfig][];

  constructor(private readonly options: SchedulerOptions) {
    // With switches every schedule gets a job (one switched on later must tick); each tick asks whether it is on.
    this.enabled = Object.entries(options.schedules).filter(([, s]) => options.isEnabled !== undefined || s.enabled);
  }

  get status(): { readonly state: SchedulerState; readonly activeTick: ActiveTick | undefined } {
    const a = this.active;
    return { state: this.state, activeTick: a && { schedule: a.schedule, plannedAt: a.plannedAt, startedAt: a.startedAt, pid: a.pid } };
  }

  /** Take the lease and start ticking (the missed ticks first), or wait as a standby and try again every beat. */
  start(): void {
    if (!this.enabled.length) {
      this.state = 'stopped';
      this.options.log.info('No enabled schedules in config.yaml (schedules:): nothing to tick.');
      return;
    }
    this.tryToLead();
  }

  /** Stop ticking; pass `signal` on to a running tick's command and wait for it (bounded); release the lease. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.state === 'stopped') return;
    const wasActive = this.state === 'active';
    this.state = 'stopped';
    this.stoppedBy = signal;
    clearInterval(this.timer);
    for (const job of this.jobs.splice(0)) job.stop();
    const running = this.active;
    if (running) {
      this.options.log.info({ schedule: running.schedule }, `Stopping: passing ${signal} to the tick's command (pid ${running.pid}) and waiting for it`);
      await running.process.stop(signal, this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
      await this.activeDone;
    }
    if (wasActive) this.options.scheduleLog.releaseScheduler();
  }

  /**
   * Tick a schedule now, on or off (the page's "Run now"): recorded as a tick planned now, with `why` as its reason.
   * Only the scheduler that holds the lease runs it, and never beside a running tick; refused with why otherwise.
   */
  runNow(name: string, why: string): { readonly started: true } | { readonly refused: string } {
    const schedule = this.options.schedules[name];
    if (!schedule) return { refused: `No schedule "${name}" in config.yaml (schedules:).` };
    if (this.state !== 'active') return { refused: `This ${this.options.label} does not run the schedules (${this.state}); run it where they run.` };
    if (this.active) return { refused: `The ${this.active.schedule} tick (pid ${this.active.pid}) is running; try again once it has finished.` };
    this.tick(name, schedule, Date.now(), undefined, why).catch((error: unknown) => this.options.log.error(`Tick of ${name} failed: ${(error as Error).message}`));
    return { started: true };
  }

  /** A second Ctrl-C: kill a running tick's command at once instead of waiting for it. */
  killTick(): void {
    const running = this.active;
    if (!running) return;
    this.options.log.warn({ schedule: running.schedule }, `Killing the tick's command (pid ${running.pid}) at once.`);
    void running.process.stop('SIGKILL', 0);
  }

  private tryToLead(): void {
    if (this.state === 'stopped') return;
    const claim = this.options.scheduleLog.claimScheduler(this.options.label);
    if (!claim.held) {
      this.becomeStandby(claim.holder);
      return;
    }
    if (claim.tookOverFrom) this.options.log.info(`Took over the schedules from ${describeHolder(claim.tookOverFrom)}, which stopped beating or is gone.`);
    this.state = 'active';
    this.standbyHolder = undefined;
    clearInterval(this.timer);
    // A run-log hiccup (SQLITE_BUSY under a long write) must not crash the scheduler or the page beside it.
    this.timer = setInterval(() => {
      try {
        this.beat();
      } catch (error) {
        this.options.log.error(`Scheduler heartbeat failed (retried at the next beat): ${(error as Error).message}`);
      }
    }, SCHEDULER_HEARTBEAT_MS);
    const abandoned = this.options.scheduleLog.failAbandonedTicks();
    if (abandoned) this.options.log.warn(`${abandoned} tick(s) were left running by a scheduler that stopped: recorded as failed.`);
    const catchUp = this.missedTicks();
    for (const [name, schedule] of this.enabled) {
      const cron = cronOf(schedule);
      this.jobs.push(new Cron(schedule.cron, { timezone: schedule.timezone, catch: true }, () => {
        // Croner calls back at (or just after) the occurrence: the tick is planned at the occurrence itself.
        const now = new Date();
        const planned = previousTick(cron, now, new Date(now.getTime() - 60_000)) ?? now;
        this.tick(name, schedule, planned.getTime()).catch((error: unknown) => this.options.log.error(`Tick of ${name} failed: ${(error as Error).message}`));
      }));
    }
    this.runCatchUp(catchUp).catch((error: unknown) => this.options.log.error(`Missed ticks could not run: ${(error as Error).message}`));
  }

  private becomeStandby(holder: SchedulerHolder): void {
    const described = describeHolder(holder);
    if (this.standbyHolder !== described) {
      this.options.log.info(`The schedules are run by ${described}; this ${this.options.label} waits as a standby and takes over if that one stops.`);
      this.standbyHolder = described;
    }
    this.state = 'standby';
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tryToLead(), SCHEDULER_HEARTBEAT_MS);
  }

  private beat(): void {
    if (this.state !== 'active') return;
    if (this.options.scheduleLog.heartbeat()) return;
    // We stalled past the stale limit and another scheduler took over: stop ticking, the running tick may finish.
    this.options.log.warn('Another scheduler took over the schedules (this one stopped beating for a while): this one waits as a standby.');
    for (const job of this.jobs.splice(0)) job.stop();
    this.tryToLead();
  }

  /** One tick per schedule that missed ticks while no scheduler ran, oldest first. */
  private missedTicks(): { name: string; schedule: ScheduleConfig; missed: MissedTick }[] {
    const now = new Date();
    const out: { name: string; schedule: ScheduleConfig; missed: MissedTick }[] = [];
    for (const [name, schedule] of this.enabled) {
      const last = this.options.scheduleLog.lastPlanned(name);
      if (last === undefined) {
        this.options.scheduleLog.markSeen(name);
        continue;
      }
      const cron = cronOf(schedule);
      const missed = missedTick(cron, new Date(last), now);
      if (missed) out.push({ name, schedule, missed });
    }
    return out.sort((a, b) => a.missed.plannedAt.getTime() - b.missed.plannedAt.getTime());
  }

  /** Missed ticks run one after another: each would otherwise be skipped because the one before is running. */
  private async runCatchUp(ticks: { name: string; schedule: ScheduleConfig; missed: MissedTick }[]): Promise<void> {
    for (const { name, schedule, missed } of ticks) {
      if (this.state !== 'active') return;
      const since = `${missed.count}${missed.countCapped ? '+' : ''} tick(s) missed while no scheduler ran, the latest planned ${missed.plannedAt.toISOString()}`;
      this.options.log.info({ schedule: name }, `Running ${name} once at start-up for ${since}.`);
      await this.activeDone;
      await this.tick(name, schedule, missed.plannedAt.getTime(), since);
    }
  }

  private async tick(name: string, schedule: ScheduleConfig, plannedAt: number, missed?: string, manual?: string): Promise<void> {
    if (this.state !== 'active') return;
    if (manual === undefined && this.options.isEnabled && !this.options.isEnabled(name, schedule)) return;
    const { log, scheduleLog } = this.options;
    const tick: TickStart = { schedule: name, plannedAt, missed: missed !== undefined, command: schedule.command };
    const skip = (reason: string) => {
      scheduleLog.tickSkipped(tick, missed ? `${reason} (this tick stood for ${missed})` : reason);
      log.warn({ schedule: name }, `Skipped the ${name} tick planned ${new Date(plannedAt).toISOString()}: ${reason}.`);
    };
    if (!scheduleLog.heartbeat()) {
      this.beat();
      return;
    }
    if (this.active) {
      skip(`the ${this.active.schedule} tick planned ${new Date(this.active.plannedAt).toISOString()} is still running (pid ${this.active.pid})`);
      return;
    }
    this.options.runLog.recoverOrphans();
    const [live] = scheduleLog.liveRuns();
    if (live) {
      skip(`${describeLiveRun(live)} is running`);
      return;
    }
    const started = Date.now();
    const child = startTickProcess(this.options.cli, schedule.command, log, name);
    if ('error' in child) {
      scheduleLog.tickEnded(scheduleLog.tickStarted(tick, process.pid), { outcome: 'failed', exitCode: null, reason: child.error });
      log.error({ schedule: name }, `The ${name} tick could not start its command: ${child.error}`);
      return;
    }
    const id = scheduleLog.tickStarted(tick, child.pid);
    log.info({ schedule: name, pid: child.pid }, `Tick of ${name} (planned ${new Date(plannedAt).toISOString()}): cbbd ${schedule.command.join(' ')}`);
    let done!: () => void;
    this.activeDone = new Promise((resolve) => (done = resolve));
    this.active = { schedule: name, plannedAt, startedAt: started, pid: child.pid, process: child };
    try {
      const exit = await child.exited;
      const runIds = scheduleLog.runsStartedBy(child.pid, started - 1_000);
      const ran = exit.exitCode === 0;
      const stopped = this.stoppedBy ? `the scheduler stopped (${this.stoppedBy}) during the tick: ` : '';
      const reason = ran
        ? missed ?? manual
        : `${stopped}${exit.error ?? (exit.signal ? `ended by ${exit.signal}` : `exit code ${exit.exitCode}`)}`;
      scheduleLog.tickEnded(id, {
        outcome: ran ? 'ran' : 'failed', exitCode: exit.exitCode, ...(reason !== undefined && { reason }), ...(runIds.length && { runId: runIds.at(-1)! }),
      });
      const summary = `The ${name} tick ${ran ? 'ran' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${exit.exitCode ?? exit.signal}${runIds.length ? `, run ${runIds.join(', ')}` : ''})`;
      if (ran) log.info({ schedule: name }, summary);
      else log.error({ schedule: name }, `${summary}: ${reason}`);
    } finally {
      this.active = undefined;
      done();
    }
  }
}

/** `pid 4242 on box (cbbd schedule, since 2026-…Z)`. */
export function describeHolder(holder: SchedulerHolder): string {
  return `pid ${holder.pid} on ${holder.host} (${holder.label}, since ${new Date(holder.startedAt).toISOString()})`;
}
