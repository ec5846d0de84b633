/**
 * Costly work a GET can cause (a preview opens a DuckDB and reads a table; a new selection plans every season on the
 * event loop), done a few at a time with a short queue behind: beyond it the request is refused with 429 at once.
 * Any page on any site can make a browser send GETs here (an `<img>` needs no permission), so what one costs must
 * have a bound that does not depend on who asks. Each piece of work starts on a later turn of the event loop, so the
 * requests that arrived meanwhile (the page's own, cheap ones) are answered between two pieces, not after all of them;
 * work that holds the loop can be made to rest between pieces too (`rest`).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Refused for now: the queue is full. The app answers 429 with Retry-After. */
export class ServerBusyError extends Error {
  constructor(readonly what: string, readonly retryAfterSeconds: number) {
    super(`The server is busy with other ${what}; try again in a few seconds.`);
    this.name = 'ServerBusyError';
  }
}

export interface WorkQueueOptions {
  /** What the work is, for the 429's message ("previews", "plans"). */
  readonly what: string;
  /** Pieces of work under way at once. */
  readonly running: number;
  /** Pieces waiting their turn; one more is refused. */
  readonly waiting: number;
  readonly retryAfterSeconds?: number;
  /**
   * For work that holds the event loop (a plan): after a piece that took t ms, the next starts t × rest ms later, so
   * such work takes at most 1 / (1 + rest) of the loop however fast it is asked for (default 0: at once).
   */
  readonly rest?: number;
}

export class WorkQueue {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {}

  /** Figures for tests and the log: how many run and wait now. */
  get load(): { running: number; waiting: number } {
    return { running: this.active, waiting: this.queue.length };
  }

  /** Run `work` when a place is free, or throw `ServerBusyError` at once when the queue is full. */
  async run<T>(work: () => T | Promise<T>): Promise<T> {
    if (this.active >= this.options.running) {
      if (this.queue.length >= this.options.waiting) throw new ServerBusyError(this.options.what, this.options.retryAfterSeconds ?? 2);
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.active++;
    const started = performance.now();
    try {
      await nextTurn(); // let the requests read meanwhile be answered first
      return await work();
    } finally {
      const rest = (performance.now() - started) * (this.options.rest ?? 0);
      if (rest >= 1) setTimeout(() => this.release(), rest);
      else this.release();
    }
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next(); // the place passes on: `active` stays as it is
    else this.active--;
  }
}
