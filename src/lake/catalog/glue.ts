/**
 * The Glue catalog: databases `cbbd_bronze`, `cbbd_silver`, `cbbd_gold`; one external Parquet table per asset with
 * its files' columns and its path's partition keys (never both: see `table-layout.ts`), located at
 * `s3://<bucket>/<layer>/<name>/`. A table definition is written
 * only when its declared schema changed (a hash kept in the table's parameters); partitions are registered as they
 * are written.
 */
import { createHash } from 'node:crypto';
import {
  AlreadyExistsException, BatchCreatePartitionCommand, CreateDatabaseCommand, CreateTableCommand, EntityNotFoundException, GetTableCommand, GlueClient,
  UpdateTableCommand, type Column, type StorageDescriptor, type TableInput,
} from '@aws-sdk/client-glue';
import { awsClientConfig, type AwsSettings } from '../aws.ts';
import type { Catalog, CatalogTable } from './catalog.ts';

export const DRIVER_NAME = 'glue';
const SCHEMA_HASH = 'cbbd.schema_hash';

export function glueDatabaseOf(key: string): string {
  return `cbbd_${key.split('/')[0]}`;
}

function storageDescriptor(location: string, columns: readonly Column[]): StorageDescriptor {
  return {
    Columns: [...columns],
    Location: location,
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
  };
}

export function glueCatalog(bucket: string, settings: AwsSettings): Catalog & { readonly client: GlueClient } {
  const client = new GlueClient(awsClientConfig(settings));
  const databases = new Set<string>();
  const location = (table: CatalogTable) => `s3://${bucket}/${table.key}/`;
  const columns = (table: CatalogTable): Column[] => table.columns.map((c) => ({ Name: c.name.toLowerCase(), Type: c.type, ...(c.description && { Comment: c.description }) }));
  const tableInput = (table: CatalogTable): TableInput => {
    const hash = createHash('sha256').update(JSON.stringify([table.columns, table.partitionKeys])).digest('hex').slice(0, 16);
    return {
      Name: table.key.split('/')[1]!,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'parquet', EXTERNAL: 'TRUE', [SCHEMA_HASH]: hash },
      PartitionKeys: table.partitionKeys.map((k) => ({ Name: k.name, Type: k.type })),
      StorageDescriptor: storageDescriptor(location(table), columns(table)),
    };
  };
  const ensureDatabase = async (name: string) => {
    if (databases.has(name)) return;
    try {
      await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: name, Description: 'CBBD lakehouse tables, kept by cbbd' } }));
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
    }
    databases.add(name);
  };
  return {
    driverName: DRIVER_NAME,
    client,
    async register(tables) {
      for (const table of tables) {
        const database = glueDatabaseOf(table.key);
        await ensureDatabase(database);
        const input = tableInput(table);
        try {
          const existing = await client.send(new GetTableCommand({ DatabaseName: database, Name: input.Name }));
          if (existing.Table?.Parameters?.[SCHEMA_HASH] !== input.Parameters![SCHEMA_HASH]) {
            await client.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input }));
          }
        } catch (error) {
          if (!(error instanceof EntityNotFoundException)) throw error;
          await client.send(new CreateTableCommand({ DatabaseName: database, TableInput: input }));
        }
      }
    },
    async addPartitions(table, paths) {
      if (!paths.length || !table.partitionKeys.length) return;
      const database = glueDatabaseOf(table.key);
      for (let i = 0; i < paths.length; i += 100) {
        const out = await client.send(new BatchCreatePartitionCommand({
          DatabaseName: database,
          TableName: table.key.split('/')[1]!,
          PartitionInputList: paths.slice(i, i + 100).map((path) => ({
            Values: path.split('/').map((segment) => segment.slice(segment.indexOf('=') + 1)),
            StorageDescriptor: storageDescriptor(`${location(table)}${path}/`, columns(table)),
          })),
        }));
        // A partition written again is already registered: that is the one error expected here.
        const failed = (out.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
        if (failed.length) throw new Error(`Glue refused ${failed.length} partition(s) of ${table.key}: ${failed[0]!.ErrorDetail?.ErrorMessage ?? 'unknown error'}`);
      }
    },
  };
}
