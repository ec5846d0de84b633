/** The `--latency <profile>` option of the source benchmarks: none by default, `real` for the real API's times. */
import { LATENCY_PROFILES, type LatencyProfile } from '../src/sim/latency.ts';

export function latencyArg(args: string[]): LatencyProfile | undefined {
  const i = args.indexOf('--latency');
  if (i < 0) return undefined;
  const profile = LATENCY_PROFILES[args[i + 1] ?? ''];
  if (!profile) throw new Error(`--latency takes one of: ${Object.keys(LATENCY_PROFILES).join(', ')}`);
  return profile;
}
