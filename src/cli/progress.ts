/**
 * What a run shows while it goes. On a terminal: one progress line (cli-progress's multibar, the asset under way,
 * partitions done of planned, elapsed time and an ETA), with log lines and notices printed above it through the
 * multibar's log, never onto it; the line is cleared when the run ends, so the summary the command prints next is the
 * last thing on the screen, whole. Piped (CI, ECS, a file): one JSON log line per event on stderr, as before.
 */
import cliProgress from 'cli-progress';
import { routeReadableLines, type Logger } from '../core/logger.ts';
import type { RunEvent } from '../core/run-events.ts';
import { escapeControl } from '../core/control-chars.ts';
import { etaOf, type FinishedStep } from './eta.ts';

export interface RunDisplay {
  onEvent(event: RunEvent): void;
  /** A line for the person watching: above the bar on a terminal, a warn log line otherwise. */
  note(text: string): void;
  /** The steps started and not finished, by asset. */
  running(): string[];
  /** Partitions built (materialized or found unchanged) so far, and planned in all. */
  counts(): { built: number; planned: number };
  /** Clear the bar and give the terminal back; idempotent. */
  stop(): void;
}

/** `plan`: the steps the run starts with, whose partitions per layer the ETA prices. */
export function runDisplay(log: Logger, plan?: { readonly steps: readonly { readonly asset: string; readonly partitions: readonly unknown[] }[] }, tty = Boolean(process.stderr.isTTY)): RunDisplay {
  const running = new Map<string, string>();
  let built = 0;
  let planned = 0;
  const track = (event: RunEvent) => {
    if (event.type === 'run_started' || event.type === 'run_replanned') planned = event.partitions;
    else if (event.type === 'step_started') running.set(event.step, event.asset);
    else if (event.type === 'step_finished') {
      running.delete(event.step);
      built += event.succeeded + event.unchanged;
    }
  };
  const base = {
    running: () => [...running.values()],
    counts: () => ({ built, planned }),
  };
  if (!tty) {
    return {
      ...base,
      onEvent: (event) => {
        track(event);
        const level =
          event.type === 'step_finished' && event.status === 'failed' ? 'error'
          : event.type === 'step_retrying' ? 'warn'
          : event.type === 'step_started' ? 'debug'
          : 'info';
        log[level]({ event }, event.type);
      },
      note: (text) => log.warn(text),
      stop: () => {},
    };
  }
  const byLayer = new Map<string, number>();
  for (const step of plan?.steps ?? []) byLayer.set(layerOf(step.asset), (byLayer.get(layerOf(step.asset)) ?? 0) + step.partitions.length);
  return { ...base, ...terminalBar(track, () => running, byLayer) };
}

function layerOf(asset: string): string {
  return asset.slice(0, asset.indexOf('/'));
}

/** The terminal's bar: a cli-progress multibar of one line, fitted to the terminal's width at every redraw. */
function terminalBar(
  track: (event: RunEvent) => void, running: () => ReadonlyMap<string, string>, planned: ReadonlyMap<string, number>,
): Pick<RunDisplay, 'onEvent' | 'note' | 'stop'> {
  const stream = process.stderr;
  const started = Date.now();
  const finished: FinishedStep[] = [];
  // Partitions left per layer: the plan's, scaled when the run re-plans over the real game days, less those done.
  const plannedTotal = [...planned.values()].reduce((n, v) => n + v, 0);
  let scale = 1;
  const doneByLayer = new Map<string, number>();
  const leftByLayer = () => {
    const left = new Map<string, number>();
    for (const [layer, n] of planned) left.set(layer, Math.round(n * scale) - (doneByLayer.get(layer) ?? 0));
    // Without a plan (or a layer it did not list), what is left counts at the run's mean.
    const known = [...left.values()].reduce((n, v) => n + Math.max(0, v), 0);
    if (known < total - done) left.set('', total - done - known);
    return left;
  };
  let done = 0;
  let total = 0;
  let current = 'starting';
  const multibar = new cliProgress.MultiBar({
    stream,
    hideCursor: true,
    // The terminal keeps wrapping, so a long log line printed above the bar wraps whole; the bar's own line is fitted
    // to the width (and cli-progress trims it to the width besides), so it never wraps.
    linewrap: true,
    clearOnComplete: true,
    // The command handles Ctrl-C itself (stop-signals.ts): the bar must not stop and leave a half-drawn line then.
    gracefulExit: false,
    fps: 5,
    format: (_options, params) => barLine({
      columns: stream.columns || 80, asset: current, value: params.value, total: params.total, elapsedMs: Date.now() - started,
      etaMs: etaOf(finished, leftByLayer(), Date.now() - started, running().size),
      progress: params.progress,
    }),
  });
  let bar: cliProgress.SingleBar | undefined;
  const unroute = routeReadableLines((text) => {
    if (!bar) return void stream.write(text);
    multibar.log(text.endsWith('\n') ? text : `${text}\n`);
  });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unroute();
    // Lines logged since the last redraw are still in the multibar's buffer: draw them before the bar goes.
    if (bar) multibar.update();
    multibar.stop();
  };
  return {
    onEvent(event) {
      track(event);
      switch (event.type) {
        case 'run_started':
          total = event.partitions;
          bar = multibar.create(total, 0);
          break;
        case 'run_replanned':
          total = event.partitions;
          if (plannedTotal) scale = total / plannedTotal;
          bar?.setTotal(total);
          break;
        case 'step_started':
          current = event.asset;
          break;
        case 'step_retrying':
          current = `${event.asset} (retry ${event.attempt})`;
          break;
        case 'step_finished': {
          const partitions = event.succeeded + event.failed + event.skipped + event.unchanged;
          done += partitions;
          doneByLayer.set(layerOf(event.asset), (doneByLayer.get(layerOf(event.asset)) ?? 0) + partitions);
          if (event.status !== 'skipped' && partitions) finished.push({ layer: layerOf(event.asset), partitions, durationMs: event.durationMs });
          const still = [...running().values()];
          current = still.length ? still.at(-1)! : event.asset;
          bar?.update(done);
          break;
        }
        case 'run_stopping':
          current = 'stopping';
          break;
        case 'run_finished':
          bar?.update(done);
          break;
      }
    },
    note(text) {
      if (!bar || stopped) return void stream.write(`${escapeControl(text)}\n`);
      multibar.log(`${escapeControl(text)}\n`);
      // At once, not at the next redraw: a person who pressed Ctrl-C waits for this line.
      multibar.update();
    },
    stop,
  };
}

/** The bar's one line, at most `columns - 1` characters so the terminal never wraps it. */
export function barLine(o: { columns: number; asset: string; value: number; total: number; elapsedMs: number; etaMs: number | undefined; progress: number }): string {
  const counts = `${o.value}/${o.total} partitions`;
  const times = ` ${clock(o.elapsedMs)} elapsed, ${o.etaMs === undefined ? 'ETA estimating' : `ETA ${clock(o.etaMs)}`}`;
  const width = Math.max(20, o.columns - 1);
  const asset = escapeControl(o.asset);
  // The bar gets what the text leaves, between 10 and 40 cells; the asset's name is cut first, then the times.
  const fixed = counts.length + 3;
  let barCells = Math.min(40, Math.max(10, width - fixed - times.length - asset.length - 1));
  let name = asset;
  if (name.length + 1 + barCells + fixed + times.length > width) name = cut(asset, Math.max(8, width - barCells - fixed - times.length - 1));
  let tail = times;
  if (name.length + 1 + barCells + fixed + tail.length > width) tail = '';
  barCells = Math.max(5, Math.min(barCells, width - name.length - 1 - fixed - tail.length));
  const filled = Math.round(Math.min(1, Math.max(0, o.progress)) * barCells);
  return `${name} ${'█'.repeat(filled)}${'░'.repeat(barCells - filled)} ${counts}${tail}`.slice(0, width);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 1m05s, 42s: short enough for the bar's line. */
function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
