/**
 * Writing typed Parquet through DuckDB. Records are handed over as newline-delimited JSON and read back with the
 * declared column types (never inferred per file), so the same column has the same type in every file of every
 * season: integers stay integers, nested objects become structs and lists.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckConnection, sqlString } from './duckdb.ts';
import { duckType, fieldsOf, type FieldType } from './schema/field-types.ts';

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'uncompressed';

/**
 * Stored JSON array files (gzipped raw parts, read in place) as one Parquet file's bytes, with exactly the declared
 * columns: DuckDB parses them natively, so a day of plays is not serialized again in JavaScript. Use it only for
 * records already checked to fit the declared type (see `misfit`).
 */
export async function jsonFilesToParquet(paths: readonly string[], type: FieldType, compression: ParquetCompression = 'snappy'): Promise<Uint8Array> {
  if (!paths.length) return toParquet([], type, compression);
  const dir = join(tmpdir(), `cbbd-parquet-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    const output = join(dir, 'part.parquet');
    const connection = await duckConnection();
    try {
      await connection.run(`COPY (SELECT * FROM read_json([${paths.map(sqlString).join(', ')}], format = 'array', columns = {${columnsOf(type)}}, ` +
        `timestampformat = 'iso')) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION ${compression})`);
    } finally {
      connection.closeSync();
    }
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function columnsOf(type: FieldType): string {
  return fieldsOf(type).map((f) => `${sqlString(f.name)}: ${sqlString(duckType(f.type))}`).join(', ');
}

/** The records as one Parquet file's bytes, with exactly the declared columns. */
export async function toParquet(records: readonly unknown[], type: FieldType, compression: ParquetCompression = 'snappy'): Promise<Uint8Array> {
  const dir = join(tmpdir(), `cbbd-parquet-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    const input = join(dir, 'records.ndjson');
    const output = join(dir, 'part.parquet');
    await writeFile(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const columns = columnsOf(type);
    const connection = await duckConnection();
    try {
      const source = records.length
        ? `read_json(${sqlString(input)}, format = 'newline_delimited', columns = {${columns}}, timestampformat = 'iso')`
        : `(SELECT ${fieldsOf(type).map((f) => `NULL::${duckType(f.type)} AS "${f.name}"`).join(', ')} LIMIT 0)`;
      await connection.run(`COPY (SELECT * FROM ${source}) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION ${compression})`);
    } finally {
      connection.closeSync();
    }
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
