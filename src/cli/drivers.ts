/**
 * Choosing the drivers from config: storage (local folder or S3), checkpoints (SQLite or DynamoDB), catalog (DuckDB
 * or Glue) and, with S3, the cloud run log. The one place that knows every driver; the kernel and the assets see
 * only the interfaces.
 */
import type { CheckpointStore } from '../core/checkpoints.ts';
import { ConfigError } from '../core/errors.ts';
import type { Config } from '../config/config.ts';
import { awsClientConfig, type AwsSettings } from '../lake/aws.ts';
import type { Catalog } from '../lake/catalog/catalog.ts';
import { duckdbCatalog } from '../lake/catalog/duckdb.ts';
import { sqliteCheckpoints } from '../lake/checkpoints/sqlite.ts';
import type { CloudRunLog } from '../lake/run-log-lease.ts';
import { localStorage } from '../lake/storage/local.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';

export interface Drivers {
  readonly storage: ObjectStorage;
  readonly checkpoints: CheckpointStore;
  readonly catalog: Catalog;
  readonly aws: AwsSettings;
  /** Open the run log's home: with S3, download it (and lease it when the command writes); locally, nothing. */
  openRunLogHome(writes: boolean): Promise<CloudRunLog | undefined>;
}

export function awsSettingsOf(config: Config): AwsSettings {
  if (config.aws.profile) process.env.AWS_PROFILE = config.aws.profile;
  return { region: config.aws.region, ...(config.aws.endpoint && { endpoint: config.aws.endpoint }) };
}

/** The AWS drivers are imported only when config chooses them: the SDK is a large share of a local command's start-up. */
export async function openDrivers(config: Config): Promise<Drivers> {
  const aws = awsSettingsOf(config);
  const { drivers } = config;
  if (drivers.catalog === 'glue' && drivers.storage !== 's3') {
    throw new ConfigError(`${config.file}: drivers.catalog is "glue" but drivers.storage is "${drivers.storage}": Glue tables point at S3, so use storage "s3" too.`);
  }
  const storage = drivers.storage === 's3' ? (await import('../lake/storage/s3.ts')).s3Storage(config.aws.bucket, aws) : localStorage(config.lakehouse.root);
  const checkpoints = drivers.checkpoints === 'dynamodb'
    ? (await import('../lake/checkpoints/dynamodb.ts')).dynamoCheckpoints(config.aws.checkpointTable, aws)
    : sqliteCheckpoints(config.checkpoints.path);
  const catalog = drivers.catalog === 'glue' ? (await import('../lake/catalog/glue.ts')).glueCatalog(config.aws.bucket, aws) : duckdbCatalog;
  return {
    storage, checkpoints, catalog, aws,
    async openRunLogHome(writes) {
      if (drivers.storage !== 's3') return undefined;
      const [{ openCloudRunLog }, { DynamoDBClient }] = await Promise.all([import('../lake/run-log-lease.ts'), import('@aws-sdk/client-dynamodb')]);
      return openCloudRunLog({
        storage, dynamo: new DynamoDBClient(awsClientConfig(aws)), table: config.aws.checkpointTable, localPath: config.runLog.path, writes,
      });
    },
  };
}
