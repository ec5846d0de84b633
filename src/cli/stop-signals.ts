/**
 * How a command that runs materializations stops on SIGTERM (a container being stopped, which is killed 30 s later)
 * or SIGINT (Ctrl-C): the first signal aborts the run (it takes no new step, and the steps under way get a grace
 * period to finish); a second signal, or the grace period running out, abandons what is still under way: `abandon`
 * records the run as cancelled and closes what the command opened (in the cloud that uploads the run log, so the
 * partitions committed before the stop are not redone), within CLOSE_DEADLINE_MS, and the process exits with 128 + the
 * signal's number; a third signal exits at once. Abandoning is safe because a partition becomes visible only by its
 * atomic commit, so one cut short is left stale, never half-written.
 */
import { constants } from 'node:os';
import type { Logger } from '../core/logger.ts';
import { interruptQueries } from '../lake/duckdb.ts';

/** How long the steps under way may take to finish once a stop was asked for. */
export const STOP_GRACE_MS = 5_000;
/** How long abandoning may take to record the run and close (upload the cloud run log); a container has 30 s in all. */
export const CLOSE_DEADLINE_MS = 10_000;

export interface StopSignals {
  /** Aborted by the first SIGTERM or SIGINT. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** The exit code of a process stopped by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
  exitCode(): number;
  /** Stop listening (the work ended): later signals get Node's default behaviour again. */
  dispose(): void;
  /**
   * Once the run is being abandoned, never settles: the abandon path records the run, closes and exits, and what the
   * command's own code would do meanwhile (report a run whose run log was just closed under it) must not run. Else
   * resolves at once.
   */
  settled(): Promise<void>;
}

export function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

export interface StopSignalOptions {
  log: Logger;
  abandon: (signal: NodeJS.Signals) => void | Promise<void>;
  graceMs?: number;
  /**
   * Where the stop's one-line notices go (above a progress bar on a terminal) and which steps are under way; without
   * it, warn log lines that name no step.
   */
  display?: { note(text: string): void; running(): string[] };
}

/** The first signal's notice: what happens now, and what a second signal would do. */
export function stoppingNotice(signal: NodeJS.Signals, running: readonly string[], graceMs: number): string {
  const again = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
  return `stopping: finishing ${running.length} running step(s) (up to ${Math.round(graceMs / 1000)} s), committing nothing half done; ${again} abandons them`;
}

/** The second signal's notice: what it abandons. */
export function abandoningNotice(running: readonly string[]): string {
  if (!running.length) return 'abandoning: no step is under way; recording the run as cancelled';
  const assets = [...new Set(running)];
  const named = assets.length > 4 ? `${assets.slice(0, 4).join(', ')} and ${assets.length - 4} more` : assets.join(', ');
  return `abandoning ${running.length} running step(s) (${named}): their partitions stay stale, never half-written; recording the run as cancelled`;
}

export function onStopSignals(options: StopSignalOptions): StopSignals {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let grace: NodeJS.Timeout | undefined;
  let abandoning = false;
  const note = (text: string) => (options.display ? options.display.note(text) : options.log.warn(text));
  const abandon = (signal: NodeJS.Signals, bySignal: boolean) => {
    if (abandoning) process.exit(exitCodeOf(signal));
    abandoning = true;
    const running = options.display?.running() ?? [];
    note(bySignal ? abandoningNotice(running) : `${running.length} step(s) still running after the grace period: ${abandoningNotice(running)}`);
    clearTimeout(grace);
    interruptQueries();
    setTimeout(() => {
      options.log.warn(`closing took over ${CLOSE_DEADLINE_MS / 1000} s; exiting without it`);
      process.exit(exitCodeOf(signal));
    }, CLOSE_DEADLINE_MS);
    void (async () => {
      try {
        await options.abandon(signal);
      } catch (error) {
        options.log.warn({ err: error }, 'could not record the abandoned run or close cleanly');
      } finally {
        process.exit(exitCodeOf(signal));
      }
    })();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return abandon(signal, true);
    received = signal;
    const graceMs = options.graceMs ?? STOP_GRACE_MS;
    // An expected stop, not a fault: a notice for the person, never an ERROR with a stack.
    note(stoppingNotice(signal, options.display?.running() ?? [], graceMs));
    controller.abort(new Error(`interrupted by ${signal}`));
    grace = setTimeout(() => abandon(signal, false), graceMs);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received ? exitCodeOf(received) : 0),
    dispose() {
      clearTimeout(grace);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    // The abandon path's deadline timer keeps the process alive until it exits.
    settled: () => (abandoning ? new Promise<void>(() => {}) : Promise.resolve()),
  };
}
