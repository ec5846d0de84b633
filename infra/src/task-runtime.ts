/**
 * Where a cbbd run executes: the image repository, the network, the ECS cluster, the Fargate task definition with
 * its two roles, and the log group. The task role gets exactly what the S3, DynamoDB, Glue and Athena drivers call.
 */
import type { CfnElement} from 'aws-cdk-lib';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CLOUD_CONFIG_ENV, CLOUD_CONFIG_PATH, CONTAINER_NAME, DATA_DIR, ENTRY_POINT, TEMP_DIR } from './container-contract.ts';
import type { LakehouseResources } from './lakehouse-resources.ts';

/** The SecureString parameter holding the CBBD API key; created by hand (README), never by the stack. */
export const API_KEY_PARAMETER = '/cbbd/api_key';
export const TASK_FAMILY = 'cbbd';
export const LOG_GROUP_NAME = '/cbbd/runs';
/** Where a run deletes objects: replaced partition parts (raw to gold), staging, answered dead letters. */
const DELETABLE_PREFIXES = ['raw/', 'bronze/', 'silver/', 'gold/', 'tmp/', 'deadletter/'] as const;

export interface TaskRuntimeProps {
  readonly lakehouse: LakehouseResources;
  /** The rendered cloud config (cloud-config.ts). */
  readonly cloudConfig: string;
  /** The image tag the task definition runs: the git commit deploy.yml built. */
  readonly imageTag: string;
  /** An existing VPC to run in (context `vpcId`); otherwise the stack makes a small one. */
  readonly vpcId?: string | undefined;
  /** Run in the imported VPC's private subnets (they need a NAT or VPC endpoints) instead of its public ones. */
  readonly privateSubnets?: boolean | undefined;
  /** The default command of a task started by hand (the schedules override it). */
  readonly defaultCommand: readonly string[];
}

export class TaskRuntime extends Construct {
  readonly repository: ecr.Repository;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Whether a task gets a public IP: it must, in a public subnet, to reach anything without a NAT. */
  readonly assignPublicIp: boolean;
  readonly securityGroup: ec2.SecurityGroup;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TaskRuntimeProps) {
    super(scope, id);
    const { lakehouse } = props;

    this.repository = new ecr.Repository(this, 'Images', {
      repositoryName: 'cbbd',
      // deploy.yml tags each image with its git SHA: a tag names one build forever.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      lifecycleRules: [{ description: 'keep the last 30 images', maxImageCount: 30 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A run only calls out (the CBBD API and AWS endpoints, all HTTPS). Public subnets and a public IP instead of a
    // NAT gateway: a NAT costs about $32 a month to serve a task that runs a few minutes a night, and nothing listens.
    this.vpc = props.vpcId
      ? ec2.Vpc.fromLookup(this, 'Network', { vpcId: props.vpcId })
      : new ec2.Vpc(this, 'Network', {
          maxAzs: 2,
          natGateways: 0,
          subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
          flowLogs: {
            rejected: { destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', {
              retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY,
            })), trafficType: ec2.FlowLogTrafficType.REJECT },
          },
        });
    this.assignPublicIp = !(props.vpcId && props.privateSubnets);
    this.subnets = { subnetType: this.assignPublicIp ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'cbbd runs: no inbound; outbound HTTPS only (the CBBD API, S3, DynamoDB, Glue, Athena, ECR, logs)',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the CBBD API and AWS endpoints');

    this.cluster = new ecs.Cluster(this, 'Cluster', { clusterName: 'cbbd', vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    this.logGroup = new logs.LogGroup(this, 'Runs', {
      logGroupName: LOG_GROUP_NAME,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: TASK_FAMILY,
      // 0.5 vCPU and 3 GB: `cbbd backfill` over five full-scale seasons, raw to gold, peaked at 1.88 GB resident
      // (npm run bench -- backfill), above the original pipeline's 1 GB and too close to 2 GB to leave it there; 3 GB
      // is the next Fargate size at 0.5 vCPU. The work is mostly waiting on the rate-limited API, so more CPU would
      // buy little.
      cpu: 512,
      memoryLimitMiB: 3072,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const apiKey = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'ApiKey', { parameterName: API_KEY_PARAMETER });
    this.taskDefinition.addVolume({ name: 'data' });
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      containerName: CONTAINER_NAME,
      image: ecs.ContainerImage.fromEcrRepository(this.repository, props.imageTag),
      entryPoint: [...ENTRY_POINT],
      command: [...props.defaultCommand],
      environment: { [CLOUD_CONFIG_ENV]: props.cloudConfig, CBBD_CONFIG: CLOUD_CONFIG_PATH, NODE_ENV: 'production', TMPDIR: TEMP_DIR },
      // ECS reads the parameter at start and hands it to the process only: it is in no template, log or task
      // description.
      secrets: { CBBD_API_KEY: ecs.Secret.fromSsmParameter(apiKey) },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'cbbd' }),
      // A run given SIGTERM records itself cancelled and stops taking steps; give it the longest Fargate allows.
      stopTimeout: Duration.seconds(120),
      // An init process as pid 1 passes SIGTERM on: without one, a stopped `validate` or `status` was killed after
      // 120 s instead of stopping at once.
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      // Nothing in the image changes at run time; the task writes only to /data (config, run log copy, TMPDIR).
      readonlyRootFilesystem: true,
    });
    this.container.addMountPoints({ containerPath: DATA_DIR, sourceVolume: 'data', readOnly: false });

    this.grantLakehouse(this.taskDefinition.taskRole, lakehouse);
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds no secret: the rendered cloud config (names and limits) and its path. The API key comes from SSM as an ECS secret.',
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, for pulling the image, is account-wide by design and takes no resource.',
    });
  }

  /** Exactly the calls of the S3, DynamoDB, Glue and Athena drivers (and what Athena does on the caller's behalf). */
  private grantLakehouse(role: iam.IRole, lakehouse: LakehouseResources): void {
    const bucket = lakehouse.bucket;
    const glueArns = lakehouse.glueArns();
    const athenaResults = bucket.arnForObjects(`${lakehouse.athenaResultsPrefix}*`);
    const statements = [
      new iam.PolicyStatement({
        sid: 'ListLakehouse',
        // ListBucketMultipartUploads: Athena writes the results of `cbbd query` as the caller, in parts.
        actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadWriteLakehouseObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [bucket.arnForObjects('*')],
      }),
      // Deletes only where a run replaces or tidies objects (a partition's old parts, staging, answered dead letters,
      // query results), never meta/ (the run log) or ref/; and the bucket keeps every deleted version for 30 days.
      new iam.PolicyStatement({
        sid: 'DeleteReplacedObjects',
        actions: ['s3:DeleteObject'],
        resources: DELETABLE_PREFIXES.map((prefix) => bucket.arnForObjects(`${prefix}*`)).concat(athenaResults),
      }),
      new iam.PolicyStatement({
        sid: 'CheckpointsAndLease',
        // UpdateItem renews the run log's lease (src/lake/dynamo-lease.ts): without it every run failed at its end.
        actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'],
        resources: [lakehouse.checkpointTable.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'CatalogTables',
        actions: [
          'glue:CreateDatabase', 'glue:GetDatabase', 'glue:GetDatabases', 'glue:CreateTable', 'glue:GetTable', 'glue:GetTables', 'glue:UpdateTable',
          'glue:BatchCreatePartition', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition',
        ],
        resources: [glueArns.catalog, ...glueArns.databases, ...glueArns.tables],
      }),
      new iam.PolicyStatement({
        sid: 'QueryOnAthena',
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
        resources: [lakehouse.workgroupArn()],
      }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    // cdk-nag names a finding by the ARN as it renders it, pseudo-parameters in angle brackets.
    const stack = Stack.of(this);
    const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnElement)) as string;
    const wildcards = [
      `Resource::<${bucketId}.Arn>/*`,
      ...[...DELETABLE_PREFIXES, lakehouse.athenaResultsPrefix].map((prefix) => `Resource::<${bucketId}.Arn>/${prefix}*`),
      ...lakehouse.databaseNames.map((db) => `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${db}/*`),
    ];
    for (const finding of wildcards) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: 'The lakehouse is the whole bucket and each layer database holds one table per asset, created as assets are declared.',
      });
    }
  }
}
