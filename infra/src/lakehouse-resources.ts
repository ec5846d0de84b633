/**
 * The lakehouse's AWS side, under the names the code uses: the checkpoint and lease table (src/lake/checkpoints/
 * dynamodb.ts, src/lake/run-log-lease.ts), the Glue databases `cbbd_<layer>` (src/lake/catalog/glue.ts) and an Athena
 * workgroup writing results under `s3://<bucket>/athena/` (src/cli/commands/query.ts), and the bucket itself.
 *
 * The bucket holds a month of API quota per season in raw/: the stack manages it so it is guarded, never deleted with
 * the stack (RETAIN), encrypted, versioned (a bug that deletes raw/ is undone by restoring the previous versions,
 * kept 30 days), private, TLS-only, and tidied by lifecycle rules (tmp/ staging and Athena results). A bucket that
 * exists already is brought under the stack once with `cdk import` (README, "AWS").
 */
import type { CfnResource} from 'aws-cdk-lib';
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The layers that get a Glue database (raw is gzipped JSON, not a table). */
export const CATALOG_LAYERS = ['bronze', 'silver', 'gold'] as const;

export interface LakehouseResourcesProps {
  readonly bucketName: string;
  readonly checkpointTableName: string;
  readonly workgroupName: string;
}

export class LakehouseResources extends Construct {
  readonly bucket: s3.Bucket;
  readonly bucketName: string;
  readonly checkpointTable: dynamodb.TableV2;
  readonly databaseNames: readonly string[];
  readonly workgroupName: string;
  readonly athenaResultsPrefix = 'athena/';

  constructor(scope: Construct, id: string, props: LakehouseResourcesProps) {
    super(scope, id);
    this.bucketName = props.bucketName;
    this.bucket = new s3.Bucket(this, 'Lakehouse', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // A replaced or deleted object stays restorable for 30 days, then its old versions go.
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Staging left by a write that died (the next writing command sweeps it too).
        { id: 'expire-staging', prefix: 'tmp/', expiration: Duration.days(2) },
        // Query results: `cbbd query` reads them once.
        { id: 'expire-athena-results', prefix: `${this.athenaResultsPrefix}`, expiration: Duration.days(7) },
      ],
    });
    const accessLogs = 'Access logging would write a log object per request into a second bucket at more than the lakehouse costs; CloudTrail\'s management events and the run log (meta/) record who changed what.';
    Validations.of(this.bucket).acknowledge({ id: 'AwsSolutions-S1', reason: accessLogs });
    (this.bucket.node.defaultChild as CfnResource).addMetadata('checkov', { skip: [
      { id: 'CKV_AWS_18', comment: accessLogs },
      { id: 'CKV_AWS_144', comment: 'One region is enough: raw/ can be fetched again from the API, and versioning covers mistakes.' },
    ] });

    this.checkpointTable = new dynamodb.TableV2(this, 'Checkpoints', {
      tableName: props.checkpointTableName,
      partitionKey: { name: 'endpoint', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'parameter_hash', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      // A checkpoint says what the lakehouse already holds; losing the table means re-fetching seasons of data.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.databaseNames = CATALOG_LAYERS.map((layer) => {
      const name = `cbbd_${layer}`;
      new glue.CfnDatabase(this, `Database-${layer}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseInput: { name, description: `CBBD lakehouse ${layer} tables, kept by cbbd`, locationUri: `s3://${props.bucketName}/${layer}/` },
      });
      return name;
    });

    this.workgroupName = props.workgroupName;
    new athena.CfnWorkGroup(this, 'Workgroup', {
      name: props.workgroupName,
      description: 'cbbd query on the lakehouse',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Enforced, so a client's own output location cannot send results elsewhere in the account.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        // A runaway scan stops at 10 GB; a full season's silver tables are well under 1 GB of Parquet.
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${props.bucketName}/${this.athenaResultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }

  /** ARNs of the Glue catalog, the three databases and their tables, as IAM resources. */
  glueArns(): { catalog: string; databases: string[]; tables: string[] } {
    const base = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
    return {
      catalog: `${base}:catalog`,
      databases: this.databaseNames.map((db) => `${base}:database/${db}`),
      tables: this.databaseNames.map((db) => `${base}:table/${db}/*`),
    };
  }

  workgroupArn(): string {
    return `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${this.workgroupName}`;
  }
}
