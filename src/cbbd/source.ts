/**
 * Which CBBD source a run uses, made obvious: with CBBD_API_KEY (or BEARER_TOKEN) the real API at the configured
 * base URL; without a key, the built-in simulator, started in this process on a loopback port the first time a
 * compute needs it. CBBD_API_BASE_URL points either at another server (for example a `cbbd sim` elsewhere).
 */
import { commandClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { EndpointCalls } from './call-accounting.ts';
import type { QuotaWatch, SourceCallSink } from './call-quota.ts';
import { CbbdClient } from './client.ts';
import type { DeadLetterResolver, DeadLetterSink } from './dead-letters.ts';
import type { SimOptions } from './sim/app.ts';
import { divisionOneTeamsOf, type SimScale } from './sim/scales.ts';
import type { RunningSim } from './sim/serve.ts';

export interface SourceSettings {
  readonly apiKey: string | undefined;
  readonly baseUrl: string;
  /** True when the base URL came from CBBD_API_BASE_URL rather than the default. */
  readonly baseUrlOverridden: boolean;
  readonly requestsPerSecond: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly simulator: { readonly seed: number; readonly scale: SimScale; readonly gameCap: number } & Pick<SimOptions, 'faults' | 'lateCorrectionDays' | 'unlistedFields' | 'missingPlaysRate' | 'possessionsMissingIn' | 'monthlyCallQuota'>;
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
  const { seed, scale } = settings.simulator;
  let running: Promise<{ sim: RunningSim; client: CbbdClient }> | undefined;
  let started: CbbdClient | undefined;
  return {
    kind: 'simulator',
    description: `Source: the built-in CBBD simulator (${scale} scale, seed ${seed}); no CBBD_API_KEY is set, so no real API is called.`,
    divisionOneTeams: divisionOneTeamsOf(scale),
    client: async () => {
      // Imported on the first call: the simulator (its world, Hono, the HTTP server) costs every command's start-up
      // otherwise, and `status` or `plan` never call it.
      running ??= import('./sim/serve.ts').then(({ startSimulator }) => startSimulator({ ...settings.simulator, now: commandClock })).then((sim) => ({
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
