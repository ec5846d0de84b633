/** What the project's assets compute with: the CBBD source, the lakehouse storage, the season window, a clock. */
import type { CbbdSource } from '../src/cbbd/source.ts';
import type { CheckpointStore } from '../src/core/checkpoints.ts';
import type { SeasonWindow } from '../src/core/partitions.ts';
import type { ObjectStorage } from '../src/lake/storage/storage.ts';

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
}
