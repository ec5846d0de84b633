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
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { CatalogTable } from '../catalog/catalog.ts';
import { createDuckViews } from '../catalog/duckdb-views.ts';
import { sqlString } from '../duckdb.ts';
import { makeScratchDirSync } from '../scratch-dirs.ts';

export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
}

/** The folders a query may read: the catalogued layers, never raw bodies, dead letters, meta or tmp. */
function readableFolders(root: string, tables: readonly CatalogTable[]): string[] {
  const layers = [...new Set(tables.map((t) => t.key.split('/')[0]!))];
  return layers.map((layer) => `${join(root, layer)}/`);
}

/**
 * A DuckDB error as one line that says what to do: its whole message with DuckDB's hints ("Candidate bindings: ...",
 * "Did you mean ...?") joined on one line, without the statement and caret it echoes back after "LINE n:".
 */
function queryError(error: unknown): UsageError {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((l) => l.trim());
  const echo = lines.findIndex((l) => /^LINE \d+:/.test(l));
  const message = (echo < 0 ? lines : lines.slice(0, echo)).filter(Boolean).join(' ').replace(/^Failed to extract statements: /, '') || text;
  const hint = /^Permission Error/.test(message) ? '. cbbd query reads only the lakehouse tables: bronze.*, silver.*, gold.*.' : '';
  return new UsageError(`query failed: ${message}${hint}`);
}

/**
 * The tables a statement names (`silver.fct_games`), or undefined when it names none of them: views are then made for
 * every table (SHOW ALL TABLES, a misspelt name whose "Did you mean" needs the others). Making a view reads its files'
 * footers, so a query of one table starts as fast as `cbbd show` instead of paying for all of them.
 */
function tablesNamed(sql: string, tables: readonly CatalogTable[]): CatalogTable[] | undefined {
  const named = new Set([...sql.matchAll(/\b(bronze|silver|gold)\s*\.\s*"?(\w+)"?/gi)].map((m) => `${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}`));
  const found = tables.filter((t) => named.has(t.key));
  return found.length && found.length === named.size ? found : undefined;
}

/** Run one read-only statement over the lakehouse at `root`. Throws a `UsageError` (exit 2) for anything refused. */
export async function runReadOnlyQuery(root: string, tables: readonly CatalogTable[], sql: string): Promise<QueryResult> {
  const named = tablesNamed(sql, tables);
  if (!named) return queryOver(root, tables, sql);
  try {
    return await queryOver(root, named, sql);
  } catch (error) {
    // A name DuckDB could not find among the few views: ask again with every table, for its "Did you mean".
    if (error instanceof UsageError && /Catalog Error/.test(error.message)) return queryOver(root, tables, sql);
    throw error;
  }
}

async function queryOver(root: string, tables: readonly CatalogTable[], sql: string): Promise<QueryResult> {
  const { DuckDBInstance, StatementType } = await import('@duckdb/node-api');
  // The real path: DuckDB compares allowed folders with the paths it opens, and a symlinked root would not match.
  const lakehouse = existsSync(root) ? realpathSync(root) : resolve(root);
  const scratch = makeScratchDirSync('query');
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
