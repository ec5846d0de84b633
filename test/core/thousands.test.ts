import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withThousands } from '../../src/core/thousands.ts';

describe('withThousands', () => {
  it('prints what toLocaleString("en-US") prints: separators, at most three decimals rounded as ICU rounds', () => {
    expect(withThousands(1_234_567)).toBe('1,234,567');
    expect(withThousands(3.4)).toBe('3.4');
    expect(withThousands(-1200.5)).toBe('-1,200.5');
    expect(withThousands(-257.1235)).toBe('-257.124');
    expect(withThousands(999.9996)).toBe('1,000');
    expect(withThousands(-0)).toBe('-0');
    const same = (x: number) => withThousands(x) === x.toLocaleString('en-US');
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), same));
    // Estimates in tenths, and numbers with more decimals than are printed.
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 99_999 }), (n, d) => same(n + Math.sign(n || 1) * d / 10_000)));
    fc.assert(fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), same));
  });
});
