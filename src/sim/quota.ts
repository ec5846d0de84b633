/**
 * The simulator's monthly call quota, metered per API key as the real API does: every authenticated request counts
 * against the key's calls for the month of the simulator's clock (UTC), and every answer says how many remain after
 * it in `X-CallLimit-Remaining`. Once the month's calls are spent the answer is what CFBD, the sister API on the same
 * backend, was seen to send (CFBD/cfbd-python#19): HTTP 429 `{"message":"Monthly call quota exceeded"}`, with no
 * Retry-After, since waiting seconds will not help. Keys are held as hashes, so `/_sim/quota` never shows one.
 */
import { createHash } from 'node:crypto';

/** A quota large enough that nothing but a test or a benchmark that asks for a smaller one ever meets it. */
export const DEFAULT_MONTHLY_CALLS = 1_000_000;
export const QUOTA_EXCEEDED_MESSAGE = 'Monthly call quota exceeded';

export type QuotaTake = { readonly ok: true; readonly remaining: number } | { readonly ok: false };

export interface QuotaUsage {
  readonly monthlyCalls: number;
  readonly month: string;
  /** Calls this month per key, the key shown as the first 12 hex digits of its SHA-256. */
  readonly keys: readonly { readonly keyHash: string; readonly used: number; readonly remaining: number }[];
}

export class SimQuota {
  private monthly: number;
  /** Calls by month (`YYYY-MM`) and key hash. */
  private readonly used = new Map<string, Map<string, number>>();

  constructor(monthlyCalls = DEFAULT_MONTHLY_CALLS, private readonly clock: () => Date) {
    this.monthly = monthlyCalls;
  }

  get monthlyCalls(): number {
    return this.monthly;
  }

  /** A plan change: the new limit applies to the calls already made this month. */
  setMonthlyCalls(calls: number): void {
    this.monthly = calls;
  }

  /** Count one call of `key` this month, or refuse it when the month's calls are spent. */
  take(key: string): QuotaTake {
    const month = monthOf(this.clock());
    let keys = this.used.get(month);
    if (!keys) this.used.set(month, (keys = new Map()));
    const hash = keyHash(key);
    const used = keys.get(hash) ?? 0;
    if (used >= this.monthly) return { ok: false };
    keys.set(hash, used + 1);
    return { ok: true, remaining: this.monthly - used - 1 };
  }

  usage(): QuotaUsage {
    const month = monthOf(this.clock());
    const keys = [...(this.used.get(month) ?? new Map<string, number>())].map(([hash, used]) => ({
      keyHash: hash, used, remaining: Math.max(0, this.monthly - used),
    }));
    return { monthlyCalls: this.monthly, month, keys };
  }
}

function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}
