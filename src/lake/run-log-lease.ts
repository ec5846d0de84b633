/**
 * The cloud run log: the same SQLite file as on a laptop, kept at `meta/runlog.sqlite` in the bucket. A command that
 * writes takes a lease in DynamoDB first (one item in the checkpoint table), downloads the file, and uploads it and
 * releases the lease when it ends; a second writer is refused with who holds the lease and since when. The lease
 * beats while the command runs, so one left by a command that died is taken over (see dynamo-lease.ts): at once on
 * its own host, from anywhere once its heartbeat has stopped for five minutes. A command killed before its upload
 * leaves the previous file in the bucket: its run is simply absent, its partitions stale, and the next run redoes them.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureCheckpointTable } from './checkpoints/dynamodb.ts';
import { takeLease, type HeldLease } from './dynamo-lease.ts';
import type { ObjectStorage } from './storage/storage.ts';

export const RUN_LOG_KEY = 'meta/runlog.sqlite';
const LEASE_KEY = { endpoint: { S: '#lease' }, parameter_hash: { S: RUN_LOG_KEY } };

export interface CloudRunLog {
  /**
   * True when this command holds the lease: every command that writes the bucket takes it, so the holder is the
   * bucket's only writer and whatever is staged under tmp/ was left by one that died.
   */
  readonly soleWriter: boolean;
  /** Upload the file (when this command writes) and release the lease. */
  close(): Promise<void>;
}

export interface CloudRunLogOptions {
  readonly storage: ObjectStorage;
  readonly dynamo: DynamoDBClient;
  readonly table: string;
  /** Where the file is kept while the command runs. */
  readonly localPath: string;
  /** True for commands that write the run log (materialize, serve, replay): they need the lease. */
  readonly writes: boolean;
  /** The lease's heartbeat and expiry (see dynamo-lease.ts); tests shorten them. */
  readonly heartbeatMs?: number;
  readonly expiryMs?: number;
  readonly now?: () => number;
}

export async function openCloudRunLog(options: CloudRunLogOptions): Promise<CloudRunLog> {
  let lease: HeldLease | undefined;
  if (options.writes) {
    await ensureCheckpointTable(options.dynamo, options.table);
    lease = await takeLease({
      dynamo: options.dynamo, table: options.table, key: LEASE_KEY, what: 'the cloud run log',
      heartbeatMs: options.heartbeatMs, expiryMs: options.expiryMs, now: options.now,
    });
  }
  try {
    const body = await options.storage.get(RUN_LOG_KEY);
    await mkdir(dirname(options.localPath), { recursive: true, mode: 0o700 });
    if (body) {
      // A WAL left from an earlier command belongs to another copy of the file.
      await rm(`${options.localPath}-wal`, { force: true });
      await rm(`${options.localPath}-shm`, { force: true });
      await writeFile(options.localPath, body, { mode: 0o600 });
    }
  } catch (error) {
    await lease?.release();
    throw error;
  }
  return {
    soleWriter: lease !== undefined,
    async close() {
      if (!lease) return;
      try {
        // Upload only while the lease is still ours: a command that lost it would overwrite its taker's run log.
        await lease.confirm();
        if (existsSync(options.localPath)) await options.storage.put(RUN_LOG_KEY, await readFile(options.localPath));
      } finally {
        await lease.release();
      }
    },
  };
}
