/** Per-run, per-endpoint call accounting: calls, retries, failures, bytes and latency, for the run log and the page. */

export interface EndpointCalls {
  calls: number;
  retries: number;
  failures: number;
  bytes: number;
  latencyMs: number;
}

/** Calls (attempts, retries included) over every endpoint: what a run's call budget and the quota count. */
export function totalCalls(calls: Readonly<Record<string, EndpointCalls>> | undefined): number {
  return Object.values(calls ?? {}).reduce((n, e) => n + e.calls, 0);
}

export class CallAccounting {
  private readonly endpoints = new Map<string, EndpointCalls>();
  /** Calls (attempts) per asset being computed, to compare with the plan's estimate per asset. */
  private readonly assets = new Map<string, number>();

  /** The endpoint of a request path: numeric ids become `{id}`, so per-game calls count as one endpoint. */
  static endpointOf(pathname: string): string {
    return pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
  }

  private entry(endpoint: string): EndpointCalls {
    let e = this.endpoints.get(endpoint);
    if (!e) this.endpoints.set(endpoint, (e = { calls: 0, retries: 0, failures: 0, bytes: 0, latencyMs: 0 }));
    return e;
  }

  recordAttempt(endpoint: string, attempt: number, latencyMs: number, bytes: number, asset?: string): void {
    if (asset !== undefined) this.assets.set(asset, (this.assets.get(asset) ?? 0) + 1);
    const e = this.entry(endpoint);
    e.calls++;
    if (attempt > 1) e.retries++;
    e.latencyMs += latencyMs;
    e.bytes += bytes;
  }

  recordFailure(endpoint: string): void {
    this.entry(endpoint).failures++;
  }

  get totalCalls(): number {
    let n = 0;
    for (const e of this.endpoints.values()) n += e.calls;
    return n;
  }

  /** Calls per asset, sorted by asset key (calls made outside a compute are not in it). */
  byAsset(): Record<string, number> {
    return Object.fromEntries([...this.assets].sort(([a], [b]) => a.localeCompare(b)));
  }

  snapshot(): Record<string, EndpointCalls> {
    return Object.fromEntries([...this.endpoints].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]));
  }
}

/** The calls per endpoint made since the snapshot `before` (undefined when none were): one run's share of a process's calls. */
export function callsSince(now: Record<string, EndpointCalls> | undefined, before: Record<string, EndpointCalls>): Record<string, EndpointCalls> | undefined {
  if (!now) return undefined;
  const out: Record<string, EndpointCalls> = {};
  for (const [endpoint, c] of Object.entries(now)) {
    const b = before[endpoint];
    const d = b ? { calls: c.calls - b.calls, retries: c.retries - b.retries, failures: c.failures - b.failures, bytes: c.bytes - b.bytes, latencyMs: c.latencyMs - b.latencyMs } : c;
    if (d.calls > 0) out[endpoint] = d;
  }
  return Object.keys(out).length ? out : undefined;
}
