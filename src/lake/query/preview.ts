/**
 * The first rows of an asset's table, as `dbt show` prints them: the one function behind `cbbd show` and the page's
 * data preview, so both show the same rows. Nothing of the caller's text reaches SQL unchecked: the asset must be a
 * table of the graph, the season and date go through the partition parsers, the limit is a bounded integer, and the
 * order comes from the asset's declaration (`preview.orderBy`), checked against its declared columns. The statement
 * then runs through `TableQuery` (read-only DuckDB locally, Athena with Glue).
 */
import type { AssetDefinition } from '../../core/asset.ts';
import { DefinitionError, PlanError, UsageError } from '../../core/errors.ts';
import { unknownAssetMessage, type AssetGraph } from '../../core/graph.ts';
import { parseSeason, parseSeasonDate, type SeasonWindow } from '../../core/partitions.ts';
import { catalogTables, type CatalogTable } from '../catalog/catalog.ts';
import { sqlString } from '../duckdb.ts';
import { quoteIdent } from '../schema/field-types.ts';
import type { ObjectStorage } from '../storage/storage.ts';
import { storedPartitions } from './stored-partitions.ts';
import type { TableQuery } from './table-query.ts';

export const DEFAULT_PREVIEW_LIMIT = 25;
export const MAX_PREVIEW_LIMIT = 1000;
/** Counts the rows before LIMIT in the same statement; never shown. */
const TOTAL = '__preview_total';

/**
 * What an asset spec may declare for its preview (the field is read from the spec as `preview`):
 * `orderBy` is one or more comma-separated `column [asc|desc]` terms over the table's declared columns, e.g.
 * `'composite_rank'` or `'adj_margin desc'`. Without it, rows come in primary-key order.
 */
export interface PreviewHint {
  readonly orderBy?: string;
}

export interface PreviewLake {
  readonly graph: AssetGraph;
  readonly window: SeasonWindow;
  readonly storage: ObjectStorage;
  readonly query: TableQuery;
}

/** As typed by a user: on the command line or in a query string. */
export interface PreviewRequest {
  readonly asset: string;
  readonly season?: string | undefined;
  readonly date?: string | undefined;
  readonly limit?: string | number | undefined;
}

export interface OrderTerm {
  readonly column: string;
  readonly descending: boolean;
}

export type Preview =
  | {
    readonly kind: 'rows';
    readonly asset: string;
    readonly season: number | null;
    readonly date: string | null;
    /** The declared order, or the primary key's when none is declared. */
    readonly orderBy: readonly OrderTerm[];
    readonly limit: number;
    readonly columns: readonly string[];
    readonly rows: readonly Record<string, unknown>[];
    /** Rows of the partitions read, before the limit. */
    readonly totalRows: number;
  }
  | { readonly kind: 'not_materialized'; readonly asset: string; readonly season: number | null; readonly date: string | null; readonly message: string };

/** The table an asset is, or a UsageError saying why `cbbd show` cannot read it. */
export function previewTable(graph: AssetGraph, key: string): { def: AssetDefinition; table: CatalogTable } {
  if (!graph.has(key)) throw new PlanError(unknownAssetMessage(key, graph.order));
  const def = graph.get(key);
  if (key.startsWith('raw/')) {
    const bronze = `bronze/${key.slice(4)}`;
    throw new UsageError(`${key} is raw JSON as the API returned it, not a table; cbbd show reads bronze, silver and gold tables${graph.has(bronze) ? `: try cbbd show ${bronze}` : ''}.`);
  }
  if (!def.schema) throw new UsageError(`${key} declares no schema, so it is not a table cbbd show can read; cbbd show reads bronze, silver and gold tables.`);
  return { def, table: catalogTables([def])[0]! };
}

/**
 * The order rows are shown in: the asset's declared `preview.orderBy`, else its primary key; every column checked
 * against the table. `tieBreakers` (the rest of the primary key) make the same rows come back every time.
 */
export function previewOrder(def: AssetDefinition, table: CatalogTable): { terms: OrderTerm[]; tieBreakers: OrderTerm[] } {
  const known = new Set([...table.columns, ...table.partitionKeys].map((c) => c.name));
  const hint = (def as AssetDefinition & { preview?: PreviewHint }).preview;
  const terms: OrderTerm[] = [];
  if (hint?.orderBy !== undefined) {
    for (const text of String(hint.orderBy).split(',')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(text);
      if (!m || !known.has(m[1]!)) {
        throw new DefinitionError(`${def.key}: preview.orderBy "${hint.orderBy}" must be "column [asc|desc]" terms over its declared columns (${[...known].join(', ')}).`);
      }
      terms.push({ column: m[1]!, descending: m[2]?.toLowerCase() === 'desc' });
    }
  }
  const key = (def.schema?.primaryKey ?? []).filter((c) => known.has(c) && !terms.some((t) => t.column === c)).map((column) => ({ column, descending: false }));
  return terms.length ? { terms, tieBreakers: key } : { terms: key, tieBreakers: [] };
}

function parseLimit(value: string | number | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PREVIEW_LIMIT;
  const text = String(value);
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_PREVIEW_LIMIT) {
    throw new UsageError(`limit "${text}" is not a number of rows from 1 to ${MAX_PREVIEW_LIMIT}, e.g. ${DEFAULT_PREVIEW_LIMIT}.`);
  }
  return limit;
}

/** Which partitions to read: the ones asked for (validated), else the latest season stored. */
function partitionsToRead(def: AssetDefinition, table: CatalogTable, request: PreviewRequest, window: SeasonWindow) {
  const keys = new Set(table.partitionKeys.map((k) => k.name));
  const given = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const seasonText = given(request.season);
  const dateText = given(request.date);
  if (!keys.has('season') && (seasonText || dateText)) {
    throw new UsageError(`${def.key} is not partitioned (one snapshot): drop --season and --date.`);
  }
  if (!keys.has('date') && dateText) {
    throw new UsageError(`${def.key} is partitioned by season only: use --season, not --date.`);
  }
  const season = seasonText === undefined ? undefined : parseSeason(seasonText, window);
  const dated = dateText === undefined ? undefined : parseSeasonDate(dateText, window);
  if (season !== undefined && dated && dated.season !== season) {
    throw new PlanError(`${dated.date} is not inside season ${season}'s window (it belongs to season ${dated.season}).`);
  }
  return { season: season ?? dated?.season, date: dated?.date };
}

/** Read the first rows of an asset's partitions (by default its latest stored season). */
export async function previewRows(lake: PreviewLake, request: PreviewRequest): Promise<Preview> {
  const { def, table } = previewTable(lake.graph, request.asset);
  const limit = parseLimit(request.limit);
  const orderBy = previewOrder(def, table);
  const wanted = partitionsToRead(def, table, request, lake.window);
  const stored = await storedPartitions(lake.storage, def.key);
  const partitioned = table.partitionKeys.length > 0;
  const season = partitioned ? (wanted.season ?? stored.seasons.at(-1)) : undefined;
  const date = wanted.date;

  const materialize = `cbbd materialize ${def.key}${date ? ` --date ${date}` : ` --season ${season ?? lake.window.lastSeason}`}`;
  const missing = (what: string): Preview => ({
    kind: 'not_materialized', asset: def.key, season: season ?? null, date: date ?? null,
    message: `${def.key} has no data ${what}: run \`${partitioned ? materialize : `cbbd materialize ${def.key}`}\` first.`,
  });
  if (!partitioned && !stored.unpartitioned) return missing('yet');
  if (partitioned && (season === undefined || !stored.seasons.includes(season))) return missing(season === undefined ? 'yet' : `for season ${season}`);
  // A season×date asset has a partition per date; a season table with date folders (game facts) may just have no
  // rows that day, which is an empty answer rather than a missing partition.
  if (date !== undefined && def.partitions.kind === 'season_date' && !stored.dates.get(season!)?.includes(date)) return missing(`for ${date}`);

  const where = [
    ...(season !== undefined ? [`${quoteIdent('season')} = ${season}`] : []),
    ...(date !== undefined ? [`${quoteIdent('date')} = ${sqlString(date)}`] : []),
  ];
  const order = [...orderBy.terms, ...orderBy.tieBreakers].map((t) => `${quoteIdent(t.column)} ${t.descending ? 'DESC' : 'ASC'} NULLS LAST`);
  const filter = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const sorted = order.length ? ` ORDER BY ${order.join(', ')}` : '';
  // The first rows (a top-N: the engine keeps `limit` rows, not the table) beside the count (read from the files'
  // row counts), not a count over a window of every row: that one held a whole season of plays in memory per preview.
  const result = await lake.query.run(table, (relation) =>
    `SELECT shown.*, counted.${quoteIdent(TOTAL)} FROM (SELECT * FROM ${relation}${filter}${sorted} LIMIT ${limit}) AS shown ` +
    `CROSS JOIN (SELECT count(*) AS ${quoteIdent(TOTAL)} FROM ${relation}${filter}) AS counted${sorted}`);
  const totalRows = Number(result.rows[0]?.[TOTAL] ?? 0);
  return {
    kind: 'rows', asset: def.key, season: season ?? null, date: date ?? null, orderBy: orderBy.terms, limit, totalRows,
    columns: result.columns.filter((c) => c !== TOTAL),
    rows: result.rows.map(({ [TOTAL]: _total, ...row }) => row),
  };
}
