/**
 * What a chaos scenario made of kill chains adds up to (the local and the cloud crash scenarios count the same way):
 * the runs and their time, the kills, and each chain's outcome once its plain re-run is compared with the clean run;
 * and the scenario's row of the table.
 */
import type { Difference } from '../test/reliability/_chaos-kit.ts';

export interface Row { scenario: string; faults: string; runs: number; rowsLost: number; duplicates: number; recovered: string; extra: string }

/** Time beyond the clean run's, signed: a chain of killed runs and its re-run may take less than clean runs would. */
export function signedSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${seconds < 0 ? '−' : '+'}${Math.abs(seconds)} s`;
}

export class ChainTally {
  kills = 0;
  chains = 0;
  runs = 0;
  private ms = 0;
  private recovered = 0;
  private rowsLost = 0;
  private duplicates = 0;

  /** A new chain; returns its number (1, 2, ...). */
  startChain(): number {
    return ++this.chains;
  }

  /** A run of the scenario ended, after `ms`. */
  ran(ms: number): void {
    this.runs++;
    this.ms += ms;
  }

  /** A chain's re-run compared with the clean run; `recovered` when everything the scenario checks was as clean. */
  chainEnded(difference: Difference, recovered: boolean): void {
    if (recovered) this.recovered++;
    this.rowsLost += difference.rowsLost;
    this.duplicates += difference.duplicates;
  }

  row(scenario: string, faults: string, cleanMs: number): Row {
    return {
      scenario, faults, runs: this.runs, rowsLost: this.rowsLost, duplicates: this.duplicates,
      recovered: `${this.recovered}/${this.chains} chains`, extra: signedSeconds(this.ms - this.chains * cleanMs),
    };
  }
}
