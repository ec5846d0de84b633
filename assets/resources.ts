/** What the project's assets compute with: the CBBD source, the lakehouse storage, the season window, a clock. */
import type { CbbdSource } from '../src/cbbd/source.ts';
import type { CheckpointStore } from '../src/core/checkpoints.ts';
import type { SeasonWindow } from '../src/core/partitions.ts';
import type { ObjectStorage } from '../src/lake/storage/storage.ts';
import type { SolverParameters } from './gold/solver.ts';

export interface ProjectResources {
  readonly source: CbbdSource;
  readonly storage: ObjectStorage;
  /** Where each request's outcome is recorded (SQLite embedded, DynamoDB in the cloud). */
  readonly checkpoints: CheckpointStore;
  readonly window: SeasonWindow;
  /** Result cap of the game endpoints of the source in use (3,000 for the real API). */
  readonly gameCap: number;
  readonly now: () => Date;
  /** Days of recent games the API may still correct: re-fetched on every refresh (config `source.rollingDays`). */
  readonly rollingDays: number;
  /** Division I teams of the source, when it knows them before a call (the per-team endpoints' backfill estimate). */
  readonly divisionOneTeams?: number | undefined;
  /** The gold layer's model parameters (config `gold`); GOLD.md's defaults when absent. */
  readonly gold?: GoldParameters;
}

/** The gold layer's model parameters: the adjusted-efficiency solver's (GOLD.md). */
export type GoldParameters = SolverParameters;

/**
 * GOLD.md's defaults, for callers without a config (tests, benchmarks); config.ts's `gold:` defaults are these. Each
 * was chosen by gold/ratings_backtest over the simulator's seasons (docs/gold.md says which figures chose it).
 */
export const DEFAULT_GOLD: GoldParameters = {
  hca: 'auto', hcaPrior: 3.5, hcaPriorGames: 200, sosExponent: 1, tolerance: 0.001, maxIterations: 200, shrinkageGames: 0, priorGames: 5, priorRegression: 0.6,
  priorConferenceRegression: 0.9, freeThrowPriorAttempts: 200,
};

/**
 * A home court in points per 100 possessions each side, for what needs one fixed number (the home-court-corrected
 * rollup): the configured one, or with 'auto' the league prior at 68 possessions a game.
 */
export function fixedHca(gold: GoldParameters): number {
  return gold.hca === 'auto' ? Math.round((100 * gold.hcaPrior) / (2 * 68) * 100) / 100 : gold.hca;
}
