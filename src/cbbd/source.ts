/**
 * Which CBBD source a run uses, made obvious: with CBBD_API_KEY (or BEARER_TOKEN) the real API at the configured
 * base URL; without a key, the built-in simulator, started in this process on a loopback port the first time a
 * compute needs it. CBBD_API_BASE_URL points either at another server (for example a `cbbd sim` elsewhere).
 */
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { EndpointCalls } from './call-accounting.ts';
import type { QuotaWatch, SourceCallSink } from './call-quota.ts';
import { CbbdClient } from './client.ts';
import type { DeadLetterResolver, DeadLetterSink } from './dead-letters.ts';

export interface SourceSettings {
  readonly apiKey: string | undefined;
  readonly baseUrl: string;
  /** True when the base URL came from CBBD_API_BASE_URL rather than the default. */
  readonly baseUrlOverridden: boolean;
  readonly requestsPerSecond: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly retries: number;
  /** The source without a key or address: the built-in simulator (src/sim), handed in by the composition root. */
  readonly simulator?: BuiltInSimulator;
}

/** The built-in simulator as the source uses it: named, and started in this process on its first call. */
export interface BuiltInSimulator {
  /** What it simulates, for the source's line: "demo scale, seed 2024". */
  readonly description: string;
  /** Division I teams its world has, when every seed gives the same number (the demo's 32). */
  readonly divisionOneTeams: number | undefined;
  start(): Promise<{ readonly url: string; close(): Promise<void> }>;
}

export interface CbbdSource {
  readonly kind: 'api' | 'simulator';
  /** One line for the top of every command's output. */
  readonly description: string;
  client(): Promise<CbbdClient>;
  /** Calls made so far, per endpoint, or undefined when no call was made. */
  calls(): Record<string, EndpointCalls> | undefined;
  /** Calls made so far per asset being computed (retries included). */
  callsByAsset(): Record<string, number>;
  /** The quota figures the API reported in this process (none before the client's first call). */
  readonly quota: Pick<QuotaWatch, 'remaining' | 'exhausted' | 'observed'>;
  /**
   * The name the ledger keeps this source's calls under: "simulator" for the in-process one, else the base URL.
   * Figures of one source never stand for another's.
   */
  readonly ledgerName: string;
  /** Division I teams this source has, when it knows before a call (the demo simulator's 32); else about 362. */
  readonly divisionOneTeams?: number | undefined;
  close(): Promise<void>;
}

/** The key the in-process simulator is called with: it accepts any non-empty key. */
const SIMULATOR_KEY = 'simulator-local-key';

export function cbbdSource(
  settings: SourceSettings, log: Logger, deadLetters?: DeadLetterSink, deadLetterResolved?: DeadLetterResolver,
  /** The ledger, told of every call with the name of this source. */
  ledger?: (source: string, call: Parameters<SourceCallSink>[0]) => void,
): CbbdSource {
  const external = settings.apiKey !== undefined || settings.baseUrlOverridden;
  const ledgerName = external ? settings.baseUrl : 'simulator';
  const clientOptions = {
    ...(ledger && { calls: ((call) => ledger(ledgerName, call)) satisfies SourceCallSink }),
    ...(deadLetters && { deadLetters }),
    ...(deadLetterResolved && { deadLetterResolved }),
    requestsPerSecond: settings.requestsPerSecond, maxInFlight: settings.maxInFlight,
    timeoutMs: settings.timeoutMs, retries: settings.retries, log,
  };
  if (external) {
    const client = new CbbdClient({ ...clientOptions, baseUrl: settings.baseUrl, apiKey: settings.apiKey ?? SIMULATOR_KEY });
    return {
      kind: 'api',
      description: settings.apiKey !== undefined
        ? `Source: the CBBD API at ${settings.baseUrl} (key from the environment).`
        : `Source: the CBBD-compatible server at ${settings.baseUrl} (CBBD_API_BASE_URL, no key set).`,
      client: async () => client,
      calls: () => (client.calls.totalCalls ? client.calls.snapshot() : undefined),
      callsByAsset: () => client.calls.byAsset(),
      quota: client.quota,
      ledgerName,
      close: async () => {},
    };
  }
  const { simulator } = settings;
  if (!simulator) throw new ConfigError('No CBBD source: set CBBD_API_KEY for the real API, or CBBD_API_BASE_URL for a `cbbd sim` elsewhere.');
  let running: Promise<{ sim: { close(): Promise<void> }; client: CbbdClient }> | undefined;
  let started: CbbdClient | undefined;
  return {
    kind: 'simulator',
    description: `Source: the built-in CBBD simulator (${simulator.description}); no CBBD_API_KEY is set, so no real API is called.`,
    divisionOneTeams: simulator.divisionOneTeams,
    client: async () => {
      // Started on the first call (and loaded then: its world, Hono and the HTTP server would cost every command's
      // start-up otherwise, and `status` or `plan` never call it).
      running ??= simulator.start().then((sim) => ({
        sim,
        // The in-process simulator answers at once: no need to be polite to ourselves.
        client: new CbbdClient({ ...clientOptions, requestsPerSecond: 1_000, maxInFlight: 8, baseUrl: sim.url, apiKey: SIMULATOR_KEY }),
      }));
      started = (await running).client;
      return started;
    },
    calls: () => (started?.calls.totalCalls ? started.calls.snapshot() : undefined),
    callsByAsset: () => started?.calls.byAsset() ?? {},
    quota: {
      get remaining() { return started?.quota.remaining; },
      get exhausted() { return started?.quota.exhausted ?? false; },
      get observed() { return started?.quota.observed ?? 0; },
    },
    ledgerName,
    close: async () => {
      if (running) await (await running).sim.close();
    },
  };
}
