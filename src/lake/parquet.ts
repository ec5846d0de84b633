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

/** The records as one Parquet file's bytes, with exactly the declared columns. */
export async function toParquet(records: readonly unknown[], type: FieldType, compression: ParquetCompression = 'snappy'): Promise<Uint8Array> {
  const dir = join(tmpdir(), `cbbd-parquet-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    const input = join(dir, 'records.ndjson');
    const output = join(dir, 'part.parquet');
    await writeFile(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const columns = fieldsOf(type).map((f) => `${sqlString(f.name)}: ${sqlString(duckType(f.type))}`).join(', ');
    const connection = await duckConnection();
    try {
      const source = records.length
        ? `read_json(${sqlString(input)}, format = 'newline_delimited', columns = {${columns}}, timestampformat = 'iso', maximum_object_size = 67108864)`
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
