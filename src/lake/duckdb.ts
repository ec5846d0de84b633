/**
 * One in-memory DuckDB per process, opened on first use: it writes the Parquet files (typed from the declared
 * schemas) and answers local queries. DuckDB runs its own threads, so a lakehouse job never blocks the event loop.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import { makeScratchDirSync } from './scratch-dirs.ts';

let instance: Promise<DuckDBInstance> | undefined;

/**
 * Bounded: DuckDB would otherwise take most of the machine's memory for a season of plays. Beyond the limit it
 * spills to a temporary folder, so a big table costs time, not a crash. `CBBD_DUCKDB_MEMORY` overrides it.
 */
export async function duckConnection(): Promise<DuckDBConnection> {
  // Imported on first use: the native module is the heaviest load of all, and `status` or `plan` never query.
  instance ??= import('@duckdb/node-api').then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:', {
    threads: '2',
    memory_limit: process.env.CBBD_DUCKDB_MEMORY ?? '768MB',
    // Its own per process: two processes spilling into one folder would share DuckDB's temp file names.
    temp_directory: spillFolder(),
  }));
  const connection = await (await instance).connect();
  for (const ref of connections) if (!ref.deref()) connections.delete(ref);
  connections.add(new WeakRef(connection));
  return connection;
}

const connections = new Set<WeakRef<DuckDBConnection>>();

/**
 * Made here, 0700, rather than by DuckDB (which makes it 0755 when it first spills): the sweep of killed processes'
 * scratch takes only folders nobody else can enter. Removed as the process exits; a killed one's goes by the sweep.
 */
function spillFolder(): string {
  const path = makeScratchDirSync('spill');
  process.once('exit', () => rmSync(path, { recursive: true, force: true }));
  return path;
}

/**
 * Interrupt every query under way, for a process that must exit now (SIGTERM's grace period is over): at exit DuckDB
 * waits for its threads, so a long query would otherwise hold the process until it finishes.
 */
export function interruptQueries(): void {
  for (const ref of connections) {
    try {
      ref.deref()?.interrupt();
    } catch {
      // already closed: nothing runs on it
    }
  }
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
