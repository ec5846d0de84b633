/** The CBBD source as config describes it, for every command and for a look at the API that writes nothing. */
import { cbbdSource, type CbbdSource, type SourceSettings } from '../cbbd/source.ts';
import type { Config } from '../config/config.ts';
import { builtInSimulator } from './built-in-simulator.ts';
import type { CommandContext } from './context.ts';

/** The API source as config describes it (key, address, limits, retries, the simulator); every command's, and `cbbd fetch`'s. */
export function sourceSettings(config: Config): SourceSettings {
  return {
    apiKey: config.apiKey,
    baseUrl: config.source.baseUrl,
    baseUrlOverridden: Boolean(process.env.CBBD_API_BASE_URL?.trim()),
    requestsPerSecond: config.source.requestsPerSecond,
    maxInFlight: config.source.maxInFlight,
    timeoutMs: config.source.timeoutMs,
    retries: config.source.retries,
    simulator: builtInSimulator(config.simulator),
  };
}

/**
 * The run's source (same key, limits, retries and ledger) without a dead-letter sink: a call made to look at the
 * API (`cbbd fetch`, a project command's) leaves nothing in the lakehouse.
 */
export function debuggingSource(ctx: Pick<CommandContext, 'config' | 'log' | 'runLog'>): CbbdSource {
  return cbbdSource(sourceSettings(ctx.config), ctx.log, undefined, undefined, (name, call) => ctx.runLog.recordApiCall({ source: name, ...call }));
}
