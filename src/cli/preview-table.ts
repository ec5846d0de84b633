/**
 * Rows as a terminal table for `cbbd show`: numbers right-aligned and rounded to a few decimals per column (by the
 * column's magnitude), long text cut with "…", so a wide gold table stays readable. CSV and JSON stay exact.
 */

const MAX_WIDTH = 28;
const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function isNumber(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value));
}

/** Decimals for a column of non-integers: fewer as the values grow (110.2, 12.34, 0.953). */
function decimalsFor(values: readonly number[]): number {
  if (values.every(Number.isInteger)) return 0;
  const largest = Math.max(...values.map(Math.abs));
  return largest >= 100 ? 1 : largest >= 10 ? 2 : 3;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function formatPreviewTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = columns.map((column) => {
    const values = rows.map((r) => r[column]);
    const present = values.filter((v) => v !== null && v !== undefined);
    const numeric = present.length > 0 && present.every(isNumber);
    if (!numeric) return { numeric, shown: values.map(text) };
    // Integers stay exact whatever their size (a BIGINT id arrives as a string).
    const decimals = decimalsFor(present.map(Number));
    return { numeric, shown: values.map((v) => (v === null || v === undefined ? '' : decimals === 0 ? text(v) : Number(v).toFixed(decimals))) };
  });
  const widths = columns.map((c, i) => Math.min(MAX_WIDTH, Math.max(c.length, ...cells[i]!.shown.map((s) => s.length))));
  const fit = (value: string, i: number, right: boolean) => {
    const w = widths[i]!;
    const cut = value.length > w ? `${value.slice(0, w - 1)}…` : value;
    return right ? cut.padStart(w) : cut.padEnd(w);
  };
  const line = (values: readonly string[], right: (i: number) => boolean) => values.map((v, i) => fit(v, i, right(i))).join('  ').trimEnd();
  return [
    line(columns, (i) => cells[i]!.numeric),
    line(widths.map((w) => '-'.repeat(w)), () => false),
    ...rows.map((_, r) => line(cells.map((c) => c.shown[r]!), (i) => cells[i]!.numeric)),
  ].join('\n');
}
