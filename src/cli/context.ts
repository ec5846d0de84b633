/**
 * What every command needs, built from config: the logger, the drivers, the source, the project's graph, the run log
 * and the project as the kernel runs it (with its hooks); and the housekeeping a writing command does first. The one
 * place the CLI wires the kernel to the project's assets (loaded by project-module.ts, hooked by project-hooks.ts).
 */
import { tmpdir } from 'node:os';
import type { CheckpointStore } from '../core/checkpoints.ts';
import { buildAssetGraph, type AssetGraph } from '../core/graph.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { SeasonWindow } from '../core/partitions.ts';
import { RunLog } from '../store/run-log.ts';
import type { Project } from '../core/run-selection.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { seasonWindow } from '../config/season-range.ts';
import { commandClock } from '../core/clock.ts';
import { cbbdSource, type CbbdSource } from '../cbbd/source.ts';
import { debuggingSource, sourceSettings } from './source-wiring.ts';
import { loadProject, type ProvidedResources } from './project-module.ts';
import { projectHooks, runScope } from './project-hooks.ts';
import { DeadLetterStore } from '../cbbd/dead-letter-store.ts';
import { catalogTables, type Catalog } from '../lake/catalog/catalog.ts';
import { openDrivers, type Drivers } from './drivers.ts';
import type { ProjectExtensions, ProvidedCommandContext } from './project-extensions.ts';
import { formatTable } from './format.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import { sweepScratchDirs } from '../lake/scratch-dirs.ts';

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

