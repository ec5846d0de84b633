/**
 * How every long-running command stops (materialize, backfill, dead-letter replay, schedule, serve): the one place that
 * listens for SIGTERM (a container being stopped, which is killed 30 s later) and SIGINT (Ctrl-C).
 *
 * - The first signal aborts `signal` and resolves `stopped`: the command takes no new work, and what is under way
 *   gets a grace period to finish (materialize's steps) or is stopped in order (the scheduler's tick, the page's runs).
 * - A second signal, or the grace period running out, abandons what is still under way: `abandon` records it (a run
 *   as cancelled) and closes what the command opened (in the cloud that uploads the run log, so the partitions
 *   committed before the stop are not redone), within CLOSE_DEADLINE_MS; then the process exits with 128 + the
 *   signal's number, unless the command's own orderly stop goes on (`exitOnAbandon: false`: the scheduler kills its
 *   tick and then ends as usual).
 * - A third signal exits at once.
 *
 * Abandoning is safe because a partition becomes visible only by its atomic commit, so one cut short is left stale,
 * never half-written.
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
  /** Resolves with the first SIGTERM or SIGINT. */
  readonly stopped: Promise<NodeJS.Signals>;
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
  /** The second signal, or the grace period over: give up what is still under way and close. */
  abandon: (signal: NodeJS.Signals) => void | Promise<void>;
  /** How long what is under way may take after the first signal before it is abandoned; null: no limit here (the
   * command bounds its own stop, e.g. the scheduler waits a bounded time for its tick). Default STOP_GRACE_MS. */
  graceMs?: number | null;
  /** Exit with 128 + the signal's number once `abandon` settled (default); false when the command's stop goes on. */
  exitOnAbandon?: boolean;
  /** The one-line notices of the first and the second signal; by default those of a run's steps. */
  notices?: {
    stopping(signal: NodeJS.Signals, running: readonly string[], graceMs: number | null): string;
    abandoning(running: readonly string[]): string;
  };
  /**
   * Where the stop's one-line notices go (above a progress bar on a terminal) and which steps are under way; without
   * it, warn log lines that name no step.
   */
  display?: { note(text: string): void; running(): string[] };
}

/** The first signal's notice: what happens now, and what a second signal would do. */
function stoppingNotice(signal: NodeJS.Signals, running: readonly string[], graceMs: number | null): string {
  const upTo = graceMs === null ? '' : ` (up to ${Math.round(graceMs / 1000)} s)`;
  return `stopping: finishing ${running.length} running step(s)${upTo}, committing nothing half done; ${againText(signal)} abandons them`;
}

/** How a person sends `signal` again: "Ctrl-C again" or "SIGTERM again". */
export function againText(signal: NodeJS.Signals): string {
  return signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
}

/** The second signal's notice: what it abandons. */
function abandoningNotice(running: readonly string[]): string {
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
  let resolveStopped!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const notices = options.notices ?? { stopping: stoppingNotice, abandoning: abandoningNotice };
  const exitOnAbandon = options.exitOnAbandon ?? true;
  const note = (text: string) => (options.display ? options.display.note(text) : options.log.warn(text));
  const abandon = (signal: NodeJS.Signals, bySignal: boolean) => {
    if (abandoning) process.exit(exitCodeOf(signal));
    abandoning = true;
    const running = options.display?.running() ?? [];
    note(bySignal ? notices.abandoning(running) : `${running.length} step(s) still running after the grace period: ${notices.abandoning(running)}`);
    clearTimeout(grace);
    interruptQueries();
    const deadline = exitOnAbandon
      ? setTimeout(() => {
        options.log.warn(`closing took over ${CLOSE_DEADLINE_MS / 1000} s; exiting without it`);
        process.exit(exitCodeOf(signal));
      }, CLOSE_DEADLINE_MS)
      : undefined;
    void (async () => {
      try {
        await options.abandon(signal);
      } catch (error) {
        options.log.warn({ err: error }, 'could not record the abandoned work or close cleanly');
      } finally {
        if (exitOnAbandon) process.exit(exitCodeOf(signal));
        clearTimeout(deadline);
      }
    })();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return abandon(signal, true);
    received = signal;
    const graceMs = options.graceMs === undefined ? STOP_GRACE_MS : options.graceMs;
    // An expected stop, not a fault: a notice for the person, never an ERROR with a stack.
    note(notices.stopping(signal, options.display?.running() ?? [], graceMs));
    controller.abort(new Error(`interrupted by ${signal}`));
    resolveStopped(signal);
    if (graceMs !== null) grace = setTimeout(() => abandon(signal, false), graceMs);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    stopped,
    received: () => received,
    exitCode: () => (received ? exitCodeOf(received) : 0),
    dispose() {
      clearTimeout(grace);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    // The abandon path's deadline timer keeps the process alive until it exits.
    settled: () => (abandoning && exitOnAbandon ? new Promise<void>(() => {}) : Promise.resolve()),
  };
}
