/**
 * `cbbd show <asset> [--season N] [--date D] [--limit 25] [--format table|csv|json]`: the first rows of an asset's
 * partitions, in its declared preview order, as `dbt show` prints a model's. The rows come from `previewRows`, the
 * function the page's data preview uses too; locally through the read-only DuckDB of `cbbd query`, with Glue through
 * Athena.
 */
import { UsageError } from '../../core/errors.ts';
import { previewRows, type Preview } from '../../lake/query/preview.ts';
import { athenaTableQuery, localTableQuery, type TableQuery } from '../../lake/query/table-query.ts';
import type { CommandContext } from '../context.ts';
import { fitColumns, formatPreviewTable } from '../preview-table.ts';
import { closest, distance } from 'fastest-levenshtein';
import { render } from './query.ts';

export interface ShowOptions {
  season?: string;
  date?: string;
  limit?: string;
  format?: string;
  columns?: string;
}

/** How this deployment reads a table: as `cbbd query` does. */
export function tableQueryOf(ctx: CommandContext): TableQuery {
  return ctx.config.drivers.catalog === 'glue'
    ? athenaTableQuery(ctx.drivers.aws, { workgroup: ctx.config.aws.workgroup, outputLocation: `s3://${ctx.config.aws.bucket}/athena/` })
    : localTableQuery(ctx.config.lakehouse.root);
}

/** One line saying what the rows are: which partitions, how many of how many, in which order. */
export function describePreview(preview: Extract<Preview, { kind: 'rows' }>): string {
  const where = [preview.season !== null && `season ${preview.season}`, preview.date !== null && preview.date].filter(Boolean).join(', ');
  const order = preview.orderBy.map((t) => `${t.column}${t.descending ? ' desc' : ''}`).join(', ');
  return `${preview.asset}${where ? ` (${where})` : ''}: ${preview.rows.length} of ${preview.totalRows} row${preview.totalRows === 1 ? '' : 's'}${order ? `, by ${order}` : ''}`;
}

export async function showCommand(ctx: CommandContext, asset: string, options: ShowOptions): Promise<number> {
  const format = options.format ?? 'table';
  if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format ${format}: use table, csv or json.`);
  const preview = await previewRows(
    { graph: ctx.graph, window: ctx.window, storage: ctx.storage, query: tableQueryOf(ctx) },
    { asset, season: options.season, date: options.date, limit: options.limit },
  );
  if (preview.kind === 'not_materialized') throw new UsageError(preview.message);
  const picked = options.columns === undefined ? [...preview.columns] : pickColumns(preview.columns, options.columns);
  const rows = preview.rows.map((r) => Object.fromEntries(picked.map((c) => [c, r[c]])));
  if (format !== 'table') {
    process.stdout.write(`${render({ columns: picked, rows }, format)}\n`);
    return 0;
  }
  // On a terminal the table fits its width, key and name columns first; piped, every column (or those picked).
  const width = process.stdout.isTTY && options.columns === undefined ? process.stdout.columns || 80 : undefined;
  // Bronze declares no primary key: its records' own `id` then leads.
  const declared = ctx.graph.get(preview.asset).schema?.primaryKey ?? [];
  const keys = declared.length ? declared : ['id'];
  const { shown, left } = fitColumns(picked, rows, { keys, ...(width !== undefined && { width }) });
  const note = left.length
    ? `\n(${left.length} more column(s) not shown to fit ${width} columns: ${left.join(', ')}; --columns a,b,c picks them, --format csv prints every one)`
    : '';
  process.stdout.write(`${describePreview(preview)}\n\n${formatPreviewTable(shown, rows)}${note}\n`);
  return 0;
}

/** `--columns a,b,c`: those columns in that order; a name the table does not have is a usage error naming the closest. */
function pickColumns(columns: readonly string[], list: string): string[] {
  const picked = list.split(',').map((c) => c.trim()).filter(Boolean);
  if (!picked.length) throw new UsageError('--columns takes column names separated by commas, e.g. --columns team,season,adjOffense');
  for (const column of picked) {
    if (!columns.includes(column)) {
      const near = closest(column, [...columns]);
      const hint = distance(column.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(column.length / 3)) ? ` Did you mean "${near}"?` : '';
      throw new UsageError(`The table has no column "${column}".${hint} Its columns: ${columns.join(', ')}.`);
    }
  }
  return picked;
}
