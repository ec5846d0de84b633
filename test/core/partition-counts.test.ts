/** One count of an asset's partitions by state, for `cbbd status` and the page: each partition once. */
import { describe, expect, it } from 'vitest';
import { partitionCounts, stateOfCounts } from '../../src/core/partition-counts.ts';
import type { StaleReason } from '../../src/core/plan.ts';

const missing = { kind: 'missing' } as StaleReason;
const failed = { kind: 'failed' } as StaleReason;

describe('partitionCounts', () => {
  it('counts 17 partitions with 2 running as 15 fresh and 2 running, not 17 fresh and 2 running (issue 29)', () => {
    const counts = partitionCounts({ partitions: 17, stale: 0, byReason: {} }, [undefined, undefined]);
    expect(counts).toEqual({ fresh: 15, stale: 0, missing: 0, failed: 0, running: 2 });
    expect(stateOfCounts(counts)).toBe('running');
  });

  it('takes a running partition out of the state its reason puts it in', () => {
    expect(partitionCounts({ partitions: 4, stale: 1, byReason: { missing: 1 } }, [missing])).toEqual({ fresh: 3, stale: 0, missing: 0, failed: 0, running: 1 });
  });

  it('splits stale into stale, never built and failed, and takes the state by one rule', () => {
    const counts = partitionCounts({ partitions: 10, stale: 6, byReason: { missing: 2, failed: 1, upstream_changed: 3 } }, [failed]);
    expect(counts).toEqual({ fresh: 4, stale: 3, missing: 2, failed: 0, running: 1 });
    expect(stateOfCounts({ ...counts, running: 0 })).toBe('stale');
    expect(stateOfCounts({ fresh: 4, stale: 0, missing: 2, failed: 0, running: 0 })).toBe('missing');
  });
});
