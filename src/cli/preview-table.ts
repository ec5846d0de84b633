/**
 * Rows as a terminal table for `cbbd show`: numbers right-aligned and rounded to a few decimals per column (by the
 * column's magnitude), long text cut with "…", so a wide gold table stays readable. CSV and JSON stay exact.
 */
import { escapeControl } from '../core/control-chars.ts';

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

/** A value as printed for a person: control characters escaped (see core/control-chars.ts). */
function text(value: unknown): string {
  return value === null || value === undefined ? '' : escapeControl(typeof value === 'object' ? JSON.stringify(value) : String(value));
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

/** The width a column takes in `formatPreviewTable` (its header or its widest value, at most MAX_WIDTH). */
function columnWidth(column: string, rows: readonly Record<string, unknown>[]): number {
  return Math.min(MAX_WIDTH, Math.max(column.length, ...rows.map((r) => text(r[column]).length)));
}

/**
 * The columns to print on a terminal `width` wide: the key columns first, then the names (team, player...), then the
 * rest as stored, as many as fit, and the names of those left out.
 */
export function fitColumns(
  columns: readonly string[], rows: readonly Record<string, unknown>[], options: { keys: readonly string[]; width?: number },
): { shown: string[]; left: string[] } {
  // Piped (no width): every column in the stored order, as scripts that read the output expect.
  if (options.width === undefined) return { shown: [...columns], left: [] };
  const keys = options.keys.filter((k) => columns.includes(k));
  const names = columns.filter((c) => !keys.includes(c) && /(name|team|opponent|player)$/i.test(c));
  const ordered = [...keys, ...names, ...columns.filter((c) => !keys.includes(c) && !names.includes(c))];
  const shown: string[] = [];
  let used = 0;
  for (const column of ordered) {
    const w = columnWidth(column, rows) + (shown.length ? 2 : 0);
    // The first column is always shown, however narrow the terminal.
    if (shown.length && used + w > options.width) break;
    shown.push(column);
    used += w;
  }
  return { shown, left: ordered.slice(shown.length) };
}
