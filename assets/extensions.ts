/**
 * What the project adds to `cbbd` beside its assets, exported by assets/index.ts as `extensions`: its commands
 * (`cbbd gaps`) and the page's domain reads (the rating chart's history, the backtest panel's rows). The CLI loads
 * them from the project module named in config.yaml; what it hands a command (`ProvidedCommandContext`,
 * src/cli/project-extensions.ts) is held to what a command here asks for (`ProjectCommandContext`) by a type test
 * (test/assets/extensions-contract.test.ts). Each command's and query's code is imported when it runs: every command
 * imports this module, so it stays light.
 */
import type { AssetGraph } from '../src/core/graph.ts';
import type { SeasonWindow } from '../src/core/partitions.ts';
import type { PartitionRecords } from '../src/core/state.ts';
import type { CbbdSource } from '../src/cbbd/source.ts';
import type { ObjectStorage } from '../src/lake/storage/storage.ts';
import type { PreviewLake } from '../src/lake/query/preview.ts';
import type { GapsOptions } from './commands/gaps.ts';
import type { RatingHistory, RatingHistoryRequest } from './queries/rating-history.ts';
import type { BacktestReads, RatingsBacktest } from './queries/backtest.ts';

/** What a command of the project reads and prints with. */
export interface ProjectCommandContext {
  readonly graph: Pick<AssetGraph, 'has' | 'get'>;
  readonly window: SeasonWindow;
  readonly storage: ObjectStorage;
  readonly runLog: { loadPartitionRecords(assetKeys?: readonly string[]): ReadonlyMap<string, PartitionRecords> };
  /** The run's source without a dead-letter sink (calls recorded in the ledger, nothing written); the caller closes it. */
  debuggingSource(): CbbdSource;
  formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string;
}

export interface ProjectCommandOption {
  /** As commander takes them: `--season <season>`, `--check`. */
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
}

export interface ProjectCommand {
  readonly name: string;
  readonly description: string;
  readonly options?: readonly ProjectCommandOption[];
  readonly writes?: boolean;
  readonly run: (ctx: ProjectCommandContext, options: Readonly<Record<string, unknown>>) => Promise<number>;
}

export interface ProjectExtensions {
  readonly commands: readonly ProjectCommand[];
  readonly queries: {
    readonly ratingHistory: (lake: PreviewLake, request: RatingHistoryRequest) => Promise<RatingHistory>;
    readonly backtest: (reads: BacktestReads, request: { season?: string | undefined }) => Promise<RatingsBacktest | undefined>;
  };
}

export const extensions: ProjectExtensions = {
  commands: [
    {
      name: 'gaps',
      description: 'final games missing plays, substitutions or lineups in the lakehouse, and whether the API has them',
      options: [
        { flags: '--season <season>', description: 'one season, e.g. 2024 (default: every season whose games are built)' },
        { flags: '--check', description: 'ask the API about the games nobody asked yet (one call per game, at most --limit)' },
        { flags: '--limit <n>', description: 'API calls --check may make', defaultValue: '25' },
        { flags: '--json', description: 'print JSON' },
      ],
      run: async (ctx, options) => (await import('./commands/gaps.ts')).gapsCommand(ctx, options as GapsOptions),
    },
  ],
  queries: {
    ratingHistory: async (lake, request) => (await import('./queries/rating-history.ts')).ratingHistory(lake, request),
    backtest: async (reads, request) => (await import('./queries/backtest.ts')).ratingsBacktest(reads, request),
  },
};
