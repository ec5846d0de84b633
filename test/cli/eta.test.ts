/** The run's ETA from its finished steps, not from a count-over-time rate. */
import { describe, expect, it } from 'vitest';
import { etaOf } from '../../src/cli/eta.ts';
import { barLine } from '../../src/cli/progress.ts';

const left = (byLayer: Record<string, number>) => new Map(Object.entries(byLayer));

describe('etaOf', () => {
  it('waits for three finished steps and two seconds before it guesses', () => {
    const raw = { layer: 'raw', partitions: 1, durationMs: 500 };
    expect(etaOf([raw], left({ raw: 100 }), 10_000, 2)).toBeUndefined();
    expect(etaOf([raw, raw, raw], left({ raw: 100 }), 1_000, 2)).toBeUndefined();
    expect(etaOf([], left({ raw: 0 }), 0, 0)).toBe(0);
  });

  it('prices what is left at the finished steps\' time per partition, over the steps run side by side', () => {
    // Six steps of 7 partitions, 1.4 s each, two at a time over 4.2 s of run: 0.2 s a partition, 2 side by side.
    const steps = Array.from({ length: 6 }, () => ({ layer: 'raw', partitions: 7, durationMs: 1_400 }));
    expect(etaOf(steps, left({ raw: 100 }), 4_200, 2)).toBeCloseTo(10_000);
  });

  it('prices each layer at its own pace: slow API steps do not make the quick bronze ones look slow', () => {
    // Raw: 2 s a partition; bronze: 0.1 s. 100 bronze partitions left take 10 s, not 200 s.
    const steps = [
      { layer: 'raw', partitions: 1, durationMs: 2_000 }, { layer: 'raw', partitions: 1, durationMs: 2_000 },
      { layer: 'bronze', partitions: 10, durationMs: 1_000 },
    ];
    expect(etaOf(steps, left({ raw: 0, bronze: 100 }), 5_000, 1)).toBeCloseTo(10_000);
    // A layer with no finished step yet: the run's mean (5 s over 12 partitions).
    expect(etaOf(steps, left({ gold: 12 }), 5_000, 1)).toBeCloseTo(5_000);
  });
});

describe('barLine', () => {
  it.each([40, 80, 160])('never reaches the edge of a %i-column terminal', (columns) => {
    const line = barLine({ columns, asset: 'gold/game_predictions_features_with_a_long_name', value: 512, total: 2_076, elapsedMs: 65_000, etaMs: 125_000, progress: 512 / 2_076 });
    expect(line.length).toBeLessThan(columns);
    expect(line).toContain('512/2076 partitions');
  });

  it('shows the asset, the bar, the counts, elapsed and the ETA on a wide terminal', () => {
    expect(barLine({ columns: 160, asset: 'raw/plays', value: 50, total: 100, elapsedMs: 65_000, etaMs: undefined, progress: 0.5 }))
      .toBe(`raw/plays ${'█'.repeat(20)}${'░'.repeat(20)} 50/100 partitions 1m05s elapsed, ETA estimating`);
  });
});
