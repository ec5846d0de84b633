/**
 * SQLite checkpoint store (the embedded default): one row per unit of fetching, keyed like the DynamoDB table
 * (`endpoint`, `parameter_hash`). A write with a lower sequence than the stored one changes nothing, in one
 * statement, so a checkpoint never moves backwards even with two writers.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { useWriteAheadLog } from '../../core/sqlite-wal.ts';
import type { CheckpointStore, SourceCheckpoint } from '../../core/checkpoints.ts';

export const DRIVER_NAME = 'sqlite';

interface Row {
  endpoint: string; parameter_hash: string; asset: string; partition_key: string; status: string; attempts: number;
  last_success_at: number | null; content_hash: string | null; complete: number; settled: number; sequence: number;
}

export function sqliteCheckpoints(path: string): CheckpointStore {
  if (path !== ':memory:') {
    // Made readable by this user only, as the run log is (SQLite gives its -wal and -shm files the same mode).
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path);
  useWriteAheadLog(db);
  db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
    endpoint TEXT NOT NULL, parameter_hash TEXT NOT NULL, asset TEXT NOT NULL, partition_key TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL, last_success_at INTEGER, content_hash TEXT, complete INTEGER NOT NULL, settled INTEGER NOT NULL,
    sequence INTEGER NOT NULL, PRIMARY KEY (endpoint, parameter_hash))`);
  const upsert = db.prepare(`INSERT INTO checkpoints VALUES (@endpoint, @parameter_hash, @asset, @partition_key, @status, @attempts, @last_success_at,
      @content_hash, @complete, @settled, @sequence)
    ON CONFLICT (endpoint, parameter_hash) DO UPDATE SET asset = excluded.asset, partition_key = excluded.partition_key, status = excluded.status,
      attempts = excluded.attempts, last_success_at = excluded.last_success_at, content_hash = excluded.content_hash, complete = excluded.complete,
      settled = excluded.settled, sequence = excluded.sequence
    WHERE excluded.sequence > checkpoints.sequence`);
  const select = db.prepare<[string, string], Row>('SELECT * FROM checkpoints WHERE endpoint = ? AND parameter_hash = ?');
  const settled = db.prepare<[], { asset: string; partition_key: string }>('SELECT DISTINCT asset, partition_key FROM checkpoints WHERE settled = 1');
  return {
    driverName: DRIVER_NAME,
    async get(endpoint, parameterHash) {
      const row = select.get(endpoint, parameterHash);
      return row && {
        endpoint: row.endpoint, parameterHash: row.parameter_hash, asset: row.asset, partition: row.partition_key,
        status: row.status as SourceCheckpoint['status'], attempts: row.attempts, lastSuccessAt: row.last_success_at, contentHash: row.content_hash,
        complete: row.complete === 1, settled: row.settled === 1, sequence: row.sequence,
      };
    },
    async put(c) {
      return upsert.run({
        endpoint: c.endpoint, parameter_hash: c.parameterHash, asset: c.asset, partition_key: c.partition, status: c.status, attempts: c.attempts,
        last_success_at: c.lastSuccessAt, content_hash: c.contentHash, complete: c.complete ? 1 : 0, settled: c.settled ? 1 : 0, sequence: c.sequence,
      }).changes === 1;
    },
    async settledPartitions(assets) {
      const wanted = new Set(assets);
      const out = new Map<string, Set<string>>();
      for (const r of settled.all()) {
        if (!wanted.has(r.asset)) continue;
        let set = out.get(r.asset);
        if (!set) out.set(r.asset, (set = new Set()));
        set.add(r.partition_key);
      }
      return out;
    },
    async close() {
      db.close();
    },
  };
}
