/**
 * The chaos kit's lab in cloud mode: the same `cbbd` command with its lakehouse in an S3 bucket, its checkpoints and
 * run-log lease in a DynamoDB table and its catalog in Glue (on the AWS emulator), and the same fingerprint read from
 * there, so a crashed-and-repaired bucket is compared with a clean run's exactly as a local lakehouse is.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, type AwsSettings } from '../../src/lake/aws.ts';
import { RUN_LOG_KEY } from '../../src/lake/run-log-lease.ts';
import { fileValue, isDataKey, lab, runLogState, type CbbdRun, type Fingerprint, type Lab } from './_chaos-kit.ts';

export interface CloudLab extends Lab {
  readonly bucket: string;
  readonly table: string;
  /** What the bucket, the table and the run log in `meta/` hold now. */
  fingerprint(): Promise<Fingerprint>;
  /**
   * Remove the local working copy of the run log, as a new ECS task starts without one: the next command then knows
   * only what the bucket's run log says, not what a killed command on this disk had written and never uploaded.
   */
  newTask(): void;
  /** Whether anything is staged under tmp/ (a partition being committed, or left by a writer that died). */
  staging(): Promise<boolean>;
  /** The highest checkpoint sequence (of the scan's first page: a lab's table is small); a checkpoint write raises it. */
  checkpointHighWater(): Promise<number>;
  /** The run-log lease's item, when one is held (or left behind). */
  lease(): Promise<Record<string, AttributeValue> | undefined>;
  close(): void;
}

/**
 * The labs' own region on the emulator. Glue's databases (cbbd_bronze, cbbd_silver, cbbd_gold) are one per region,
 * and a lab's tables pointing at its bucket would otherwise replace those of the cloud e2e test running beside it
 * (us-east-1), whose Glue locations and Athena answers must be its own.
 */
export const CLOUD_LAB_REGION = 'us-west-2';

/** A lab whose config points the drivers at `bucket` (created here) and `table` on the emulator at `aws.endpoint`. */
export async function cloudLab(dir: string, settings: AwsSettings & { endpoint: string }, bucket: string, table: string): Promise<CloudLab> {
  const aws = { ...settings, region: CLOUD_LAB_REGION };
  const base = lab(dir);
  const s3 = new S3Client(awsClientConfig(aws));
  const dynamo = new DynamoDBClient(awsClientConfig(aws));
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: CLOUD_LAB_REGION } }));
  const keys = async (prefix: string): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push(o.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  };
  const body = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
  const scan = async (): Promise<Record<string, AttributeValue>[]> => {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start })).catch((error: Error) => {
        if (error.name === 'ResourceNotFoundException') return { Items: [], LastEvaluatedKey: undefined }; // no command has created it yet
        throw error;
      });
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  return {
    ...base, bucket, table,
    config(name, extra = '') {
      return base.config(name, [
        'drivers: { storage: s3, checkpoints: dynamodb, catalog: glue }',
        `aws: { region: ${aws.region}, bucket: ${bucket}, checkpointTable: ${table}, endpoint: "${aws.endpoint}" }`, extra,
      ].join('\n'));
    },
    env(config, more = {}) {
      return base.env(config, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', ...more });
    },
    async fingerprint() {
      const files = new Map<string, string>();
      const all = await keys('');
      for (const key of all.filter(isDataKey)) files.set(key, fileValue(key, await body(key)));
      // The run log as the next command would download it, not the local working copy a killed command left.
      const runLogCopy = join(dir, `runlog-in-bucket-${Date.now()}.sqlite`);
      if (all.includes(RUN_LOG_KEY)) writeFileSync(runLogCopy, await body(RUN_LOG_KEY));
      const checkpoints = new Map<string, string>();
      for (const c of await scan()) {
        if (c.endpoint?.S === '#lease') continue;
        if (c.status?.S === 'succeeded' || c.content_hash?.S) {
          checkpoints.set(`${c.asset?.S} ${c.partition_key?.S} ${c.endpoint?.S} ${c.parameter_hash?.S}`, c.content_hash?.S ?? '');
        }
      }
      return {
        files, checkpoints, ...runLogState(runLogCopy),
        tmpLeft: all.filter((k) => k.startsWith('tmp/')),
        osTmpLeft: existsSync(base.osTmp) ? readdirSync(base.osTmp).filter((e) => e.startsWith('cbbd-')) : [],
      };
    },
    newTask() {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${base.runLogPath}${suffix}`, { force: true });
    },
    async staging() {
      return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tmp/', MaxKeys: 1 }))).KeyCount ?? 0) > 0;
    },
    async checkpointHighWater() {
      const page = await dynamo.send(new ScanCommand({ TableName: table, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': 'sequence' } })).catch(() => ({ Items: [] }));
      return Math.max(0, ...(page.Items ?? []).map((i) => Number(i.sequence?.N ?? 0)));
    },
    async lease() {
      return (await dynamo.send(new GetItemCommand({
        TableName: table, Key: { endpoint: { S: '#lease' }, parameter_hash: { S: RUN_LOG_KEY } }, ConsistentRead: true,
      }))).Item;
    },
    close() {
      s3.destroy();
      dynamo.destroy();
    },
  };
}

/** Where a kill is aimed in cloud mode. */
export const CLOUD_AIMS = {
  time: 'a random moment',
  commit: 'a commit (staging under tmp/)',
  checkpoint: 'a checkpoint write',
  // The result is printed, then the run log is uploaded and the lease released: killed at the print, the run's data
  // is stored but the bucket's run log does not know it, so the next run redoes it.
  upload: 'the run log upload',
} as const;
export type CloudAim = keyof typeof CLOUD_AIMS;

/** Resolves at the moment to kill `run` at `aim` (or once it has ended by itself); `spanMs` is a clean run's duration. */
export async function killMoment(l: CloudLab, run: CbbdRun, aim: CloudAim, spanMs: number): Promise<void> {
  switch (aim) {
    case 'time': return sleep(Math.random() * spanMs * 0.4);
    case 'commit': return poll(run, () => l.staging());
    case 'checkpoint': {
      const before = await l.checkpointHighWater();
      return poll(run, async () => (await l.checkpointHighWater()) > before);
    }
    case 'upload': return printed(run, /Run \S+ \w+ in /);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Until `ready`, or until the run has ended by itself. */
export async function poll(run: CbbdRun, ready: () => Promise<boolean>): Promise<void> {
  while (run.child.exitCode === null && run.child.signalCode === null && !(await ready())) await sleep(50);
}

/** The moment the run prints `pattern` (caught as the output arrives, not by polling), or once it has ended. */
function printed(run: CbbdRun, pattern: RegExp): Promise<void> {
  return new Promise((ok) => {
    run.child.stdout!.on('data', () => pattern.test(run.output()) && ok());
    void run.done.then(() => ok());
  });
}
