/**
 * The lakehouse's drivers: object storage (a local folder or S3) with one key layout (`table-layout.ts`, the one
 * component that names every storage key an asset writes: a partition key lives in the path only), typed Parquet
 * through DuckDB, checkpoints (SQLite or DynamoDB), the catalog (DuckDB views or Glue), `cbbd query` (read-only DuckDB
 * or Athena). What asset authors write with is src/authoring. Heavy SDKs (AWS, DuckDB) load only in the drivers that
 * use them.
 *
 * May import: src/core. Never the CBBD source, the server, the CLI, config or assets.
 */
export type { ObjectStorage, StoredObject } from './storage/storage.ts';
export { partitionPath, partitionPrefix, tableLayout, type TableLayout } from './table-layout.ts';
export { catalogTables, type Catalog, type CatalogTable } from './catalog/catalog.ts';
