/**
 * Writing typed Parquet through DuckDB. Records are handed over as newline-delimited JSON and read back with the
 * declared column types (never inferred per file), so the same column has the same type in every file of every
 * season: integers stay integers, nested objects become structs and lists.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { duckConnection, sqlString } from './duckdb.ts';
import { makeScratchDir } from './scratch-dirs.ts';
import { duckType, fieldsOf, quoteIdent, withoutFields, type FieldType } from './schema/field-types.ts';

export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'uncompressed';

/** Some records disagree with the partition's path about a value the path holds (a record of 2023 in `season=2024`). */
export class PathValueMismatchError extends Error {}

const MISMATCH = 'cbbd: a record disagrees with its partition path';

/**
 * Stored JSON array files (gzipped raw parts, read in place) as one Parquet file's bytes, with exactly the declared
 * columns: DuckDB parses them natively, so a day of plays is not serialized again in JavaScript. Use it only for
 * records already checked to fit the declared type (see `misfit`).
 *
 * `pathValues` are fields the partition's path holds (`{ season: 2024 }`): they are left out of the file, and every
 * record must agree with the path, checked in the same pass; if one does not, nothing is written and a
 * `PathValueMismatchError` says so.
 */
export async function jsonFilesToParquet(paths: readonly string[], type: FieldType, options: { pathValues?: Readonly<Record<string, number | string>>; compression?: ParquetCompression } = {}): Promise<Uint8Array> {
  const compression = options.compression ?? 'snappy';
  const pathValues = Object.entries(options.pathValues ?? {});
  if (!paths.length) return toParquet([], withoutFields(type, pathValues.map(([name]) => name)), compression);
  const dir = await makeScratchDir('parquet');
  try {
    const output = join(dir, 'part.parquet');
    const connection = await duckConnection();
    const exclude = pathValues.length ? ` EXCLUDE (${pathValues.map(([name]) => quoteIdent(name)).join(', ')})` : '';
    const agree = pathValues.length
      ? ` WHERE CASE WHEN ${pathValues.map(([name, value]) => `${quoteIdent(name)} IS NOT DISTINCT FROM ${typeof value === 'number' ? value : sqlString(value)}`).join(' AND ')} THEN true ELSE error(${sqlString(MISMATCH)}) END`
      : '';
    try {
      // No Hive detection: the raw parts sit in `season=` folders, and DuckDB would otherwise add the folder's value
      // to every file as a column of its own (the path is the only place a partition key lives).
      await connection.run(`COPY (SELECT *${exclude} FROM read_json([${paths.map(sqlString).join(', ')}], format = 'array', columns = {${columnsOf(type)}}, ` +
        `timestampformat = 'iso', hive_partitioning = false)${agree}) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION ${compression})`);
    } catch (error) {
      if (error instanceof Error && error.message.includes(MISMATCH)) throw new PathValueMismatchError(`${MISMATCH} (${pathValues.map(([k, v]) => `${k}=${v}`).join('/')})`, { cause: error });
      throw error;
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

/** The records as one Parquet file's bytes, with exactly the declared columns (a record's other fields are left out). */
export async function toParquet(records: readonly unknown[], type: FieldType, compression: ParquetCompression = 'snappy'): Promise<Uint8Array> {
  const dir = await makeScratchDir('parquet');
  try {
    const input = join(dir, 'records.ndjson');
    const output = join(dir, 'part.parquet');
    await writeFile(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const columns = columnsOf(type);
    const connection = await duckConnection();
    try {
      const source = records.length
        ? `read_json(${sqlString(input)}, format = 'newline_delimited', columns = {${columns}}, timestampformat = 'iso', hive_partitioning = false)`
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
