/**
 * The storage layout of a lakehouse table: which Hive keys name its folders, and which columns its Parquet files
 * hold. One rule for every layer: **a partition key lives in the path only**. A table partitioned by `season` has
 * no `season` column in its files (the `season=2024` folder is the value), and a column the files hold is never
 * named like a key, whatever its case. Spark refuses a table whose files repeat a path key, and pyarrow cannot merge
 * the file's type with the one it infers from the path; DuckDB, Athena, Spark and pyarrow all add the path keys back
 * as columns, so readers see the same table either way.
 *
 * A table's declared columns are what a reader sees: the file columns and the keys. Its keys follow from its
 * partitions: `season` for a partitioned table, and `date` for a season×date table or a season table that declares
 * a `date` column (its rows are written in `date=` folders by that value, as silver's game facts are).
 */
import type { ColumnSpec } from '../core/asset.ts';
import { dateOfKey, NONE_PARTITION, seasonOfKey, type PartitionsDef } from '../core/partitions.ts';

/** `season=2024`: an integer to every reader (pyarrow infers int32, Glue and DuckDB are told `int`). */
export const SEASON_KEY: ColumnSpec = { name: 'season', type: 'int', nullable: false };
/** `date=2024-01-15`: a string to every reader (what pyarrow infers; Glue and DuckDB are told `string`). */
export const DATE_KEY: ColumnSpec = { name: 'date', type: 'string', nullable: false };

export interface LayoutSubject {
  readonly key: string;
  readonly partitions: PartitionsDef;
  readonly schema?: { readonly columns: readonly ColumnSpec[] } | undefined;
}

export interface TableLayout {
  /** Hive keys, outermost first, with the types readers give them. */
  readonly partitionKeys: readonly ColumnSpec[];
  /** The columns every Parquet file of the table holds, in declared order: never a key. */
  readonly fileColumns: readonly ColumnSpec[];
  /** A key whose folders sit under a partition's prefix, named by each row's value (`date` of a season table). */
  readonly folderKey?: string;
}

/** The Hive keys of a table, outermost first. */
export function partitionKeysOf(partitions: PartitionsDef, columns: readonly ColumnSpec[]): ColumnSpec[] {
  if (partitions.kind === 'none') return [];
  if (partitions.kind === 'season_date' || columns.some((c) => c.name === DATE_KEY.name)) return [SEASON_KEY, DATE_KEY];
  return [SEASON_KEY];
}

/** Where a table's columns live: the keys in the path, every other declared column in the files. */
export function tableLayout(asset: LayoutSubject): TableLayout {
  const columns = asset.schema?.columns ?? [];
  const partitionKeys = partitionKeysOf(asset.partitions, columns);
  const keyNames = new Set(partitionKeys.map((k) => k.name));
  const folderKey = asset.partitions.kind === 'season' && keyNames.has(DATE_KEY.name) ? DATE_KEY.name : undefined;
  return { partitionKeys, fileColumns: columns.filter((c) => !keyNames.has(c.name)), ...(folderKey && { folderKey }) };
}

/**
 * Why a table's layout would break a reader, one sentence per problem naming the asset and the fix; empty when it
 * is sound. This is the Spark rule (no file column named like a path key, case ignored, as Spark and Glue ignore
 * case) and the type rule (a declared key column has the type readers infer from the path).
 */
export function layoutProblems(asset: LayoutSubject): string[] {
  const { partitionKeys, fileColumns } = tableLayout(asset);
  const problems: string[] = [];
  for (const key of partitionKeys) {
    const clash = fileColumns.find((c) => c.name.toLowerCase() === key.name.toLowerCase());
    if (clash) problems.push(`${asset.key}: column "${clash.name}" would be in the files beside the ${key.name}= folder (Spark refuses such a table); rename it, or declare it as "${key.name}" to take the value from the path.`);
    const declared = asset.schema?.columns.find((c) => c.name === key.name);
    if (declared && declared.type !== key.type) problems.push(`${asset.key}: column "${key.name}" is declared ${declared.type}, but readers take it from the ${key.name}= folder as ${key.type}; declare it ${key.type}.`);
  }
  return problems;
}

/** Where a partition lives under its table: `season=YYYY[/date=YYYY-MM-DD]`, or '' (the table root) for `-`. */
export function partitionPath(partition: string): string {
  const season = seasonOfKey(partition);
  const date = dateOfKey(partition);
  return partition === NONE_PARTITION || season === undefined ? '' : `${SEASON_KEY.name}=${season}${date ? `/${DATE_KEY.name}=${date}` : ''}`;
}

/** The values a partition's path gives its keys (`{ season: 2024, date: '2024-01-15' }`), for checking rows against. */
export function partitionValues(partition: string): Readonly<Record<string, number | string>> {
  const season = seasonOfKey(partition);
  const date = dateOfKey(partition);
  return { ...(season !== undefined && { [SEASON_KEY.name]: season }), ...(date !== undefined && { [DATE_KEY.name]: date }) };
}

/** The storage prefix of a partition of an asset: `silver/fct_games/season=2024`, or the asset's root for `-`. */
export function partitionPrefix(asset: string, partition: string): string {
  const path = partitionPath(partition);
  return path ? `${asset}/${path}` : asset;
}
