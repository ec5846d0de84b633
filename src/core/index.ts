/**
 * The kernel: assets, partitions, the graph and selections, the planner and the materializer, recording through the
 * `RunRecorder` interface (the run-log store, src/store, implements it). It works on
 * interfaces only, so a newcomer needs these seams:
 *
 * - **Declare**: `defineAsset({ key, deps, partitions, codeVersion, schema, checks }, compute)`, one file per asset
 *   (or per family) plus one line in `assets/index.ts`.
 * - **Read inputs**: inside `compute(ctx)`, `ctx.inputPartitions('silver/fct_games', partition)` gives the upstream
 *   partitions a partition reads, through the dependency's declared mapping; reading an undeclared asset is an error.
 *   `src/authoring/inputs.ts` turns them into files (`tableFiles`, `rawInputRecords`): no compute builds a storage path.
 * - **Write outputs**: return one `PartitionOutput` per partition: `dataVersion` (a content hash), `rowCount`, a
 *   `commit()` that makes the data visible, and typed facts (`tablePartitions`, `quarantine`, `apiCalls`).
 * - **Checks**: `checks: [{ name, blocking, run: ({ output }) => ({ passed, detail }) }]`; a failed blocking check
 *   fails the partition before its commit.
 * - **Fail**: throw `PermanentError` for what retrying cannot fix (a missing input, rows without a key); anything
 *   else is retried (`materialize.retries`).
 * - **Run a selection**: `runSelection(project, { selection, filter })` (or `planSelection` then `runPlanned`), with
 *   `project.hooks` around each compute and after each commit. The CLI, the server, the benches and the tests all go
 *   through it.
 *
 * May import: nothing outside src/core (no source, lakehouse, server, CLI, config or assets; no heavy SDK).
 */
export { defineAsset, LAYERS, type AssetCheck, type AssetDefinition, type AssetSpec, type ColumnSpec, type ComputeContext, type DependencySpec, type PartitionOutput, type TableSchema } from './asset.ts';
export type { CheckpointStore, SourceCheckpoint } from './checkpoints.ts';
export { CbbdError, ConfigError, DefinitionError, ExecutionError, isRetryable, PermanentError, PlanError, SourceError, StorageError, UsageError } from './errors.ts';
export { buildAssetGraph, type AssetGraph } from './graph.ts';
export type { PartitionMapping } from './mappings.ts';
export { dateOfKey, NONE_PARTITION, parseSeason, seasonOfKey, type PartitionFilter, type PartitionsDef, type SeasonWindow } from './partitions.ts';
export { describeReason, type Plan, type StaleReason } from './plan.ts';
export { buildPlan } from './planner.ts';
export { materialize, type MaterializeHooks, type RunResult, type StepResult } from './materializer.ts';
export { loadPlannerState, planSelection, runPlanned, runSelection, type PlannedRun, type Project, type SelectionRequest } from './run-selection.ts';
export { parsePartitionFilter, selectAssets } from './selection.ts';
