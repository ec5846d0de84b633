/**
 * Writing a lakehouse table partition with DuckDB: read the input Parquet files (in place on a local lakehouse,
 * downloaded first from S3), run the table's SQL over them as `src`, refuse rows without their natural key, and
 * write exactly the table's file columns as Parquet (its layout's: never a partition key, which lives in the path),
 * in Hive `date=` folders when the layout has a folder key. Nothing is visible until `commit`, which replaces the
 * partition whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PermanentError } from '../core/errors.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSpec } from '../core/asset.ts';
import { duckConnection, sqlString } from '../lake/duckdb.ts';
import { LocalFiles } from '../lake/local-files.ts';
import { quoteIdent } from '../lake/schema/field-types.ts';
import { duckTypeOfGlue } from '../lake/schema/glue-types.ts';
import type { ObjectStorage, StoredObject } from '../lake/storage/storage.ts';
import { partitionPath, type TableLayout } from '../lake/table-layout.ts';
import { makeScratchDir } from '../lake/scratch-dirs.ts';

/** One input relation of a table write: its files, and the layout of the table they belong to. */
export interface TableInput {
  readonly files: readonly string[];
  /**
   * The input table's layout: its Hive keys are read from the paths with the types every reader gives them (season
   * INTEGER, date VARCHAR), and no files at all is an empty relation of its columns (the first game day of a season
   * has no earlier days), not an error.
   */
  readonly layout: TableLayout;
}

/** Some partitions of an input loaded once with `TableWriter.cache` (read by many partitions of a step). */
export interface CachedInput {
  readonly cached: string;
  /** Partition keys (`2024|2024-01-15`, `2024`, `-`) of the rows to read. */
  readonly partitions: readonly string[];
}

export interface TableWrite {
  /** The partition's prefix, e.g. `silver/fct_games/season=2024`. */
  readonly prefix: string;
  /**
   * Storage keys of the input Parquet files: one relation `src`, or one relation per name (`{ games: [...], teams:
   * [...] }`, each a view the SQL reads by that name). Each relation has a `filename` column.
   */
  readonly inputs: readonly string[] | Readonly<Record<string, readonly string[] | TableInput | CachedInput>>;
  /** SELECT over the input relations. */
  readonly sql: string;
  readonly key: readonly string[];
  /** The table's layout (`tableLayout`): the files hold its file columns, in order; a folder key names sub-folders. */
  readonly layout: TableLayout;
  /** DuckDB variables the SQL reads with `getvariable('season')`: the partition's values. */
  readonly variables?: Readonly<Record<string, number | string>>;
  /**
   * Also check the result's column types against the layout's (names are always checked), as DuckDB describes them.
   */
  readonly checkTypes?: boolean;
  /** Compute the result once into a temporary table (small partitions read by several checks). */
  readonly materialize?: boolean;
  /** Report rows without their key and duplicate keys in `keyProblems` instead of refusing the write. */
  readonly reportKeyProblems?: boolean;
  /** Named queries over `out` (and the inputs), each returning one row `(passed BOOLEAN, detail VARCHAR)`. */
  readonly probes?: Readonly<Record<string, string>>;
}

export interface WrittenTable {
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly dates?: number;
  /** The folders written under the prefix (`date=2024-01-15`), '' for the prefix itself. */
  readonly folders: readonly string[];
  readonly dataVersion: string;
  /** Rows with a null key column, and rows beyond the first of each key (with `reportKeyProblems`). */
  readonly keyProblems: { readonly nullKeys: number; readonly duplicateKeys: number };
  readonly probes: Readonly<Record<string, { readonly passed: boolean; readonly detail?: string }>>;
  commit(): Promise<void>;
}

/**
 * Writes table partitions through one DuckDB connection, downloading each input object once (for S3): a step that
 * computes a season of game days reads the same earlier days again and again.
 */
export class TableWriter {
  /** What `out` is in the connection now, to replace it. */
  private out: 'TABLE' | 'VIEW' | undefined;

  private constructor(
    private readonly storage: ObjectStorage,
    private readonly connection: DuckDBConnection,
    private readonly files: LocalFiles,
    private readonly work: string,
  ) {}

  static async open(storage: ObjectStorage): Promise<TableWriter> {
    const work = await makeScratchDir('table');
    return new TableWriter(storage, await duckConnection(), new LocalFiles(storage), work);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    await this.files.close();
    await rm(this.work, { recursive: true, force: true });
  }

  async write(write: TableWrite): Promise<WrittenTable> {
    const connection = this.connection;
    const named = isNamed(write.inputs) ? write.inputs : { src: write.inputs as readonly string[] };
    const relations = Object.entries(named).map(([name, input]): [string, { files: readonly string[]; layout?: TableLayout } | CachedInput] =>
      [name, isArray(input) ? { files: input } : input]);
    const empty = relations.filter(([, input]) => !('cached' in input) && !input.layout && !input.files.length).map(([name]) => name);
    if (empty.length) throw new PermanentError(`${write.prefix}: no input files for ${empty.join(', ')}; materialize its upstream first (select it with "+" in front).`);
    const out = join(this.work, randomBytes(6).toString('hex'));
    for (const [name, value] of Object.entries(write.variables ?? {})) {
      await connection.run(`SET VARIABLE ${quoteIdent(name)} = ${typeof value === 'number' ? String(value) : sqlString(value)}`);
    }
    for (const [name, input] of relations) {
      const relation = 'cached' in input ? this.cachedRelation(input) : await this.relation(input.files, input.layout);
      await connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS ${relation}`);
    }
    // Computed once when the checks read it several times; a view otherwise (a season of silver would not fit).
    if (this.out) await connection.run(`DROP ${this.out} out`);
    this.out = undefined;
    await connection.run(`CREATE TEMP ${write.materialize ? 'TABLE' : 'VIEW'} out AS ${write.sql}`);
    this.out = write.materialize ? 'TABLE' : 'VIEW';
    const { fileColumns, partitionKeys, folderKey } = write.layout;
    const described = (await connection.runAndReadAll('DESCRIBE out')).getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const problems = schemaProblems(described, fileColumns, partitionKeys, write.checkTypes ?? false);
    if (problems.length) throw new PermanentError(`${write.prefix}: the SQL's result does not match the declared schema: ${problems.join('; ')}.`);
    // Checked on the key columns alone (DuckDB reads only those), before anything is written.
    const keys = write.key.map(quoteIdent).join(', ');
    const counts = (await connection.runAndReadAll(
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${write.key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')}) AS null_keys, ` +
        `count(*) - count(DISTINCT (${keys})) AS duplicate_keys FROM (SELECT ${keys} FROM out)`,
    )).getRowObjects()[0]!;
    const keyProblems = { nullKeys: Number(counts.null_keys), duplicateKeys: Number(counts.duplicate_keys) };
    if (keyProblems.nullKeys && !write.reportKeyProblems) throw new PermanentError(`${write.prefix}: ${keyProblems.nullKeys} row(s) have no natural key (${write.key.join(', ')}); the partition is not written.`);
    const probes: Record<string, { passed: boolean; detail?: string }> = {};
    for (const [name, sql] of Object.entries(write.probes ?? {})) {
      const row = (await connection.runAndReadAll(sql)).getRowObjects()[0];
      probes[name] = { passed: row?.passed === true, ...(row?.detail != null && { detail: String(row.detail) }) };
    }
    // Ordered, so the same rows always make the same bytes (and the same data version); by folder first, so the
    // folders are written one after the other. DuckDB leaves the folder key out of the files it names folders by.
    const order = [...(folderKey ? [folderKey] : []), ...write.key].map(quoteIdent).join(', ');
    const ordered = `SELECT ${[...fileColumns.map((c) => c.name), ...(folderKey ? [folderKey] : [])].map(quoteIdent).join(', ')} FROM out ORDER BY ${order}`;
    if (folderKey) {
      await connection.run(`COPY (${ordered}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${quoteIdent(folderKey)}), FILENAME_PATTERN 'part-{i}')`);
    } else {
      await mkdir(out, { recursive: true });
      await connection.run(`COPY (${ordered}) TO ${sqlString(join(out, 'part-0.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
    }
    const objects: StoredObject[] = [];
    const hash = createHash('sha256');
    const names = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
      .map((e) => relative(out, join(e.parentPath, e.name)).split(sep).join('/')).sort();
    for (const name of names) {
      const body = await readFile(join(out, name));
      hash.update(name).update(body);
      objects.push({ name, body });
    }
    await rm(out, { recursive: true, force: true });
    const bytes = objects.reduce((n, o) => n + o.body.length, 0);
    const storage = this.storage;
    return {
      rows: Number(counts.n), bytes, files: objects.length, dataVersion: hash.digest('hex').slice(0, 16), keyProblems, probes,
      folders: [...new Set(objects.map((o) => (o.name.includes('/') ? o.name.slice(0, o.name.lastIndexOf('/')) : '')))],
      ...(folderKey && { dates: objects.length }),
      commit: () => storage.replacePartition(write.prefix, objects),
    };
  }

  /**
   * Write several partitions of a season×date table from a cached result (`cacheQuery`, `loadRows`) at once: one schema
   * check, one key check grouped by partition, one Parquet COPY split into `date=` folders, then each partition's
   * files hashed and committed on their own. The fixed cost of a day (half a dozen statements and a COPY) was most of
   * a season's time. A partition with no rows gets an empty file, as a write of its own would.
   */
  async writeCached(name: string, partitions: readonly { partition: string; prefix: string; date: string }[], key: readonly string[], layout: TableLayout): Promise<Map<string, WrittenTable>> {
    const connection = this.connection;
    const table = quoteIdent(`__cache_${name}`);
    const { fileColumns, partitionKeys } = layout;
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * EXCLUDE (__partition) FROM ${table}`)).getRowObjects()
      .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const problems = schemaProblems(described, fileColumns, partitionKeys, true);
    if (problems.length) throw new PermanentError(`${partitions[0]?.prefix ?? name}: the SQL's result does not match the declared schema: ${problems.join('; ')}.`);
    const keys = key.map(quoteIdent).join(', ');
    const wanted = partitions.map((p) => sqlString(p.partition)).join(', ');
    const counts = new Map((await connection.runAndReadAll(
      `SELECT __partition, count(*) AS n, count(*) FILTER (WHERE ${key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')}) AS null_keys, ` +
        `count(*) - count(DISTINCT (${keys})) AS duplicate_keys FROM ${table} WHERE __partition IN (${wanted}) GROUP BY __partition`,
    )).getRowObjects().map((r) => [String(r.__partition), { rows: Number(r.n), nullKeys: Number(r.null_keys), duplicateKeys: Number(r.duplicate_keys) }]));
    const out = join(this.work, randomBytes(6).toString('hex'));
    const columns = fileColumns.map((c) => quoteIdent(c.name)).join(', ');
    await connection.run(`COPY (SELECT ${columns}, __partition FROM ${table} WHERE __partition IN (${wanted}) ORDER BY __partition, ${keys}) TO ${sqlString(out)} ` +
      `(FORMAT parquet, COMPRESSION snappy, PARTITION_BY (__partition), FILENAME_PATTERN 'part-{i}')`);
    const written = new Map<string, WrittenTable>();
    const storage = this.storage;
    for (const p of partitions) {
      // DuckDB names the folder by the value, escaping what a path cannot hold ('|' is kept on Linux).
      const folder = (await readdir(out).catch(() => [] as string[])).find((f) => f === `__partition=${p.partition}` || decodeURIComponent(f) === `__partition=${p.partition}`);
      const objects: StoredObject[] = [];
      if (folder) {
        for (const file of (await readdir(join(out, folder))).sort()) objects.push({ name: file, body: await readFile(join(out, folder, file)) });
      } else {
        const empty = join(this.work, `${randomBytes(6).toString('hex')}.parquet`);
        await connection.run(`COPY (SELECT ${columns} FROM ${table} WHERE false) TO ${sqlString(empty)} (FORMAT parquet, COMPRESSION snappy)`);
        objects.push({ name: 'part-0.parquet', body: await readFile(empty) });
        await rm(empty, { force: true });
      }
      const hash = createHash('sha256');
      for (const o of objects) hash.update(o.name).update(o.body);
      const c = counts.get(p.partition) ?? { rows: 0, nullKeys: 0, duplicateKeys: 0 };
      written.set(p.partition, {
        rows: c.rows, bytes: objects.reduce((n, o) => n + o.body.length, 0), files: objects.length, dataVersion: hash.digest('hex').slice(0, 16),
        keyProblems: { nullKeys: c.nullKeys, duplicateKeys: c.duplicateKeys }, probes: {}, folders: [''],
        commit: () => storage.replacePartition(p.prefix, objects),
      });
    }
    await rm(out, { recursive: true, force: true });
    return written;
  }

  /**
   * Load an input's files into a temporary table once, each row tagged with its partition key, for a step whose
   * partitions read the same input partitions again and again (every rating date reads every earlier game day):
   * opening a season of small files per partition would cost more than the work. Read it with a `CachedInput`.
   */
  async cache(name: string, input: TableInput): Promise<void> {
    // The partition key of a row is its table's partition, not its folder: a season table's `date=` folders (game
    // facts) are all of partition `2024`.
    const keys = input.layout.partitionKeys.filter((k) => k.name !== input.layout.folderKey).map((k) => quoteIdent(k.name));
    const partition = keys.length ? keys.map((k) => `${k}::VARCHAR`).join(` || '|' || `) : `'-'`;
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(`__cache_${name}`)} AS SELECT *, ${partition} AS __partition FROM (${await this.relation(input.files, input.layout)})`);
  }

  /**
   * Load rows computed outside SQL (the solver's ratings) as a cached input, typed by the declared columns; each row
   * carries its partition key in `__partition`. Read them back per partition with a `CachedInput`.
   */
  async loadRows(name: string, columns: readonly ColumnSpec[], rows: readonly Record<string, unknown>[]): Promise<void> {
    const path = join(this.work, `${name}-${randomBytes(4).toString('hex')}.ndjson`);
    await writeFile(path, rows.map((r) => JSON.stringify(r)).join('\n'));
    const types = [...columns.map((c) => `${sqlString(c.name)}: ${sqlString(duckTypeOfGlue(c.type))}`), `'__partition': 'VARCHAR'`].join(', ');
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(`__cache_${name}`)} AS SELECT * FROM read_json(${sqlString(path)}, format = 'newline_delimited', columns = {${types}})`);
    await rm(path, { force: true });
  }

  /**
   * Run a query over input relations into a cached input, each row's partition key computed by `partition` (a SQL
   * expression over the result): a partition-local SQL computed for several partitions at once, then written one
   * partition at a time from the cache.
   */
  async cacheQuery(name: string, sql: string, inputs: Readonly<Record<string, TableInput>>, partition: string, views: Readonly<Record<string, string>> = {}): Promise<void> {
    for (const [view, input] of Object.entries(inputs)) {
      await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${await this.relation(input.files, input.layout)}`);
    }
    for (const [view, select] of Object.entries(views)) await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${select}`);
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(`__cache_${name}`)} AS SELECT *, ${partition} AS __partition FROM (${sql})`);
  }

  /** Rows of a query over input relations (read into the process: small results only). */
  async read(sql: string, inputs: Readonly<Record<string, TableInput | CachedInput>>): Promise<Record<string, unknown>[]> {
    for (const [name, input] of Object.entries(inputs)) {
      const relation = 'cached' in input ? this.cachedRelation(input) : await this.relation(input.files, input.layout);
      await this.connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS ${relation}`);
    }
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  private cachedRelation(input: CachedInput): string {
    const where = input.partitions.length ? `__partition IN (${input.partitions.map(sqlString).join(', ')})` : 'false';
    return `SELECT * EXCLUDE (__partition) FROM ${quoteIdent(`__cache_${input.cached}`)} WHERE ${where}`;
  }

  /**
   * A SELECT over input files. With the input table's layout, its Hive keys are typed and no files is an empty
   * relation of its columns; without one (bronze's files, written over time), schemas are merged by column name.
   */
  private async relation(files: readonly string[], layout: TableLayout | undefined): Promise<string> {
    if (layout && !files.length) {
      return `SELECT ${[...layout.fileColumns, ...layout.partitionKeys].map((c) => `NULL::${duckTypeOfGlue(c.type)} AS ${quoteIdent(c.name)}`).join(', ')}, NULL::VARCHAR AS filename LIMIT 0`;
    }
    const paths = await this.files.paths(files);
    const hive = layout?.partitionKeys.length
      ? `, hive_partitioning = true, hive_types = {${layout.partitionKeys.map((k) => `${sqlString(k.name)}: ${sqlString(duckTypeOfGlue(k.type))}`).join(', ')}}`
      : '';
    return `SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}], filename = true${layout ? '' : ', union_by_name = true'}${hive})`;
  }
}

/** Write one table partition (see `TableWriter` to write several through one connection). */
export async function writeTable(storage: ObjectStorage, write: TableWrite): Promise<WrittenTable> {
  const writer = await TableWriter.open(storage);
  try {
    return await writer.write(write);
  } finally {
    await writer.close();
  }
}

/**
 * How a result differs from the declared columns: a declared file column missing, a column not declared (partition
 * keys may be returned or not: they live in the path), and with `types` a type other than the declared one.
 */
export function schemaProblems(
  described: readonly { name: string; type: string }[], fileColumns: readonly ColumnSpec[], partitionKeys: readonly ColumnSpec[], types: boolean,
): string[] {
  const got = new Map(described.map((c) => [c.name, c.type]));
  const keys = new Set(partitionKeys.map((k) => k.name));
  const problems: string[] = [];
  const missing = fileColumns.filter((c) => !got.has(c.name)).map((c) => c.name);
  if (missing.length) problems.push(`missing column(s) ${missing.join(', ')}`);
  const declared = new Set(fileColumns.map((c) => c.name));
  const undeclared = described.filter((c) => !declared.has(c.name) && !keys.has(c.name)).map((c) => c.name);
  if (undeclared.length) problems.push(`column(s) the schema does not declare (${undeclared.join(', ')}); declare them or leave them out`);
  if (types) {
    const norm = (t: string) => t.replace(/"/g, '').replace(/\s+/g, ' ').toUpperCase();
    for (const c of fileColumns) {
      const type = got.get(c.name);
      if (type !== undefined && norm(type) !== norm(duckTypeOfGlue(c.type))) problems.push(`${c.name} is ${type}, declared ${c.type} (${duckTypeOfGlue(c.type)}): cast it in the SQL`);
    }
  }
  return problems;
}

function isArray(input: readonly string[] | TableInput | CachedInput): input is readonly string[] {
  return Array.isArray(input);
}

function isNamed(inputs: TableWrite['inputs']): inputs is Readonly<Record<string, readonly string[] | TableInput | CachedInput>> {
  return !Array.isArray(inputs);
}

/** The Hive folders a partition's write filled (`season=2024/date=2024-01-15`), for the catalog; none for `-`. */
export function catalogPartitions(partition: string, written: Pick<WrittenTable, 'folders'>): string[] {
  const path = partitionPath(partition);
  return path ? written.folders.map((f) => (f ? `${path}/${f}` : path)) : [];
}
