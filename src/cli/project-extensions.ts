/**
 * What the project module may add to the orchestrator beside its assets (`extensions`, exported next to
 * `createAssets`): commands of its own (`cbbd gaps`) and the domain reads the page uses (the rating chart's history,
 * the backtest panel's rows). src/ never imports the project, so the project declares what it asks for and exports
 * (assets/extensions.ts) and a type test holds the two together (test/assets/extensions-contract.test.ts), as for
 * the resources `createAssets` is handed.
 *
 * Light on purpose: main.ts imports it only to run a command that is not one of its own, before any driver is open.
 */
import type { AssetGraph } from '../core/graph.ts';
import type { Logger } from '../core/logger.ts';
import type { SeasonWindow } from '../core/partitions.ts';
import { DefinitionError } from '../core/errors.ts';
import type { CbbdSource } from '../cbbd/source.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';
import type { PreviewLake } from '../lake/query/preview.ts';
import type { BacktestAnswer, DataAnswer, ServerDeps } from '../server/app.ts';
import type { RunLog } from '../store/run-log.ts';
import { importUserModule, moduleExists } from './load-module.ts';

/** What a project command is handed: what it reads (the graph, the lakehouse, the run log) and how it prints. */
export interface ProvidedCommandContext {
  readonly graph: AssetGraph;
  readonly window: SeasonWindow;
  readonly storage: ObjectStorage;
  readonly runLog: RunLog;
  readonly log: Logger;
  /**
   * The run's source (same key, limits, retries and ledger) without a dead-letter sink: calls made to look at the
   * API leave nothing in the lakehouse. The caller closes it.
   */
  debuggingSource(): CbbdSource;
  /** A plain-text table, as every command prints one. */
  formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string;
}

/** One option of a project command, as commander takes it: `--season <season>`, `--check`. */
export interface ProjectCommandOption {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
}

/** A command the project adds to `cbbd`: registered by main.ts with its options, run with a command's context. */
export interface ProjectCommand {
  readonly name: string;
  readonly description: string;
  readonly options?: readonly ProjectCommandOption[];
  /** It changes the lakehouse or the run log (in the cloud it must hold the run-log lease). Default: read-only. */
  readonly writes?: boolean;
  /** The exit code: 0 success, 1 something failed; a usage error is thrown (`UsageError`), and exits 2. */
  readonly run: (ctx: ProvidedCommandContext, options: Readonly<Record<string, unknown>>) => Promise<number>;
}

/** The page's domain reads, each validating what it is given (a usage error otherwise). */
export interface ProjectQueries {
  /** The rating chart's series (`GET /api/assets/:layer/:name/rating-history`), read as `cbbd show` reads. */
  readonly ratingHistory?: (lake: PreviewLake, request: { asset: string; season?: string | undefined; teams?: string | undefined }) => Promise<DataAnswer>;
  /**
   * The backtest panel's rows (`GET /api/backtest`), through `cbbd show`'s preview; undefined when this graph has no
   * backtest to read.
   */
  readonly backtest?: (reads: BacktestReads, request: { season?: string | undefined }) => Promise<BacktestAnswer | undefined>;
}

/** What the backtest read is given: the graph (which tables exist) and the preview of a table's rows. */
export interface BacktestReads {
  readonly graph: Pick<AssetGraph, 'has'>;
  readonly preview: NonNullable<ServerDeps['preview']>;
}

export interface ProjectExtensions {
  readonly commands?: readonly ProjectCommand[];
  readonly queries?: ProjectQueries;
}

/** What `extensions` the module exports, checked for the shape main.ts relies on; none when it exports none. */
export function projectExtensionsOf(path: string, module: { extensions?: unknown }): ProjectExtensions {
  const extensions = module.extensions;
  if (extensions === undefined) return {};
  const commands = (extensions as ProjectExtensions | null)?.commands;
  const bad = typeof extensions !== 'object' || extensions === null || (commands !== undefined && (!Array.isArray(commands) ||
    commands.some((c: Partial<ProjectCommand> | null) => typeof c?.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(c.name) || typeof c.description !== 'string' || typeof c.run !== 'function')));
  if (bad) throw new DefinitionError(`${path} exports "extensions" that are not { commands?: [{ name, description, options?, run(ctx, options) }], queries? } (see docs/assets.md, "A command of the project").`);
  return extensions as ProjectExtensions;
}

/**
 * The project module's extensions, without creating its assets or opening anything: what main.ts needs to register
 * the project's commands. A module that does not exist has none (commander then says the command is unknown).
 */
export async function loadProjectExtensions(path: string): Promise<ProjectExtensions> {
  if (!moduleExists(path)) return {};
  let module: { extensions?: unknown };
  try {
    module = (await importUserModule(path)) as typeof module;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new DefinitionError(`${path} could not be loaded as the assets module (${first}). Point "assets" in config.yaml or --assets at a TypeScript or JavaScript module that exports createAssets(resources) or "assets".`);
  }
  return projectExtensionsOf(path, module);
}
