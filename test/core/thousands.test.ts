import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withThousands } from '../../src/core/thousands.ts';

describe('withThousands', () => {
  it('prints what toLocaleString("en-US") prints, for the counts and estimates the CLI shows', () => {
    expect(withThousands(1_234_567)).toBe('1,234,567');
    expect(withThousands(3.4)).toBe('3.4');
    expect(withThousands(-1200.5)).toBe('-1,200.5');
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => withThousands(n) === n.toLocaleString('en-US')));
    // Tenths and hundredths of calls, as the estimates keep them.
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 99 }), (n, cents) => {
      const x = n + Math.sign(n || 1) * cents / 100;
      return withThousands(x) === x.toLocaleString('en-US');
    }));
  });
});
