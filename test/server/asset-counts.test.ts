/** Each partition counted once on the graph: a running one as running only, and only in the season shown. */
import { describe, expect, it } from 'vitest';
import type { StaleReason } from '../../src/core/plan.ts';
import type { AssetView } from '../../src/server/asset-status.ts';
import { consistentCounts } from '../../src/server/asset-counts.ts';

const view = (counts: AssetView['counts']): AssetView => ({ key: 'silver/fct_games', partitions: Object.values(counts).reduce((a, b) => a + b, 0) - counts.running, counts, state: 'fresh', reasons: {} });
const missing = { kind: 'missing' } as StaleReason;

describe('consistentCounts', () => {
  it('counts 17 partitions of 2024 with 2 running as 15 fresh and 2 running, not 17 fresh and 15 running', () => {
    const running = new Set(['2024|2024-01-01', '2024|2024-01-02', ...Array.from({ length: 13 }, (_, i) => `2023|2023-01-${String(i + 1).padStart(2, '0')}`)]);
    const snapshot = { reasons: new Map(), running: new Map([['silver/fct_games', running]]) };
    expect(consistentCounts(view({ fresh: 17, stale: 0, missing: 0, failed: 0, running: 15 }), snapshot, 2024)).toEqual({
      counts: { fresh: 15, stale: 0, missing: 0, failed: 0, running: 2 }, state: 'running',
    });
  });

  it('takes a running partition out of the category its reason puts it in', () => {
    const snapshot = { reasons: new Map([['silver/fct_games', new Map([['2024|2024-01-03', missing]])]]), running: new Map([['silver/fct_games', new Set(['2024|2024-01-03'])]]) };
    expect(consistentCounts(view({ fresh: 3, stale: 0, missing: 1, failed: 0, running: 1 }), snapshot, undefined).counts).toEqual({ fresh: 3, stale: 0, missing: 0, failed: 0, running: 1 });
  });

  it('shows another season running as not running here', () => {
    const snapshot = { reasons: new Map(), running: new Map([['silver/fct_games', new Set(['2023|2023-01-01'])]]) };
    expect(consistentCounts(view({ fresh: 4, stale: 0, missing: 0, failed: 0, running: 1 }), snapshot, 2024)).toEqual({ counts: { fresh: 4, stale: 0, missing: 0, failed: 0, running: 0 }, state: 'fresh' });
  });
});
