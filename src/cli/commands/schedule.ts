/**
 * `cbbd schedule [--list] [--json]`: the foreground scheduler, for a machine or a container that only runs jobs
 * (`cbbd serve` runs the same scheduler beside the page). It prints each schedule's next tick, then ticks until
 * SIGTERM or SIGINT; `--list` prints the schedules with their recent ticks and exits. Needs only the configuration
 * and the run log, not the asset graph: the ticks load what they need in their own processes.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, ExecutionError } from '../../core/errors.ts';
import { createLogger, type Logger } from '../../core/logger.ts';
import { RunLog } from '../../store/run-log.ts';
import { ScheduleLog } from '../../store/schedule-log.ts';
import type { ScheduleConfig } from '../../config/schedules.ts';
import { RunControls } from '../../store/run-controls.ts';
import { loadConfig, type Config } from '../../config/config.ts';
import { renderSchedules, schedulesView } from '../../schedule/schedule-views.ts';
import { Scheduler } from '../../schedule/scheduler.ts';
import type { TickCli } from '../../schedule/tick-process.ts';
import { againText, onStopSignals } from '../stop-signals.ts';

export interface ScheduleCommandOptions {
  config?: string;
  assets?: string;
  list?: boolean;
  json?: boolean;
}

/** Ticks run this very CLI (`process.argv[1]`, bin/cbbd.js) with the scheduler's own configuration file. */
export function tickCli(config: Config, assets?: string): TickCli {
  return {
    execPath: process.execPath,
    script: process.argv[1]!,
    // Without a file the scheduler runs on the defaults, and so does a tick started in the same folder.
    globalArgs: [...(existsSync(config.file) ? ['--config', config.file] : []), ...(assets ? ['--assets', assets] : [])],
  };
}

/**
 * With S3 the run log is a copy downloaded per command under a lease, so two processes cannot share it live: there
 * the schedules run as EventBridge rules (infra/), each tick its own task.
 */
export function schedulerUnsupported(config: Config): string | undefined {
  return config.drivers.storage === 's3'
    ? `schedules do not run in-process with drivers.storage "s3": the run log lives in the bucket and only one command holds it at a time. On AWS the schedules in config.yaml run as EventBridge rules (see infra/); run cbbd schedule against a local run log.`
    : undefined;
}

export async function scheduleCommand(options: ScheduleCommandOptions): Promise<number> {
  const config = loadConfig(options.config);
  const unsupported = schedulerUnsupported(config);
  if (unsupported) throw new ConfigError(`${config.file}: ${unsupported}`);
  const runLog = await RunLog.open(config.runLog.path);
  const scheduleLog = ScheduleLog.open(config.runLog.path);
  const controls = RunControls.open(config.runLog.path);
  try {
    // Switched on or off from the page: the run log's switch wins over config.yaml's `enabled`.
    const isEnabled = (name: string, s: ScheduleConfig) => controls?.scheduleSwitches().get(name)?.enabled ?? s.enabled;
    if (!options.list && !Object.entries(config.schedules).some(([name, s]) => isEnabled(name, s))) {
      throw new ConfigError(`${config.file}: no enabled schedule in schedules:, so cbbd schedule has nothing to run. Add one (see docs/guide.md, "Schedules") or set enabled: true.`);
    }
    const view = schedulesView(config.schedules, scheduleLog, new Date(), 10, controls?.scheduleSwitches());
    if (options.list) {
      process.stdout.write(`${options.json ? JSON.stringify(view, null, 2) : renderSchedules(view)}\n`);
      return 0;
    }
    process.stdout.write(`cbbd schedule: pid ${process.pid} on ${hostname()}, run log ${config.runLog.path} (SIGTERM or Ctrl-C stops it)\n${renderSchedules(view)}\n`);
    const log = createLogger();
    const scheduler = new Scheduler({
      schedules: config.schedules, runLog, scheduleLog, cli: tickCli(config, options.assets), log, label: 'cbbd schedule', isEnabled,
    });
    // The first signal stops ticking and waits for a running tick (its command is passed the signal); a second kills
    // that command at once, since it runs in its own process group and nothing else would end it.
    const stop = onStopSignals({
      log,
      graceMs: null,
      exitOnAbandon: false,
      notices: {
        stopping: (signal) => `stopping: no new tick; a running tick is passed ${signal} and waited for; ${againText(signal)} kills it`,
        abandoning: () => 'killing the running tick at once',
      },
      abandon: () => scheduler.killTick(),
    });
    scheduler.start();
    try {
      await scheduler.stop(await stop.stopped);
    } finally {
      stop.dispose();
    }
    return 0;
  } finally {
    controls?.close();
    await scheduleLog.close();
    await runLog.close();
  }
}

/** The schedules beside `cbbd serve`: its scheduler (unless turned off), and the view `GET /api/schedules` answers. */
export interface ServeSchedules {
  view(): object;
  /** Tick a schedule now (the page's "Run now"), if this server runs the schedules. */
  runNow(name: string, why: string): { readonly started: true } | { readonly refused: string };
  /** Turn a schedule on or off for every scheduler of this run log; false for a schedule not in config.yaml. */
  switchSchedule(name: string, enabled: boolean, by: string): boolean;
  /** Start ticking: once the page listens, so a server that cannot start leaves no scheduler behind. */
  start(): void;
  /** Refuse (409) a page's run while this server's tick runs a command: the two never overlap. */
  refuseDuringTick(): void;
  stop(signal: NodeJS.Signals): Promise<void>;
  /** A second signal: kill a running tick's command at once. */
  killTick(): void;
}

export function serveSchedules(config: Config, runLog: RunLog, log: Logger, options: { run: boolean; assets?: string }): ServeSchedules {
  const scheduleLog = ScheduleLog.open(config.runLog.path);
  const controls = RunControls.open(config.runLog.path);
  const isEnabled = (name: string, s: ScheduleConfig) => controls?.scheduleSwitches().get(name)?.enabled ?? s.enabled;
  const unsupported = schedulerUnsupported(config);
  if (unsupported && options.run) log.info(`No schedules beside the page: ${unsupported}`);
  const scheduler = options.run && !unsupported
    ? new Scheduler({ schedules: config.schedules, runLog, scheduleLog, cli: tickCli(config, options.assets), log, label: 'cbbd serve', isEnabled })
    : undefined;
  return {
    runNow(name, why) {
      if (!scheduler) return { refused: unsupported ?? 'This server does not run the schedules (--no-schedules): cbbd schedule or another cbbd serve does.' };
      return scheduler.runNow(name, why);
    },
    switchSchedule(name, enabled, by) {
      if (!controls || !Object.hasOwn(config.schedules, name)) return false;
      controls.switchSchedule(name, enabled, by);
      return true;
    },
    start: () => scheduler?.start(),
    refuseDuringTick() {
      const tick = scheduler?.status.activeTick;
      if (tick) {
        throw new ExecutionError(`Refused: the ${tick.schedule} schedule's tick (pid ${tick.pid}, since ${new Date(tick.startedAt).toISOString()}) is running. Start this run once it has finished.`);
      }
    },
    view() {
      const status = scheduler?.status;
      const activeTick = status?.activeTick && { ...status.activeTick, plannedAt: new Date(status.activeTick.plannedAt).toISOString(), startedAt: new Date(status.activeTick.startedAt).toISOString() };
      return {
        ...schedulesView(config.schedules, scheduleLog, new Date(), 10, controls?.scheduleSwitches()),
        thisServer: { state: !status || status.state === 'stopped' ? 'off' : status.state, activeTick: activeTick ?? null, ...(unsupported && { why: unsupported }) },
      };
    },
    killTick: () => scheduler?.killTick(),
    async stop(signal) {
      await scheduler?.stop(signal);
      controls?.close();
      await scheduleLog.close();
    },
  };
}
