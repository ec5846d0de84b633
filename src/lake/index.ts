/**
 * The lakehouse: object storage (a local folder or S3) with one key layout (`table-layout.ts`: a partition key lives
 * in the path only), the raw layer's bodies and manifests (`raw/`), typed Parquet through DuckDB, table writing,
 * checkpoints (SQLite or DynamoDB), the catalog (DuckDB views or Glue), `cbbd query` (read-only DuckDB or Athena), and
 * where an asset's inputs are stored (`inputs.ts`). Heavy SDKs (AWS, DuckDB) load only in the drivers that use them.
 *
 * May import: src/core. Never the CBBD source, the server, the CLI, config or assets.
 */
export { rawInputRecords, rawPartitionPrefix, snapshotPrefix, tableFiles } from './inputs.ts';
export { readManifest, readRecords, readStoredResponse, type RawManifest, type StoredResponse } from './raw/store.ts';
export { rawPartitionOutput, type RawLake } from './raw/partition.ts';
export type { ObjectStorage, StoredObject } from './storage/storage.ts';
export { partitionPath, partitionPrefix, tableLayout, type TableLayout } from './table-layout.ts';
export { writeTable, type TableWrite, type WrittenTable } from './table-writer.ts';
export { catalogTables, type Catalog, type CatalogTable } from './catalog/catalog.ts';
