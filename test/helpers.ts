/** Shared test fixtures: a season window, temp dirs, a migrated run log, partition records. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import type { SeasonWindow } from '../src/core/partitions.ts';
import { RunLog } from '../src/store/run-log.ts';
import { hashInputs, type PartitionRecord } from '../src/core/state.ts';

export const window: SeasonWindow = { firstSeason: 2020, lastSeason: 2025, start: '11-01', end: '04-30' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A temp directory removed after the test. */
export function tempDir(prefix = 'cbbd-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real, migrated SQLite run log in a temp dir, closed after the test. */
export async function openRunLog(clock?: () => number): Promise<RunLog> {
  const log = await RunLog.open(join(tempDir(), 'runlog.sqlite'), clock ? { clock } : {});
  cleanups.push(() => log.close());
  return log;
}

/** A second handle on a run log's SQLite file, for tests that must reach past its API (simulate a crash, dump it). */
export function runLogFile(log: RunLog): Database.Database {
  const db = new Database(log.path);
  cleanups.push(() => void db.close());
  return db;
}

export function succeeded(dataVersion: string, extra: Partial<PartitionRecord> = {}): PartitionRecord {
  return {
    status: 'succeeded', dataVersion, codeVersion: '1', inputsHash: hashInputs('{}'), lastSuccessAt: Date.parse('2024-01-01T00:00:00Z'),
    lastAttemptAt: Date.parse('2024-01-01T00:00:00Z'), error: null, ...extra,
  };
}
