/**
 * What every command needs, built from config: the logger, the asset graph, the run log and the planner state.
 * The one place the CLI wires the kernel to the project's assets.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { AssetDefinition } from '../core/asset.ts';
import { noCheckpoints, type CheckpointStore } from '../core/checkpoints.ts';
import { ConfigError, DefinitionError } from '../core/errors.ts';
import { buildAssetGraph, type AssetGraph } from '../core/graph.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { SeasonWindow } from '../core/partitions.ts';
import { RunLog } from '../core/run-log/run-log.ts';
import type { PlannerState } from '../core/state.ts';
import { loadConfig, type Config } from '../config/config.ts';

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
  close(): Promise<void>;
}

export async function openContext(options: GlobalOptions): Promise<CommandContext> {
  const config = loadConfig(options.config);
  const log = createLogger();
  const graph = buildAssetGraph(await loadAssetDefinitions(options.assets ?? config.assets));
  const runLog = await RunLog.open(config.runLog.path);
  const checkpoints = noCheckpoints;
  const window: SeasonWindow = {
    firstSeason: config.seasons.first,
    lastSeason: config.seasons.last,
    start: config.seasons.windowStart,
    end: config.seasons.windowEnd,
  };
  return {
    config, log, graph, window, runLog, checkpoints,
    async close() {
      await checkpoints.close();
      await runLog.close();
    },
  };
}

/** Import the module that declares the assets: it exports `assets` (an array) or a default array. */
export async function loadAssetDefinitions(path: string): Promise<AssetDefinition[]> {
  if (!existsSync(path)) throw new ConfigError(`The assets module ${path} does not exist: set "assets" in config.yaml or pass --assets.`);
  const module = (await import(pathToFileURL(path).href)) as { assets?: unknown; default?: unknown };
  const assets = module.assets ?? module.default;
  if (!Array.isArray(assets)) throw new DefinitionError(`${path} must export "assets", an array of defineAsset(...) results.`);
  return assets as AssetDefinition[];
}

/** Load the planner's view of the world in three bulk reads. */
export async function loadPlannerState(ctx: CommandContext, now = new Date()): Promise<PlannerState> {
  ctx.runLog.recoverOrphans();
  return {
    now,
    records: ctx.runLog.loadPartitionRecords(),
    calendars: ctx.runLog.loadCalendars(),
    settled: await ctx.checkpoints.settledPartitions(ctx.graph.order),
    builtInputs: (asset, partition) => ctx.runLog.builtInputs(asset, partition),
  };
}
