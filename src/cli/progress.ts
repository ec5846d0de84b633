/**
 * Run progress: a bar on a terminal (asset, partitions done/total, elapsed, ETA), JSON events through the logger
 * otherwise, so CI logs and ECS get one parseable line per step.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../core/logger.ts';
import type { RunEvent } from '../core/run-events.ts';

export function progressReporter(log: Logger, tty = Boolean(process.stderr.isTTY)): { onEvent: (e: RunEvent) => void; stop: () => void } {
  if (!tty) {
    return {
      onEvent: (event) => {
        const level =
          event.type === 'step_finished' && event.status === 'failed' ? 'error'
          : event.type === 'step_retrying' ? 'warn'
          : event.type === 'step_started' ? 'debug'
          : 'info';
        log[level]({ event }, event.type);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: '{asset} [{bar}] {value}/{total} partitions | {duration_formatted} elapsed | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onEvent: (event) => {
      switch (event.type) {
        case 'run_started':
          bar.start(event.partitions, 0, { asset: 'starting' });
          started = true;
          break;
        case 'run_replanned':
          bar.setTotal(event.partitions);
          break;
        case 'step_started':
          bar.update({ asset: event.asset });
          break;
        case 'step_retrying':
          bar.update({ asset: `${event.asset} (retry ${event.attempt})` });
          break;
        case 'step_finished':
          bar.increment(event.succeeded + event.failed + event.skipped + event.unchanged, { asset: event.asset });
          break;
        case 'run_finished':
          bar.update({ asset: event.status });
          break;
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
