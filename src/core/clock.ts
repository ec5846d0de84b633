/**
 * The clock commands run on: the wall clock, or the instant in `CBBD_NOW` (an ISO 8601 timestamp) when it is set, so
 * a test or a replay of a past night sees `--season current`, the rolling window and the schedules as they were then.
 */
import { ConfigError } from './errors.ts';

export function commandClock(): Date {
  const fixed = process.env.CBBD_NOW?.trim();
  if (!fixed) return new Date();
  const at = new Date(fixed);
  if (Number.isNaN(at.getTime())) throw new ConfigError(`CBBD_NOW="${fixed}" is not a timestamp: use ISO 8601, e.g. 2026-12-06T08:00:00Z, or unset it.`);
  return at;
}
