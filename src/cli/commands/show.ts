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
import { formatPreviewTable } from '../preview-table.ts';
import { render } from './query.ts';

export interface ShowOptions {
  season?: string;
  date?: string;
  limit?: string;
  format?: string;
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
  const result = { columns: [...preview.columns], rows: [...preview.rows] };
  process.stdout.write(format === 'table'
    ? `${describePreview(preview)}\n\n${formatPreviewTable(result.columns, result.rows)}\n`
    : `${render(result, format)}\n`);
  return 0;
}
