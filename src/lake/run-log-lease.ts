/**
 * The cloud run log: the same SQLite file as on a laptop, kept at `meta/runlog.sqlite` in the bucket. A command that
 * writes takes a lease in DynamoDB first (one item in the checkpoint table), downloads the file, and uploads it and
 * releases the lease when it ends; a second writer is refused with who holds the lease and since when. A lease
 * left by a task that died expires after `leaseHours`.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionError } from '../core/errors.ts';
import { ensureCheckpointTable } from './checkpoints/dynamodb.ts';
import type { ObjectStorage } from './storage/storage.ts';

export const RUN_LOG_KEY = 'meta/runlog.sqlite';
const LEASE_KEY = { endpoint: { S: '#lease' }, parameter_hash: { S: RUN_LOG_KEY } };

export interface CloudRunLog {
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
  readonly leaseHours?: number;
  readonly now?: () => number;
}

export async function openCloudRunLog(options: CloudRunLogOptions): Promise<CloudRunLog> {
  const now = options.now ?? Date.now;
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  if (options.writes) {
    await ensureCheckpointTable(options.dynamo, options.table);
    const since = now();
    try {
      await options.dynamo.send(new PutItemCommand({
        TableName: options.table,
        Item: {
          ...LEASE_KEY, holder: { S: holder }, host: { S: hostname() }, pid: { N: String(process.pid) },
          since: { N: String(since) }, expires_at: { N: String(since + (options.leaseHours ?? 12) * 3_600_000) },
        },
        ConditionExpression: 'attribute_not_exists(endpoint) OR expires_at < :now',
        ExpressionAttributeValues: { ':now': { N: String(since) } },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = (await options.dynamo.send(new GetItemCommand({ TableName: options.table, Key: LEASE_KEY, ConsistentRead: true }))).Item;
      throw new ExecutionError(
        `Another run holds the cloud run log: ${held?.host?.S ?? '?'} (pid ${held?.pid?.N ?? '?'}) since ${new Date(Number(held?.since?.N ?? 0)).toISOString()}. ` +
        `It is released when that run ends, or expires at ${new Date(Number(held?.expires_at?.N ?? 0)).toISOString()}.`,
      );
    }
  }
  const body = await options.storage.get(RUN_LOG_KEY);
  await mkdir(dirname(options.localPath), { recursive: true });
  if (body) {
    // A WAL left from an earlier command belongs to another copy of the file.
    await rm(`${options.localPath}-wal`, { force: true });
    await rm(`${options.localPath}-shm`, { force: true });
    await writeFile(options.localPath, body);
  }
  return {
    async close() {
      if (!options.writes) return;
      try {
        if (existsSync(options.localPath)) await options.storage.put(RUN_LOG_KEY, await readFile(options.localPath));
      } finally {
        await options.dynamo.send(new DeleteItemCommand({
          TableName: options.table, Key: LEASE_KEY, ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': { S: holder } },
        })).catch(() => undefined);
      }
    },
  };
}
