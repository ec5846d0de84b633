/**
 * Numbers for people: `1234567.25` as "1,234,567.25", what `toLocaleString('en-US')` prints (at most three
 * decimals), without it: the first call of a locale-aware formatter starts ICU, about 30 ms of a command's start-up.
 */
export function withThousands(x: number): string {
  const rounded = Math.round(Math.abs(x) * 1000) / 1000;
  const digits = String(rounded);
  // Infinity, NaN and what String() writes with an exponent are left to the locale-aware formatter.
  if (!Number.isFinite(x) || /e/i.test(digits)) return x.toLocaleString('en-US');
  const [whole, fraction] = digits.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${x < 0 && rounded !== 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}
