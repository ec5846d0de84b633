/**
 * What every command needs, built from config: the logger, the asset graph, the run log and the planner state.
 * The one place the CLI wires the kernel to the project's assets.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { tmpdir } from 'node:os';
import type { AssetDefinition } from '../core/asset.ts';
import type { CheckpointStore } from '../core/checkpoints.ts';
import { ConfigError, DefinitionError } from '../core/errors.ts';
import { buildAssetGraph, type AssetGraph } from '../core/graph.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { SeasonWindow } from '../core/partitions.ts';
import { RunLog } from '../store/run-log.ts';
import { buildRunReport } from '../store/run-report.ts';
import type { MaterializeHooks } from '../core/materializer.ts';
import type { Project } from '../core/run-selection.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { seasonWindow } from '../config/season-range.ts';
import { commandClock } from '../core/clock.ts';
import { cbbdSource, type CbbdSource, type SourceSettings } from '../cbbd/source.ts';
import { builtInSimulator } from './built-in-simulator.ts';
import { fetchScope } from '../cbbd/dead-letters.ts';
import { DeadLetterStore } from '../cbbd/dead-letter-store.ts';
import { catalogTables, type Catalog, type CatalogTable } from '../lake/catalog/catalog.ts';
import { duckdbCatalog } from '../lake/catalog/duckdb.ts';
import { openDrivers, type Drivers } from './drivers.ts';
import { importUserModule, moduleExists } from './load-module.ts';
import { projectExtensionsOf, type ProjectExtensions, type ProvidedCommandContext } from './project-extensions.ts';
import { formatTable } from './format.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import { writeRunSummary } from './run-summaries.ts';
import { sweepScratchDirs } from '../lake/scratch-dirs.ts';

/**
 * What the project module's `createAssets(resources)` is handed: the drivers and settings its assets use. The project
 * declares what it needs (`ProjectResources`, assets/resources.ts); src/ never imports the project, so a test holds the
 * two together (test/assets/resources-contract.test.ts).
 */
export interface ProvidedResources {
  readonly source: CbbdSource;
  readonly storage: ObjectStorage;
  readonly checkpoints: CheckpointStore;
  readonly window: SeasonWindow;
  readonly gameCap: number;
  readonly now: () => Date;
  readonly rollingDays: number;
  readonly divisionOneTeams: number | undefined;
  readonly gold: Config['gold'];
}

export interface GlobalOptions {
  config?: string;
  assets?: string;
}

export interface CommandContext {
  readonly config: Config;
  readonly log: Logger;
  readonly graph: AssetGraph;
  readonly window: SeasonWindow;
  readonly runLog: RunLog;
  readonly checkpoints: CheckpointStore;
  readonly source: CbbdSource;
  readonly storage: ObjectStorage;
  readonly deadLetters: DeadLetterStore;
  readonly catalog: Catalog;
  readonly drivers: Drivers;
  /** What selections are planned and run against (see `core/run-selection.ts`), with this project's hooks. */
  readonly project: Project;
  /** What the project module adds beside its assets: its commands, the page's domain reads (none when it exports none). */
  readonly extensions: ProjectExtensions;
  close(): Promise<void>;
}

/** The API source as config describes it (key, address, limits, retries, the simulator); every command's, and `cbbd fetch`'s. */
export function sourceSettings(config: Config): SourceSettings {
  return {
    apiKey: config.apiKey,
    baseUrl: config.source.baseUrl,
    baseUrlOverridden: Boolean(process.env.CBBD_API_BASE_URL?.trim()),
    requestsPerSecond: config.source.requestsPerSecond,
    maxInFlight: config.source.maxInFlight,
    timeoutMs: config.source.timeoutMs,
    retries: config.source.retries,
    simulator: builtInSimulator(config.simulator),
  };
}

/**
 * The run's source (same key, limits, retries and ledger) without a dead-letter sink: a call made to look at the
 * API (`cbbd fetch`, a project command's) leaves nothing in the lakehouse.
 */
export function debuggingSource(ctx: Pick<CommandContext, 'config' | 'log' | 'runLog'>): CbbdSource {
  return cbbdSource(sourceSettings(ctx.config), ctx.log, undefined, undefined, (name, call) => ctx.runLog.recordApiCall({ source: name, ...call }));
}

/** What a command of the project is handed (`project-extensions.ts`): a command's context, narrowed. */
export function projectCommandContext(ctx: CommandContext): ProvidedCommandContext {
  return {
    graph: ctx.graph, window: ctx.window, storage: ctx.storage, runLog: ctx.runLog, log: ctx.log,
    debuggingSource: () => debuggingSource(ctx),
    formatTable,
  };
}

export async function openContext(options: GlobalOptions, access: { writes: boolean } = { writes: false }): Promise<CommandContext> {
  const config = loadConfig(options.config);
  const log = createLogger();
  const { window, notice } = seasonWindow(config.seasons, commandClock());
  // A fixed seasons.last that caps the season in progress is said before anything else, by every command whose
  // arguments name `current` (--season current, --seasons 2020-current): what it means is what changed.
  if (notice && process.argv.slice(2).some((arg) => /current/i.test(arg))) process.stderr.write(`${notice}\n`);
  const drivers = await openDrivers(config);
  const { storage, checkpoints, catalog } = drivers;
  const deadLetters = new DeadLetterStore(storage);
  // Every call goes to the run log's ledger (`cbbd quota`); calls are made only once the run log is open.
  const ledger: { runLog?: RunLog } = {};
  // Each call is recorded with the run it was made for (runScope, set around every compute by projectHooks).
  const source = cbbdSource(sourceSettings(config), log, deadLetters.sink, deadLetters.resolved, (name, call) => ledger.runLog?.recordApiCall({ source: name, ...call, runId: runScope.getStore() ?? null }));
  // Which source this command would call, before anything else is printed.
  process.stderr.write(`${source.description}\n`);
  const resources: ProvidedResources = {
    source,
    storage,
    window,
    gameCap: source.kind === 'simulator' ? config.simulator.gameCap : 3_000,
    rollingDays: config.source.rollingDays,
    divisionOneTeams: source.divisionOneTeams,
    checkpoints,
    now: commandClock,
    gold: config.gold,
  };
  const { definitions, extensions } = await loadProject(options.assets ?? config.assets, resources);
  const tables = catalogTables(definitions);
  const tableOf = new Map(tables.map((t) => [t.key, t]));
  const graph = buildAssetGraph(definitions);
  const home = await drivers.openRunLogHome(access.writes);
  const runLog = await RunLog.open(config.runLog.path);
  ledger.runLog = runLog;
  if (access.writes) {
    await catalog.register(tables);
    // A write that died between staging and swap left its staging behind; the README promises tmp/ stays empty.
    // Housekeeping: a storage that refuses the sweep (a missing list permission on tmp/) must not stop the command.
    // In the cloud, S3 cannot say whether a writer is alive, but the lease can: its holder is the bucket's only
    // writer, so all of tmp/ was left by writers that died (a kill -9 need not wait for the staging to age).
    const swept = await storage.sweepStaging(home?.soleWriter ? Number.POSITIVE_INFINITY : undefined).catch((error: unknown) => {
      log.warn({ err: error }, 'could not sweep tmp/ of staging left by writes that died');
      return 0;
    });
    if (swept) log.info({ swept }, `removed ${swept} staging folder(s) left in tmp/ by a write that did not finish`);
    // And the scratch folders in the OS temp folder of processes that were killed (see lake/scratch-dirs.ts).
    const scratch = await sweepScratchDirs();
    if (scratch) log.info({ scratch }, `removed ${scratch} scratch folder(s) left in ${tmpdir()} by processes that are gone`);
  }
  const project: Project = {
    graph, runLog, checkpoints, window, log, rollingDays: config.source.rollingDays,
    materialize: { concurrency: config.materialize.concurrency, retries: config.materialize.retries, eventRetentionDays: config.runLog.eventRetentionDays },
    hooks: projectHooks(catalog, tableOf, { storage, runLog, log }),
  };
  let closing: Promise<void> | undefined;
  return {
    config, log, graph, window, runLog, checkpoints, source, storage, deadLetters, catalog, drivers, project, extensions,
    // Once: a command stopped by a signal closes while its own `finally` may close too.
    close() {
      closing ??= (async () => {
        await source.close();
        await checkpoints.close();
        await runLog.close();
        await home?.close();
      })();
      return closing;
    },
  };
}

/** The run a compute belongs to, while it runs: the ledger records each API call with it. */
const runScope = new AsyncLocalStorage<string | undefined>();

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

/**
 * Import the module that declares the assets: it exports `createAssets(resources)` (the project's graph) or
 * `assets`, an array (a self-contained graph, as in the tests), and perhaps `extensions` (its commands and the page's
 * domain reads, `project-extensions.ts`).
 */
export async function loadProject(path: string, resources: ProvidedResources): Promise<{ definitions: AssetDefinition[]; extensions: ProjectExtensions }> {
  if (!moduleExists(path)) throw new ConfigError(`The assets module ${path} does not exist: set "assets" in config.yaml or pass --assets.`);
  let module: { createAssets?: unknown; assets?: unknown; default?: unknown; extensions?: unknown };
  try {
    module = (await importUserModule(path)) as typeof module;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new DefinitionError(`${path} could not be loaded as the assets module (${first}). Point "assets" in config.yaml or --assets at a TypeScript or JavaScript module that exports createAssets(resources) or "assets".`);
  }
  const assets = typeof module.createAssets === 'function'
    ? (module.createAssets as (r: ProvidedResources) => unknown)(resources)
    : module.assets ?? module.default;
  if (!Array.isArray(assets)) throw new DefinitionError(`${path} must export createAssets(resources) or "assets", an array of defineAsset(...) results.`);
  return { definitions: assets as AssetDefinition[], extensions: projectExtensionsOf(path, module) };
}

