/**
 * Writing a lakehouse table partition with DuckDB: read the input Parquet files (in place on a local lakehouse,
 * downloaded first from S3), run the table's SQL over them as `src`, refuse rows without their natural key, and
 * write exactly the table's file columns as Parquet (its layout's: never a partition key, which lives in the path),
 * in Hive `date=` folders when the layout has a folder key. Nothing is visible until `commit`, which replaces the
 * partition whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { PermanentError } from '../core/errors.ts';
import { duckConnection, sqlString } from './duckdb.ts';
import { withLocalFiles } from './local-files.ts';
import { quoteIdent } from './schema/field-types.ts';
import type { ObjectStorage, StoredObject } from './storage/storage.ts';
import { partitionPath, type TableLayout } from './table-layout.ts';

export interface TableWrite {
  /** The partition's prefix, e.g. `silver/fct_games/season=2024`. */
  readonly prefix: string;
  /**
   * Storage keys of the input Parquet files: one relation `src`, or one relation per name (`{ games: [...], teams:
   * [...] }`, each a view the SQL reads by that name). Each relation has a `filename` column.
   */
  readonly inputs: readonly string[] | Readonly<Record<string, readonly string[]>>;
  /** SELECT over the input relations. */
  readonly sql: string;
  readonly key: readonly string[];
  /** The table's layout (`tableLayout`): the files hold its file columns, in order; a folder key names sub-folders. */
  readonly layout: TableLayout;
}

export interface WrittenTable {
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly dates?: number;
  /** The folders written under the prefix (`date=2024-01-15`), '' for the prefix itself. */
  readonly folders: readonly string[];
  readonly dataVersion: string;
  commit(): Promise<void>;
}

export async function writeTable(storage: ObjectStorage, write: TableWrite): Promise<WrittenTable> {
  const relations = Object.entries(isNamed(write.inputs) ? write.inputs : { src: write.inputs });
  const empty = relations.filter(([, keys]) => !keys.length).map(([name]) => name);
  if (empty.length) throw new PermanentError(`${write.prefix}: no input files for ${empty.join(', ')}; materialize its upstream first (select it with "+" in front).`);
  const work = join(tmpdir(), `cbbd-table-${randomBytes(6).toString('hex')}`);
  await mkdir(work, { recursive: true });
  const connection = await duckConnection();
  try {
    const out = join(work, 'out');
    const rows = await withLocalFiles(storage, relations.flatMap(([, keys]) => keys), async (paths) => {
      let at = 0;
      for (const [name, keys] of relations) {
        const files = paths.slice(at, (at += keys.length));
        await connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}], filename = true, union_by_name = true)`);
      }
      await connection.run(`CREATE OR REPLACE TEMP VIEW out AS ${write.sql}`);
      // Checked on the key columns alone (DuckDB reads only those), before anything is written.
      const counts = (await connection.runAndReadAll(
        `SELECT count(*) AS n, count(*) FILTER (WHERE ${write.key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')}) AS null_keys FROM (SELECT ${write.key.map(quoteIdent).join(', ')} FROM out)`,
      )).getRowObjects()[0]!;
      if (Number(counts.null_keys)) throw new PermanentError(`${write.prefix}: ${Number(counts.null_keys)} row(s) have no natural key (${write.key.join(', ')}); the partition is not written.`);
      const { fileColumns, partitionKeys, folderKey } = write.layout;
      const declared = new Set([...fileColumns, ...partitionKeys].map((c) => c.name));
      const undeclared = (await connection.runAndReadAll('DESCRIBE out')).getRowObjects().map((r) => String(r.column_name)).filter((c) => !declared.has(c));
      if (undeclared.length) throw new PermanentError(`${write.prefix}: the SQL returns column(s) the schema does not declare (${undeclared.join(', ')}); declare them or leave them out.`);
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
      return Number(counts.n);
    });
    const objects: StoredObject[] = [];
    const hash = createHash('sha256');
    const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
      .map((e) => relative(out, join(e.parentPath, e.name)).split(sep).join('/')).sort();
    for (const name of files) {
      const body = await readFile(join(out, name));
      hash.update(name).update(body);
      objects.push({ name, body });
    }
    const bytes = objects.reduce((n, o) => n + o.body.length, 0);
    return {
      rows, bytes, files: objects.length, dataVersion: hash.digest('hex').slice(0, 16),
      folders: [...new Set(objects.map((o) => (o.name.includes('/') ? o.name.slice(0, o.name.lastIndexOf('/')) : '')))],
      ...(write.layout.folderKey && { dates: objects.length }),
      commit: () => storage.replacePartition(write.prefix, objects),
    };
  } finally {
    connection.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

function isNamed(inputs: TableWrite['inputs']): inputs is Readonly<Record<string, readonly string[]>> {
  return !Array.isArray(inputs);
}

/** The Hive folders a partition's write filled (`season=2024/date=2024-01-15`), for the catalog; none for `-`. */
export function catalogPartitions(partition: string, written: Pick<WrittenTable, 'folders'>): string[] {
  const path = partitionPath(partition);
  return path ? written.folders.map((f) => (f ? `${path}/${f}` : path)) : [];
}
