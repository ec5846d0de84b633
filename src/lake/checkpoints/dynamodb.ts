/**
 * DynamoDB checkpoint store: table `cbbd_checkpoints` (name from CBBD_CHECKPOINT_TABLE), partition key `endpoint`,
 * sort key `parameter_hash`. Every write is conditional on the stored sequence being lower, so a checkpoint never
 * moves backwards, whichever task writes last.
 */
import {
  ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ResourceNotFoundException,
  ScanCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { CheckpointStore, SourceCheckpoint } from '../../core/checkpoints.ts';
import { StorageError } from '../../core/errors.ts';
import { awsClientConfig, type AwsSettings } from '../aws.ts';

export const DRIVER_NAME = 'dynamodb';

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });

function toItem(c: SourceCheckpoint): Record<string, AttributeValue> {
  return {
    endpoint: s(c.endpoint), parameter_hash: s(c.parameterHash), asset: s(c.asset), partition_key: s(c.partition), status: s(c.status),
    attempts: n(c.attempts), last_success_at: c.lastSuccessAt === null ? { NULL: true } : n(c.lastSuccessAt),
    content_hash: c.contentHash === null ? { NULL: true } : s(c.contentHash), complete: { BOOL: c.complete }, settled: { BOOL: c.settled }, sequence: n(c.sequence),
  };
}

function fromItem(i: Record<string, AttributeValue>): SourceCheckpoint {
  return {
    endpoint: i.endpoint!.S!, parameterHash: i.parameter_hash!.S!, asset: i.asset!.S!, partition: i.partition_key!.S!,
    status: i.status!.S! as SourceCheckpoint['status'], attempts: Number(i.attempts!.N), lastSuccessAt: i.last_success_at?.N ? Number(i.last_success_at.N) : null,
    contentHash: i.content_hash?.S ?? null, complete: i.complete?.BOOL ?? false, settled: i.settled?.BOOL ?? false, sequence: Number(i.sequence!.N),
  };
}

/** Create the table when it does not exist (on-demand billing); an existing table is used as it is. */
export async function ensureCheckpointTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'endpoint', AttributeType: 'S' }, { AttributeName: 'parameter_hash', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'endpoint', KeyType: 'HASH' }, { AttributeName: 'parameter_hash', KeyType: 'RANGE' }],
    }));
  }
}

export function dynamoCheckpoints(table: string, settings: AwsSettings): CheckpointStore & { readonly client: DynamoDBClient } {
  const client = new DynamoDBClient(awsClientConfig(settings));
  let ready: Promise<void> | undefined;
  const init = () => (ready ??= ensureCheckpointTable(client, table).catch((error: unknown) => {
    ready = undefined;
    throw new StorageError(`[checkpoints:dynamodb] table ${table}: ${(error as Error).message}. Check the region and the credentials.`, { cause: error });
  }));
  return {
    driverName: DRIVER_NAME,
    client,
    async get(endpoint, parameterHash) {
      await init();
      const out = await client.send(new GetItemCommand({ TableName: table, Key: { endpoint: s(endpoint), parameter_hash: s(parameterHash) }, ConsistentRead: true }));
      return out.Item && fromItem(out.Item);
    },
    async put(c) {
      await init();
      try {
        await client.send(new PutItemCommand({
          TableName: table, Item: toItem(c),
          ConditionExpression: 'attribute_not_exists(endpoint) OR #sequence < :sequence',
          ExpressionAttributeNames: { '#sequence': 'sequence' }, ExpressionAttributeValues: { ':sequence': n(c.sequence) },
        }));
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async settledPartitions(assets) {
      await init();
      const wanted = new Set(assets);
      const out = new Map<string, Set<string>>();
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({
          TableName: table, FilterExpression: 'settled = :yes', ExpressionAttributeValues: { ':yes': { BOOL: true } },
          ProjectionExpression: 'asset, partition_key', ExclusiveStartKey: start,
        }));
        for (const item of page.Items ?? []) {
          const asset = item.asset?.S;
          if (!asset || !wanted.has(asset)) continue;
          let set = out.get(asset);
          if (!set) out.set(asset, (set = new Set()));
          set.add(item.partition_key!.S!);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },
    async close() {
      client.destroy();
    },
  };
}
