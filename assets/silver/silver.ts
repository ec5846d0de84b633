/**
 * Silver: the star schema. Each table reads one bronze table, flattens nested objects into typed columns, optionally
 * unnests a list (one row per player of a box score, per line of a game), and keeps one row per natural key across
 * the whole season (so a game rescheduled to another date still appears once). Game facts are written in
 * `date=` folders by game date (UTC), never by ingest date; season tables carry `season` from their partition.
 * Plays, the one table read from game-day partitions, are built a day at a time (a play belongs to a game that was
 * played on that day, so its key cannot appear on another). A row without its natural key fails the partition.
 */
import { createHash } from 'node:crypto';
import { defineAsset, type AssetDefinition, type ColumnSpec } from '../../src/core/asset.ts';
import { dateOfKey, NONE_PARTITION, seasonOfKey, type PartitionsDef } from '../../src/core/partitions.ts';
import { sqlString } from '../../src/lake/duckdb.ts';
import { catalogPartitions, writeTable } from '../../src/authoring/table-writer.ts';
import { fieldsOf, glueType, quoteIdent } from '../../src/lake/schema/field-types.ts';
import { tableFiles } from '../../src/authoring/inputs.ts';
import { DATE_KEY, partitionPrefix, SEASON_KEY, tableLayout } from '../../src/lake/table-layout.ts';
import { recordTypeOf } from '../raw/record-types.ts';
import type { ProjectResources } from '../resources.ts';
import { flatten, flattenRow, structField, type FlatColumn } from './flatten.ts';
import { SILVER_TABLES, type SilverTable } from './tables.ts';

interface Layout {
  readonly columns: readonly FlatColumn[];
  /** FROM clause over the bronze rows (`src`). */
  readonly from: string;
}

function layoutOf(table: SilverTable): Layout {
  // A seasonal table takes `season` from its partition (bronze's files do not hold it either: its path does).
  const fields = fieldsOf(recordTypeOf(`raw/${table.from}`)).filter((f) => f.name !== 'season' || !table.seasonal);
  if (!table.unnest) return { columns: flattenRow(fields), from: 'src' };
  const list = fields.find((f) => f.name === table.unnest);
  if (list?.type.kind !== 'array' || list.type.of.kind !== 'struct') throw new Error(`${table.name}: ${table.unnest} is not a list of objects`);
  const parent = flattenRow(fields.filter((f) => f !== list));
  const taken = new Set(parent.map((c) => c.name.toLowerCase()));
  const element = flatten(list.type.of.fields, (f) => structField('__el', f))
    .map((c) => (taken.has(c.name.toLowerCase()) ? { ...c, name: `${table.unnest}_${c.name}` } : c))
    .filter((c) => c.name !== 'season' || !table.seasonal);
  return { columns: [...parent, ...element], from: `(SELECT *, unnest(${quoteIdent(table.unnest)}) AS __el FROM src)` };
}

function selectList(table: SilverTable, layout: Layout): string {
  if (!table.aggregate) return layout.columns.map((c) => `${c.expr} AS ${quoteIdent(c.name)}`).join(', ');
  // Season totals added up from several answers (a team's season so far plus the games since): counts are summed,
  // rates and ratings averaged weighted by possessions, the rest taken from any row.
  const weight = layout.columns.find((c) => c.name === table.aggregate!.weight)!.expr;
  return layout.columns.map((c) => {
    const e = c.expr;
    const agg = table.key.includes(c.name) ? `any_value(${e})`
      // DuckDB sums integers as HUGEINT: cast back to the declared type, so the stored file says what the schema does.
      : c.type.kind === 'int' ? `CAST(sum(${e}) AS INTEGER)`
        : c.type.kind === 'bigint' ? `CAST(sum(${e}) AS BIGINT)`
          : table.aggregate!.sum.includes(c.name) ? `sum(${e})`
        : c.type.kind === 'double' ? `CASE WHEN sum(${weight}) > 0 THEN sum(${e} * ${weight}) / sum(${weight}) ELSE avg(${e}) END`
          : `any_value(${e})`;
    return `${agg} AS ${quoteIdent(c.name)}`;
  }).join(', ');
}

export function silverColumns(table: SilverTable): ColumnSpec[] {
  const cols: ColumnSpec[] = layoutOf(table).columns.map((c) => ({ name: c.name, type: glueType(c.type), nullable: c.nullable }));
  if (table.seasonal) cols.push(SEASON_KEY);
  if (table.date) cols.push(DATE_KEY);
  return cols;
}

function silverAsset(resources: ProjectResources, table: SilverTable, bronzePartitions: PartitionsDef): AssetDefinition {
  const layout = layoutOf(table);
  const columns = silverColumns(table);
  // A table read from day partitions (plays) is built one game day at a time: a night rebuilds only the days that
  // changed. Its `date` is the day of the partition, which is also its folder.
  const perDay = bronzePartitions.kind === 'season_date';
  const sql = (season: string | undefined, day?: string) => {
    const select = selectList(table, layout);
    const extra = [
      ...(season !== undefined ? [`${Number(season)}::INTEGER AS season`] : []),
      ...(table.date ? [day ? `${sqlString(day)} AS date` : `strftime(${quoteIdent(table.date)}, '%Y-%m-%d') AS date`] : []),
    ];
    const keys = table.key.filter((k) => k !== 'season').map(quoteIdent).join(', ');
    // Duplicates are rare (a game seen on two dates): find their keys on the key columns alone, keep every other row
    // as it is, and pick the latest file's row only among the duplicates, so no window runs over a season's wide rows.
    const base = table.aggregate
      ? `SELECT *, NULL AS __file FROM (SELECT ${select} FROM ${layout.from} GROUP BY ${table.key.filter((k) => k !== 'season').map((k) => layout.columns.find((c) => c.name === k)!.expr).join(', ')})`
      : `WITH r AS (SELECT ${select}, filename AS __file FROM ${layout.from}), dup AS (SELECT ${keys} FROM r GROUP BY ${keys} HAVING count(*) > 1) ` +
        `SELECT * FROM r ANTI JOIN dup USING (${keys}) UNION ALL ` +
        `SELECT * FROM (SELECT * FROM r SEMI JOIN dup USING (${keys})) QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY __file DESC) = 1`;
    return `SELECT * EXCLUDE (__file)${extra.length ? `, ${extra.join(', ')}` : ''} FROM (${base})`;
  };
  const declared = { columns, primaryKey: table.key };
  const partitions: PartitionsDef = perDay ? bronzePartitions : table.seasonal ? { kind: 'season' } : { kind: 'none' };
  // Season and date are partition keys: they live in the folders only (see table-layout.ts), never in the files.
  const storage = tableLayout({ key: `silver/${table.name}`, partitions, schema: declared });
  return defineAsset(
    {
      key: `silver/${table.name}`,
      description: table.description,
      deps: [`bronze/${table.from}`],
      partitions,
      codeVersion: `1.${createHash('sha256').update(sql('0', perDay ? '2000-01-01' : undefined)).update(JSON.stringify(declared)).digest('hex').slice(0, 8)}`,
      schema: declared,
    },
    async (ctx) => Promise.all(ctx.partitions.map(async (partition) => {
      const season = partition === NONE_PARTITION ? undefined : String(seasonOfKey(partition));
      const day = dateOfKey(partition);
      const source = `bronze/${table.from}`;
      const written = await writeTable(resources.storage, {
        prefix: partitionPrefix(`silver/${table.name}`, partition),
        inputs: await tableFiles(resources.storage, source, ctx.inputPartitions(source, partition)),
        sql: sql(season, day),
        key: table.key,
        layout: storage,
      });
      return {
        partition,
        dataVersion: written.dataVersion,
        rowCount: written.rows,
        bytes: written.bytes,
        metadata: { files: written.files, ...(written.dates && { dates: written.dates }) },
        tablePartitions: catalogPartitions(partition, written),
        commit: written.commit,
      };
    })),
  );
}

export function silverAssets(resources: ProjectResources, bronze: readonly AssetDefinition[]): AssetDefinition[] {
  const partitionsOf = new Map(bronze.map((b) => [b.key, b.partitions]));
  return SILVER_TABLES.map((table) => silverAsset(resources, table, partitionsOf.get(`bronze/${table.from}`)!));
}
