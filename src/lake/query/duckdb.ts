/**
 * `cbbd query` on the local lakehouse: one SQL statement over the catalog views, in a DuckDB that cannot write and
 * cannot read outside the lakehouse's tables. The guarantees come from DuckDB itself, not from reading the SQL:
 *
 * 1. DuckDB parses the text and must find exactly one statement of type SELECT (DESCRIBE, SHOW, SUMMARIZE, FROM,
 *    VALUES and PIVOT with its values listed are SELECTs to DuckDB too). No comment, `explain analyze`, CTE or pragma
 *    spelling changes what DuckDB's own parser says a statement is.
 * 2. The catalog is a scratch database file opened READ_ONLY: no CREATE, INSERT, ATTACH of memory, or CHECKPOINT.
 * 3. External access is off except for the `bronze/`, `silver/` and `gold/` folders (`allowed_directories`), no
 *    extension may be installed or loaded, and the configuration is locked so the query cannot `SET` it back.
 *
 * DuckDB's allowed directories govern writes as well as reads: (1) alone keeps a `COPY ... TO` out of the lakehouse's
 * own bronze/, silver/ and gold/ folders. (2) and (3) keep out every other write (tables, settings, extensions) and
 * every read or write elsewhere on the machine.
 */
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { CatalogTable } from '../catalog/catalog.ts';
import { createDuckViews } from '../catalog/duckdb-views.ts';
import { sqlString } from '../duckdb.ts';
import { scratchPath } from '../scratch-dirs.ts';

export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

/** The folders a query may read: the catalogued layers, never raw bodies, dead letters, meta or tmp. */
function readableFolders(root: string, tables: readonly CatalogTable[]): string[] {
  const layers = [...new Set(tables.map((t) => t.key.split('/')[0]!))];
  return layers.map((layer) => `${join(root, layer)}/`);
}

/** A DuckDB error as one line that says what to do: its first line, without the statement echoed back. */
function queryError(error: unknown): UsageError {
  const text = error instanceof Error ? error.message : String(error);
  const first = (text.split('\n').map((l) => l.trim()).find(Boolean) ?? text).replace(/^Failed to extract statements: /, '');
  const hint = /^Permission Error/.test(first) ? '. cbbd query reads only the lakehouse tables: bronze.*, silver.*, gold.*.' : '';
  return new UsageError(`query failed: ${first}${hint}`);
}

/** Run one read-only statement over the lakehouse at `root`. Throws a `UsageError` (exit 2) for anything refused. */
export async function runReadOnlyQuery(root: string, tables: readonly CatalogTable[], sql: string): Promise<QueryResult> {
  const { DuckDBInstance, StatementType } = await import('@duckdb/node-api');
  // The real path: DuckDB compares allowed folders with the paths it opens, and a symlinked root would not match.
  const lakehouse = existsSync(root) ? realpathSync(root) : resolve(root);
  const scratch = scratchPath('query');
  mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const catalogFile = join(scratch, 'catalog.duckdb');
  try {
    const builder = await DuckDBInstance.create(catalogFile);
    const build = await builder.connect();
    try {
      await createDuckViews(build, lakehouse, tables);
    } finally {
      build.closeSync();
      builder.closeSync();
    }

    const instance = await DuckDBInstance.create(catalogFile, { access_mode: 'READ_ONLY', threads: '2', memory_limit: process.env.CBBD_DUCKDB_MEMORY ?? '768MB' });
    const connection = await instance.connect();
    try {
      // The order matters: the allowed folders are set while access is still on, and the lock comes last.
      const folders = readableFolders(lakehouse, tables).map(sqlString).join(', ');
      await connection.run(`SET allowed_directories = [${folders}]; SET enable_external_access = false; SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; SET lock_configuration = true`);
      let statements;
      let prepared;
      try {
        statements = await connection.extractStatements(sql);
        if (statements.count !== 1) {
          throw new UsageError(`cbbd query runs exactly one statement; this text has ${statements.count}. Run them one at a time.`);
        }
        prepared = await statements.prepare(0);
      } catch (error) {
        throw error instanceof UsageError ? error : queryError(error);
      }
      if (prepared.statementType !== StatementType.SELECT) {
        throw new UsageError(`cbbd query runs one read-only statement (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE); DuckDB reads this one as ${StatementType[prepared.statementType]}. The lakehouse is written only by materializing assets.`);
      }
      try {
        const reader = await prepared.runAndReadAll();
        return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
      } catch (error) {
        throw queryError(error);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Whether DuckDB's parser reads `sql` as exactly one SELECT, without binding it to any table: the gate for SQL sent
 * elsewhere (Athena), whose tables DuckDB does not have. Comments are refused outright: DuckDB nests block comments
 * and Trino does not, so `/* /* *\/ INSERT ... -- *\/ SELECT 1` is one SELECT to one and an INSERT to the other.
 * What Athena may then touch is the workgroup role's business. Throws a `UsageError` when it does not pass.
 */
export async function assertOneSelect(sql: string): Promise<void> {
  if (/\/\*|--/.test(sql)) {
    throw new UsageError('cbbd query on Athena takes SQL without comments (/* */ or --): Athena and the parser that checks the statement read comments differently.');
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
    const tree = JSON.parse(String(reader.getRowObjectsJson()[0]!.tree)) as { error?: boolean; error_message?: string; statements?: unknown[] };
    if (tree.error) throw new UsageError(`cbbd query runs one read-only SELECT; DuckDB's parser says: ${tree.error_message ?? 'not a SELECT'}. The lakehouse is written only by materializing assets.`);
    if (tree.statements?.length !== 1) throw new UsageError(`cbbd query runs exactly one statement; this text has ${tree.statements?.length ?? 0}. Run them one at a time.`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
