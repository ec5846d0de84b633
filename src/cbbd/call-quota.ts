/**
 * What the client learns about the month's call quota: the `X-CallLimit-Remaining` figure of each response (the
 * calls left after it; the header is absent on some responses) and whether the API said the quota is spent. A run
 * watches it to stop taking new steps before the reserve is crossed; the ledger (the run log) keeps every call.
 */
import { SourceError } from '../core/errors.ts';

/** One call as the ledger records it: its endpoint, the asset it was made for, the status and the figure. */
export interface SourceCall {
  readonly endpoint: string;
  /** The asset being computed when the call was made (from the fetch scope), or null outside a run. */
  readonly asset: string | null;
  /** HTTP status, or null when no answer came (timeout, network error): it may still have counted. */
  readonly status: number | null;
  /** `X-CallLimit-Remaining` of the answer, when it carried one. */
  readonly remaining: number | null;
}

/** Where each call is recorded (the run log's ledger). Must not throw: a ledger problem never fails a fetch. */
export type SourceCallSink = (call: SourceCall) => void;

/** The quota figure of an answer: `X-CallLimit-Remaining` read case-insensitively, a whole number, or undefined. */
export function callLimitRemaining(headers: Headers): number | undefined {
  const value = headers.get('x-calllimit-remaining')?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Whether a 429 means the month's quota is spent rather than "slow down": the API says so in its message
 * (`Monthly call quota exceeded`), or it reports no calls left and gives no Retry-After to wait for.
 */
export function isQuotaExhausted(body: string, headers: Headers): boolean {
  if (/quota/i.test(body)) return true;
  return callLimitRemaining(headers) === 0 && headers.get('retry-after') === null;
}

/** The month's quota is spent: never retried, and the run stops taking new steps. */
export class QuotaExhaustedError extends SourceError {
  constructor(what: string, body: string) {
    super(
      `The CBBD API's monthly call quota is spent: ${what} answered HTTP 429 ${JSON.stringify(body.slice(0, 120))}. ` +
        'Partitions not fetched stay stale; run the same command again once the quota resets (next month) or after ' +
        'raising your plan. `cbbd quota` shows the calls made this month.',
      { retryable: false },
    );
  }
}

/** The latest figure the API reported in this process, and whether it said the quota is spent. */
export class QuotaWatch {
  private latest: { remaining: number; at: number } | undefined;
  private spent = false;
  private answers = 0;

  observe(remaining: number | undefined, at = Date.now()): void {
    this.answers++;
    if (remaining === undefined) return;
    this.latest = { remaining, at };
    // Calls left again: the quota has reset (a new month) or the plan was raised.
    if (remaining > 0) this.spent = false;
  }

  markExhausted(): void {
    this.spent = true;
    this.latest = { remaining: 0, at: Date.now() };
  }

  /** Answers seen so far: a run heeds only what was observed after it started. */
  get observed(): number {
    return this.answers;
  }

  /** The last `X-CallLimit-Remaining` seen, or undefined before the first answer that carried one. */
  get remaining(): number | undefined {
    return this.latest?.remaining;
  }

  get exhausted(): boolean {
    return this.spent;
  }
}
