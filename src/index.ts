/**
 * The package's public surface for asset authors: what a project module imports by the package's name, as
 * `from dagster import asset` does (`import { defineAsset, tableFiles, writeTable } from 'cbbd-orchestrator'`). A
 * module loaded by `cbbd` gets the very modules the command runs (package.json's `exports`: the compiled dist/), so
 * its errors and definitions are the kernel's own. A project that builds on this one's assets imports them from
 * `cbbd-orchestrator/assets` (`createAssets`, `extensions`). See docs/assets.md.
 */
export { defineAsset, layerOf, LAYERS } from './core/asset.ts';
export type {
  AssetCheck, AssetDefinition, AssetSpec, CallEstimateContext, CheckOutcome, ColumnSpec, ComputeContext, ComputeFn, DependencySpec,
  Layer, PartitionOutput, TableSchema,
} from './core/asset.ts';
export { dateOfKey, NONE_PARTITION, seasonDateKey, seasonDates, seasonOfDate, seasonOfKey } from './core/partitions.ts';
export type { PartitionsDef, SeasonWindow } from './core/partitions.ts';
export { DefinitionError, PermanentError, SourceError } from './core/errors.ts';
export { defineSqlAsset, KEYS_CHECK, type SqlAssetSpec, type SqlCheck, type SqlInput } from './authoring/sql-asset.ts';
export { rawInputRecords, rawPartitionPrefix, snapshotPrefix, tableFiles } from './authoring/inputs.ts';
export { catalogPartitions, writeTable, type TableWrite, type WrittenTable } from './authoring/table-writer.ts';
export { partitionPath, partitionPrefix, tableLayout, type TableLayout } from './lake/table-layout.ts';
export type { ObjectStorage } from './lake/storage/storage.ts';
export { duckConnection } from './lake/duckdb.ts';
export { readManifest, type RawManifest } from './authoring/raw/store.ts';
