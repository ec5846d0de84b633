/**
 * The catalog interface: makes every bronze, silver and gold table queryable by its `layer.name`, with the declared
 * columns and partition keys. Drivers: DuckDB views over the local Parquet files, and Glue for Athena.
 */
import type { ColumnSpec } from '../../core/asset.ts';

export interface CatalogTable {
  /** `layer/name`, e.g. `silver/fct_games`. */
  readonly key: string;
  readonly columns: readonly ColumnSpec[];
  /** Hive partition keys that live in the path, in order (`season`, `date`). */
  readonly partitionKeys: readonly ColumnSpec[];
}

export interface Catalog {
  readonly driverName: string;
  /** Create or update the table definitions (a definition is rewritten only when its columns changed). */
  register(tables: readonly CatalogTable[]): Promise<void>;
  /** Record partitions written under a table, as `season=2024/date=2024-01-15` paths. */
  addPartitions(table: CatalogTable, partitionPaths: readonly string[]): Promise<void>;
}

/**
 * The catalog tables of an asset graph: every bronze, silver and gold asset with a schema. Its partition keys follow
 * its storage layout: `season` for partitioned assets, `date` for day partitions and for tables written in `date=`
 * folders (those that declare a `date` column). A column of the same name in the files is the same value.
 */
export function catalogTables(assets: Iterable<{ key: string; partitions: { kind: string }; schema?: { columns: readonly ColumnSpec[] } }>): CatalogTable[] {
  const out: CatalogTable[] = [];
  for (const a of assets) {
    if (a.key.startsWith('raw/') || !a.schema) continue;
    const keys: ColumnSpec[] = [];
    if (a.partitions.kind !== 'none') keys.push({ name: 'season', type: 'int' });
    if (a.partitions.kind === 'season_date' || a.schema.columns.some((c) => c.name === 'date')) keys.push({ name: 'date', type: 'string' });
    const names = new Set(keys.map((k) => k.name));
    out.push({ key: a.key, columns: a.schema.columns.filter((c) => !names.has(c.name)), partitionKeys: keys });
  }
  return out;
}
