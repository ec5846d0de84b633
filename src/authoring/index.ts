/**
 * What asset authors write with: SQL assets (`sqlAsset`), the table writer (typed Parquet per partition, through the
 * lakehouse's one key layout), where an asset's inputs are stored (`tableFiles`, `rawInputRecords`: no compute builds
 * a storage path), the raw layer's kit (bodies, manifests, incremental refetch, per-partition checkpoints, the body
 * worker pool) and the checks `cbbd validate` runs again over what is stored.
 *
 * May import: src/core and src/lake (the drivers and the key layout). Never the source, the server, the CLI or assets.
 */
export { rawInputRecords, rawPartitionPrefix, snapshotPrefix, tableFiles } from './inputs.ts';
export { readManifest, readRecords, readStoredResponse, type RawManifest, type StoredResponse } from './raw/store.ts';
export { rawPartitionOutput, type RawLake } from './raw/partition.ts';
export { writeTable, type TableWrite, type WrittenTable } from './table-writer.ts';
