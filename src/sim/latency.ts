/**
 * How long the real API takes to answer, as a profile the simulator can apply to every response (for benchmarks; off
 * by default, so unit tests stay fast): a time to first byte by kind of endpoint, then the body at the API's
 * throughput, with random spread. A big day of `/plays/date` (tens of MB) takes tens of seconds, and now and then
 * longer than the gateway waits: the request then fails with 504 after 60 s, as `/plays/date` for a February Saturday
 * did five times in the original pipeline's log against the real API.
 */
import { CallAccounting } from '../cbbd/call-accounting.ts';
import { ENDPOINTS, type EndpointKind } from '../cbbd/endpoints.ts';
import type { Random } from './random.ts';

export interface LatencyProfile {
  readonly name: string;
  /** Median time before the first byte, in ms, by kind of endpoint. */
  readonly firstByteMs: Readonly<Record<EndpointKind, number>>;
  /** Median time per MB of body, in ms: the API builds and sends big answers slowly. */
  readonly msPerMegabyte: number;
  /** Spread of a response's time: its log-normal SD (0.3 = most within 0.75–1.35 times the median). */
  readonly spread: number;
  /** Responses that would take longer are cut here with 504 Gateway Timeout. */
  readonly gatewayTimeoutMs: number;
}

/**
 * The real API as pipelines have seen it. The first-byte times and throughput are estimates chosen so that small
 * answers take a fraction of a second, a window of player box scores several seconds, and a busy day of plays
 * (about 30 MB) close to a minute, so that the biggest days now and then pass the 60-second cut.
 */
export const REAL_API_LATENCY: LatencyProfile = {
  name: 'real',
  firstByteMs: {
    snapshot: 150, season: 350, year: 300, date_range: 500, single_date: 600, per_team: 300, per_game: 200,
    per_player: 400, per_tournament: 800, live: 250,
  },
  msPerMegabyte: 1_200,
  spread: 0.3,
  gatewayTimeoutMs: 60_000,
};

export const LATENCY_PROFILES: Readonly<Record<string, LatencyProfile>> = { real: REAL_API_LATENCY };

const KIND_BY_ENDPOINT = new Map(Object.values(ENDPOINTS).map((e) => [CallAccounting.endpointOf(e.path.replace(/\{\w+\}/, '0')), e.kind]));

/** How long this response takes under the profile, and whether the gateway cuts it. */
export function responseDelay(profile: LatencyProfile, path: string, bytes: number, random: Random): { ms: number; timedOut: boolean } {
  const kind = KIND_BY_ENDPOINT.get(CallAccounting.endpointOf(path)) ?? 'season';
  const median = profile.firstByteMs[kind] + (profile.msPerMegabyte * bytes) / 1e6;
  const ms = median * Math.exp(random.normal(0, profile.spread));
  return ms > profile.gatewayTimeoutMs ? { ms: profile.gatewayTimeoutMs, timedOut: true } : { ms, timedOut: false };
}
