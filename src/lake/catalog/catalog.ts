/**
 * The catalog interface: makes every bronze, silver and gold table queryable by its `layer.name`, with the declared
 * columns and partition keys. Drivers: DuckDB views over the local Parquet files, and Glue for Athena.
 */
import type { ColumnSpec } from '../../core/asset.ts';
import { DefinitionError } from '../../core/errors.ts';
import { layoutProblems, tableLayout, type LayoutSubject } from '../table-layout.ts';

export interface CatalogTable {
  /** `layer/name`, e.g. `silver/fct_games`. */
  readonly key: string;
  /** The columns of its Parquet files: never a partition key. */
  readonly columns: readonly ColumnSpec[];
  /** Hive partition keys that live in the path only, in order (`season`, `date`). */
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
 * The catalog tables of an asset graph: every bronze, silver and gold asset with a schema, described exactly as its
 * files and folders are laid out (`tableLayout`): the file columns, then the Hive keys of the path. An asset whose
 * layout would break a reader (a file column named like a key) is a definition error, reported with every other.
 */
export function catalogTables(assets: Iterable<LayoutSubject>): CatalogTable[] {
  const out: CatalogTable[] = [];
  const problems: string[] = [];
  for (const a of assets) {
    if (a.key.startsWith('raw/') || !a.schema) continue;
    problems.push(...layoutProblems(a));
    const { fileColumns, partitionKeys } = tableLayout(a);
    out.push({ key: a.key, columns: fileColumns, partitionKeys });
  }
  if (problems.length) throw new DefinitionError(`The storage layout would break readers (a partition key lives in the path only; see table-layout.ts):\n  ${problems.join('\n  ')}`);
  return out;
}
