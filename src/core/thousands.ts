/**
 * Numbers for people: `1234567.25` as "1,234,567.25", what `toLocaleString('en-US')` prints (at most three
 * decimals, the fourth rounding half up), without it: the first call of a locale-aware formatter starts ICU, about
 * 30 ms of a command's start-up.
 */
export function withThousands(x: number): string {
  const digits = String(Math.abs(x));
  // Infinity, NaN and what String() writes with an exponent are left to the locale-aware formatter.
  if (!Number.isFinite(x) || /e/i.test(digits)) return x.toLocaleString('en-US');
  let [whole, fraction = ''] = digits.split('.') as [string, string?];
  // Rounded on the shortest decimal text of the number, as ICU rounds, not on its binary value times 1,000.
  if (fraction.length > 3) {
    const roundUp = fraction[3]! >= '5';
    fraction = fraction.slice(0, 3);
    if (roundUp) {
      const sum = String(BigInt(whole + fraction) + 1n).padStart(whole.length + 3, '0');
      whole = sum.slice(0, -3);
      fraction = sum.slice(-3);
    }
  }
  fraction = fraction.replace(/0+$/, '');
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${fraction ? `.${fraction}` : ''}`;
}
