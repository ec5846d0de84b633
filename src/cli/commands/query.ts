/**
 * `cbbd query "<sql>"`: read-only SQL over the lakehouse. Locally, DuckDB with a view per table (`silver.fct_games`)
 * in a connection that cannot write nor read outside the lakehouse's tables (see `lake/query/duckdb.ts`); with the
 * Glue catalog, Athena (the same names, mapped to the `cbbd_silver` databases), after DuckDB's parser has read the
 * text as one SELECT.
 */
import { UsageError } from '../../core/errors.ts';
import { catalogTables } from '../../lake/catalog/catalog.ts';
import { runAthenaQuery } from '../../lake/query/athena.ts';
import { assertOneSelect, runReadOnlyQuery, type QueryResult } from '../../lake/query/duckdb.ts';
import type { CommandContext } from '../context.ts';
import { escapeControl } from '../../core/control-chars.ts';

export async function queryCommand(ctx: CommandContext, sql: string, options: { format?: string }): Promise<number> {
  const format = options.format ?? 'table';
  if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format ${format}: use table, csv or json.`);
  const statement = sql.trim();
  if (!statement) throw new UsageError('The query is empty: cbbd query "select count(*) from silver.fct_games"');
  let result: QueryResult;
  if (ctx.config.drivers.catalog === 'glue') {
    await assertOneSelect(statement);
    // The same names as locally: `silver.fct_games` is the Glue table cbbd_silver.fct_games.
    result = await runAthenaQuery(ctx.drivers.aws, {
      sql: statement.replace(/\b(bronze|silver|gold)\./g, 'cbbd_$1.'), workgroup: ctx.config.aws.workgroup, outputLocation: `s3://${ctx.config.aws.bucket}/athena/`,
    });
  } else {
    const tables = catalogTables(ctx.graph.order.map((k) => ctx.graph.get(k)));
    result = await runReadOnlyQuery(ctx.config.lakehouse.root, tables, statement);
  }
  process.stdout.write(`${render(result, format)}\n`);
  return 0;
}

/** A value as printed for a person: control characters escaped, so a stored answer cannot rewrite the terminal. */
function cell(value: unknown): string {
  return value === null || value === undefined ? '' : escapeControl(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

export function render(result: QueryResult, format: string): string {
  if (format === 'json') return JSON.stringify(result.rows, null, 2);
  if (format === 'csv') {
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    return [result.columns.map((c) => quote(escapeControl(c))).join(','), ...result.rows.map((r) => result.columns.map((c) => quote(cell(r[c]))).join(','))].join('\n');
  }
  const widths = result.columns.map((c) => Math.min(60, Math.max(c.length, ...result.rows.map((r) => cell(r[c]).length))));
  const line = (values: string[]) => values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(result.columns.map((c) => escapeControl(c))), line(widths.map((w) => '-'.repeat(w))), ...result.rows.map((r) => line(result.columns.map((c) => cell(r[c])))),
    `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`].join('\n');
}
