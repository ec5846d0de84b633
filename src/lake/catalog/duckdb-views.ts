/**
 * The DuckDB catalog: one schema per layer (`bronze`, `silver`, `gold`) and one view per table over its Parquet
 * files with Hive partitioning, so `select count(*) from silver.fct_plays` reads the lakehouse folder in place. The
 * partition keys come from the folder names, typed as the catalog declares them (as pyarrow and Glue type them).
 * A table with no file yet is an empty view with its declared columns, so queries never fail on a missing table.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sqlString } from '../duckdb.ts';
import { duckTypeOfGlue } from '../schema/glue-types.ts';
import { quoteIdent } from '../schema/field-types.ts';
import type { CatalogTable } from './catalog.ts';

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
}

export async function createDuckViews(connection: DuckDBConnection, root: string, tables: readonly CatalogTable[]): Promise<void> {
  for (const layer of new Set(tables.map((t) => t.key.split('/')[0]!))) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(layer)}`);
  for (const table of tables) {
    const [layer, name] = table.key.split('/') as [string, string];
    const dir = join(root, layer, name);
    const view = `${quoteIdent(layer)}.${quoteIdent(name)}`;
    const all = [...table.columns, ...table.partitionKeys];
    if (!hasParquet(dir)) {
      await connection.run(`CREATE OR REPLACE VIEW ${view} AS SELECT ${all.map((c) => `NULL::${duckTypeOfGlue(c.type)} AS ${quoteIdent(c.name)}`).join(', ')} LIMIT 0`);
      continue;
    }
    const hive = table.partitionKeys.length
      ? `, hive_partitioning = true, hive_types = {${table.partitionKeys.map((k) => `${sqlString(k.name)}: ${sqlString(duckTypeOfGlue(k.type))}`).join(', ')}}`
      : ', hive_partitioning = false';
    await connection.run(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM read_parquet(${sqlString(join(dir, '**', '*.parquet'))}, union_by_name = true${hive})`);
  }
}
