/**
 * A lease held by one process at a time, as one DynamoDB item (the cloud run log's, in the checkpoint table).
 *
 * Why a heartbeat and not one long lease: a command killed with SIGKILL (kill -9, the OOM killer, a stopped ECS task)
 * never releases what it holds, and a 12-hour lease made one crashed nightly block the next ones for half a day. So
 * the holder records its host, pid and start, and renews a short expiry while it runs. A newcomer takes the lease over
 * at once when the holder is a process of its own host that is gone, and from any host once the heartbeat has
 * stopped; a live holder refuses it, named. Every take is a conditional write (on "no item or expired", or on exactly
 * the holder judged dead), so of two newcomers only one can win.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ExecutionError, RefusedError, StorageError } from '../core/errors.ts';
import { parseStamp, stampText, writerGone } from '../core/process-alive.ts';

/** Renewed this often while the command runs (on the event loop, so a step blocking it for minutes would let it lapse). */
export const LEASE_HEARTBEAT_MS = 60_000;
/** A holder whose heartbeat is older than this is presumed dead on any host: five missed beats, not a slow request. */
export const LEASE_EXPIRY_MS = 5 * 60_000;

export interface LeaseOptions {
  readonly dynamo: DynamoDBClient;
  readonly table: string;
  readonly key: Record<string, AttributeValue>;
  /** What the lease guards, for messages: "the cloud run log". */
  readonly what: string;
  readonly heartbeatMs?: number;
  readonly expiryMs?: number;
  readonly now?: () => number;
}

/** Who holds a lease, as stored. */
export interface LeaseHolder {
  readonly holder: string;
  readonly host: string;
  /**
   * The holder's stamp (`stampText`: pid, start time, host and pid namespace): containers may share a host name (host
   * networking) without sharing pids, and a pid is reused. Undefined for an item written before stamps.
   */
  readonly process: string | undefined;
  readonly pid: number;
  readonly since: number;
  readonly heartbeatAt: number;
  readonly expiresAt: number;
}

export interface HeldLease {
  readonly holder: LeaseHolder;
  /** Renew now and confirm the lease is still ours; throws, naming the new holder, when another process took it over. */
  confirm(): Promise<void>;
  /** Stop the heartbeat and delete the item if it is still ours. */
  release(): Promise<void>;
}

function holderOf(item: Record<string, AttributeValue>): LeaseHolder {
  const since = Number(item.since?.N ?? 0);
  return {
    holder: item.holder?.S ?? '?', host: item.host?.S ?? '?', process: item.process?.S, pid: Number(item.pid?.N ?? 0), since,
    // Leases written before heartbeats existed have neither: their start is their last sign of life.
    heartbeatAt: Number(item.heartbeat_at?.N ?? since), expiresAt: Number(item.expires_at?.N ?? 0),
  };
}

/**
 * A holder that cannot be running any more: by the one rule of process-alive.ts, a process of this very host and pid
 * namespace that is gone (or whose pid now runs another process). Expiry, on any host, is the put's own condition.
 */
function holderIsDeadHere(held: LeaseHolder): boolean {
  const stamp = parseStamp(held.process);
  return stamp !== undefined && writerGone(stamp);
}

const iso = (ms: number) => new Date(ms).toISOString();

function refusal(what: string, held: LeaseHolder): RefusedError {
  return new RefusedError(
    `Another run holds ${what}: ${held.host} (pid ${held.pid}) since ${iso(held.since)}, last heartbeat ${iso(held.heartbeatAt)}. ` +
    `Wait for that run to end. If that process is gone, the next command takes the lease over at once on ${held.host}, ` +
    `or from any host after ${iso(held.expiresAt)} (when its heartbeat has stopped).`,
  );
}

/** Take the lease, taking it over from a dead holder; refused, naming the holder, while a live one has it. */
export async function takeLease(options: LeaseOptions): Promise<HeldLease> {
  const { dynamo, table, key, what } = options;
  const now = options.now ?? Date.now;
  const heartbeatMs = options.heartbeatMs ?? LEASE_HEARTBEAT_MS;
  const expiryMs = options.expiryMs ?? LEASE_EXPIRY_MS;
  const since = now();
  const me: LeaseHolder = {
    holder: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, host: hostname(), process: stampText(), pid: process.pid,
    since, heartbeatAt: since, expiresAt: since + expiryMs,
  };
  const item = {
    ...key, holder: { S: me.holder }, host: { S: me.host }, process: { S: stampText() }, pid: { N: String(me.pid) },
    since: { N: String(since) }, heartbeat_at: { N: String(since) }, expires_at: { N: String(me.expiresAt) },
  };
  const put = async (condition: string, values: Record<string, AttributeValue>): Promise<boolean> => {
    try {
      await dynamo.send(new PutItemCommand({ TableName: table, Item: item, ConditionExpression: condition, ExpressionAttributeValues: values }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw leaseCallFailed('PutItem', table, error);
    }
  };

  // Three rounds: the holder may release or change between our write and our read; past that, someone is there.
  let held: LeaseHolder | undefined;
  for (let round = 0; round < 3; round++) {
    if (await put('attribute_not_exists(holder) OR expires_at < :now', { ':now': { N: String(now()) } })) return heldLease(options, me, heartbeatMs, expiryMs, now);
    const stored = (await dynamo.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
    if (!stored) continue;
    held = holderOf(stored);
    // Our own write, applied though its answer was lost (the SDK retried it, and the retry found the condition false).
    if (held.holder === me.holder) return heldLease(options, me, heartbeatMs, expiryMs, now);
    if (!holderIsDeadHere(held)) throw refusal(what, held);
    // Conditional on the very holder judged dead: a second newcomer that judged the same finds it replaced and loses.
    if (await put('holder = :dead', { ':dead': { S: held.holder } })) return heldLease(options, me, heartbeatMs, expiryMs, now);
  }
  throw held ? refusal(what, held) : new ExecutionError(`Could not take the lease on ${what}: it kept changing hands. Try again.`);
}

/**
 * A lease call that failed for another reason than its condition, named by its action: a role without
 * `dynamodb:UpdateItem` must say so, not fail the night with the SDK's bare "UnknownError".
 */
function leaseCallFailed(action: string, table: string, error: unknown): StorageError {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const why = `${(error as Error).name}: ${(error as Error).message}${status ? ` (HTTP ${status})` : ''}`;
  return new StorageError(`[lease:dynamodb] ${action} on table ${table} failed: ${why}. Check the table exists and the credentials may call dynamodb:${action} on it.`, { cause: error });
}

function heldLease(options: LeaseOptions, me: LeaseHolder, heartbeatMs: number, expiryMs: number, now: () => number): HeldLease {
  const { dynamo, table, key, what } = options;
  let lostTo: string | undefined;
  const renew = async (): Promise<void> => {
    if (lostTo) return;
    const at = now();
    try {
      await dynamo.send(new UpdateItemCommand({
        TableName: table, Key: key,
        UpdateExpression: 'SET heartbeat_at = :at, expires_at = :expires', ConditionExpression: 'holder = :me',
        ExpressionAttributeValues: { ':at': { N: String(at) }, ':expires': { N: String(at + expiryMs) }, ':me': { S: me.holder } },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw leaseCallFailed('UpdateItem', table, error);
      const stored = (await dynamo.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
      const taker = stored && holderOf(stored);
      lostTo = taker ? `${taker.host} (pid ${taker.pid}) since ${iso(taker.since)}` : 'a command that has since released it';
    }
  };
  // A failed beat (a network blip) is retried by the next one; only five missed in a row let the lease lapse.
  const timer = setInterval(() => void renew().catch(() => undefined), heartbeatMs);
  timer.unref(); // the heartbeat alone must not keep a finished command alive
  return {
    holder: me,
    async confirm() {
      await renew();
      if (lostTo) {
        throw new ExecutionError(
          `This command lost its lease on ${what} to ${lostTo}: its heartbeat stopped for ` +
          `${Math.round(expiryMs / 1000)} s (the event loop was blocked or DynamoDB was unreachable). Its data is stored; the next run re-plans it.`,
        );
      }
    },
    async release() {
      clearInterval(timer);
      await dynamo.send(new DeleteItemCommand({
        TableName: table, Key: key, ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': { S: me.holder } },
      })).catch(() => undefined); // not ours any more, or unreachable: it expires by itself
    },
  };
}
