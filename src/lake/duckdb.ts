/**
 * One in-memory DuckDB per process, opened on first use: it writes the Parquet files (typed from the declared
 * schemas) and answers local queries. DuckDB runs its own threads, so a lakehouse job never blocks the event loop.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

export async function duckConnection(): Promise<DuckDBConnection> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '2' });
  return (await instance).connect();
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
