/**
 * What this project does around the kernel's work (the kernel's MaterializeHooks): the run a compute belongs to, the
 * fetch scope dead letters are named by, the catalog's partitions, and every run's summary in the lakehouse.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../core/logger.ts';
import type { MaterializeHooks } from '../core/materializer.ts';
import { fetchScope } from '../cbbd/dead-letters.ts';
import type { Catalog, CatalogTable } from '../lake/catalog/catalog.ts';
import { duckdbCatalog } from '../lake/catalog/duckdb.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import type { RunLog } from '../store/run-log.ts';
import { buildRunReport } from '../store/run-report.ts';
import { writeRunSummary } from './run-summaries.ts';

/** The run a compute belongs to, while it runs: the ledger records each API call with it. */
export const runScope = new AsyncLocalStorage<string | undefined>();

/**
 * What this project does around the kernel's work: each compute runs inside a fetch scope (a dead letter names the
 * asset partitions its request was for), and a committed table partition is registered in the catalog (Glue; DuckDB
 * views read the folders as they are).
 */
export function projectHooks(
  catalog: Catalog, tables: ReadonlyMap<string, CatalogTable>, summaries?: { storage: ObjectStorage; runLog: RunLog; log: Logger },
): MaterializeHooks {
  return {
    // Every run's summary goes to meta/runs/<run id>.json, whoever started it (the CLI, `cbbd serve`, a schedule).
    ...(summaries && {
      afterRun: async (runId: string) => {
        const report = await buildRunReport(summaries.runLog, runId);
        if (report) summaries.log.debug({ key: await writeRunSummary(summaries.storage, report) }, 'run summary written');
      },
    }),
    aroundCompute: (asset, partitions, compute, runId) => runScope.run(runId, () => fetchScope.run({ asset: asset.key, partitions }, compute)),
    afterCommit: async (asset, output) => {
      const table = tables.get(asset.key);
      if (!table || catalog === duckdbCatalog) return;
      if (output.tablePartitions?.length) await catalog.addPartitions(table, output.tablePartitions);
    },
  };
}
