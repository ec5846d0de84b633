import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../src/build-app.ts';
import { CLOUD_CONFIG_ENV, ENTRY_POINT } from '../src/container-contract.ts';
import { toEventBridgeCron } from '../src/eventbridge-cron.ts';
import { resourcesOf, synthesize, writeConfig, type Synthesized } from './helpers.ts';

const CONFIG = `
aws:
  region: eu-west-1
  bucket: hoops-edge
  checkpointTable: cbbd_checkpoints
  deploy: { alarmEmail: ops@example.org, githubRepo: octo-org/cbbd, maxRunHours: 4 }
seasons: { first: 2015, last: 2026 }
gold: { hca: 3.5 }
drivers: { storage: local }
schedules:
  nightly:          { cron: "0 8 * * *",  timezone: UTC, command: ["materialize", "*", "--season", "current", "--call-budget", "150"] }
  weekly-validate:  { cron: "0 12 * * 0", timezone: UTC, command: ["validate"] }
  east-coast:       { cron: "30 6 * * 1-5", timezone: America/New_York, command: ["plan", "*"] }
  paused:           { cron: "0 1 * * *", timezone: UTC, command: ["materialize", "raw/*"], enabled: false }
`;

/** Every IAM statement of the template: managed and inline policies of every role. */
interface Statement { where: string; Sid?: string; Action: string | string[]; Resource: unknown }

function iamStatements(synth: Synthesized): Statement[] {
  const out: Statement[] = [];
  for (const [id, r] of Object.entries(resourcesOf(synth.template))) {
    const docs: unknown[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties!.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role') for (const p of (r.Properties!.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) docs.push(p.PolicyDocument);
    for (const doc of docs) for (const s of (doc as { Statement: Omit<Statement, 'where'>[] }).Statement) out.push({ where: id, ...s });
  }
  return out;
}

/** Actions AWS accepts only with `"Resource": "*"`; anything else must name its resources. */
const RESOURCE_LESS_ACTIONS = new Set([
  'ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData',
  // Step Functions' log delivery and X-Ray tracing, granted by CDK to the state machine's role.
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
  // Stopping and watching the task a .sync state started: its id is not known when the policy is written (CDK's grant).
  'ecs:StopTask', 'ecs:DescribeTasks',
]);

describe('the cbbd stack, synthesized offline from a config.yaml', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({ config: writeConfig(CONFIG), imageTag: 'abc123' });
  });

  it('deploys to the region of config.yaml', () => {
    expect(synth.stack.region).toBe('eu-west-1');
  });

  it('creates the checkpoint and lease table with the name and keys the DynamoDB driver uses, kept on delete', () => {
    const tables = resourcesOf(synth.template, 'AWS::DynamoDB::GlobalTable');
    expect(Object.keys(tables)).toHaveLength(1);
    synth.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'cbbd_checkpoints',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'endpoint', KeyType: 'HASH' }, { AttributeName: 'parameter_hash', KeyType: 'RANGE' }],
        AttributeDefinitions: Match.arrayWith([{ AttributeName: 'endpoint', AttributeType: 'S' }, { AttributeName: 'parameter_hash', AttributeType: 'S' }]),
      }),
    });
  });

  it('creates the Glue databases of the catalog driver and an Athena workgroup writing to s3://hoops-edge/athena/', () => {
    const names = Object.values(resourcesOf(synth.template, 'AWS::Glue::Database')).map((r) => (r.Properties!.DatabaseInput as { Name: string }).Name);
    expect(names.sort()).toEqual(['cbbd_bronze', 'cbbd_gold', 'cbbd_silver']);
    synth.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'cbbd',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { OutputLocation: 's3://hoops-edge/athena/', EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      }),
    });
  });

  it('guards the lakehouse bucket: kept on delete, versioned with old versions kept 30 days, encrypted, private, TLS only, tidied', () => {
    synth.template.resourceCountIs('AWS::S3::Bucket', 1);
    synth.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: 'hoops-edge',
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'tmp/', ExpirationInDays: 2 }),
          Match.objectLike({ Prefix: 'athena/', ExpirationInDays: 7 }),
        ]) },
      }),
    });
    const policy = JSON.stringify(resourcesOf(synth.template, 'AWS::S3::BucketPolicy'));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('"Effect":"Deny"');
  });

  it('has an image repository and a 0.5 vCPU / 3 GB Fargate task whose API key comes from SSM, never from the template', () => {
    synth.template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'cbbd', ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } });
    synth.template.resourceCountIs('AWS::ECS::Cluster', 1);
    const [task] = Object.values(resourcesOf(synth.template, 'AWS::ECS::TaskDefinition'));
    expect(task!.Properties).toMatchObject({ Family: 'cbbd', Cpu: '512', Memory: '3072', RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc' });
    const [container] = task!.Properties!.ContainerDefinitions as Record<string, unknown>[];
    expect(container!.EntryPoint).toEqual(ENTRY_POINT);
    expect((container!.EntryPoint as string[])[2]).toContain('exec node /app/bin/cbbd.js "$@"');
    // SIGTERM reaches the CLI through an init process; only /data (with TMPDIR) is writable.
    expect(container!.LinuxParameters).toMatchObject({ InitProcessEnabled: true });
    expect(container!.ReadonlyRootFilesystem).toBe(true);
    expect(container!.MountPoints).toEqual([{ ContainerPath: '/data', SourceVolume: 'data', ReadOnly: false }]);
    expect((container!.Environment as { Name: string; Value: string }[]).find((e) => e.Name === 'TMPDIR')?.Value).toBe('/data/tmp');
    expect(container!.Command).toEqual(['status']);
    expect(JSON.stringify(container!.Image)).toContain(':abc123');
    const secrets = container!.Secrets as { Name: string; ValueFrom: unknown }[];
    expect(secrets.map((s) => s.Name)).toEqual(['CBBD_API_KEY']);
    expect(JSON.stringify(secrets[0]!.ValueFrom)).toContain(':parameter/cbbd/api_key');
    const environment = container!.Environment as { Name: string; Value: string }[];
    expect(environment.map((e) => e.Name)).not.toContain('CBBD_API_KEY');
    expect(container!.LogConfiguration).toMatchObject({ LogDriver: 'awslogs' });
  });

  it('runs the container with config.yaml\'s settings on the cloud drivers and the stack\'s names, without its schedules', () => {
    const [task] = Object.values(resourcesOf(synth.template, 'AWS::ECS::TaskDefinition'));
    const [container] = task!.Properties!.ContainerDefinitions as { Environment: { Name: string; Value: string }[] }[];
    const env = Object.fromEntries(container!.Environment.map((e) => [e.Name, e.Value]));
    expect(env.CBBD_CONFIG).toBe('/data/config.cloud.yaml');
    const cloud = parseYaml(env[CLOUD_CONFIG_ENV]!) as Record<string, unknown>;
    expect(cloud.drivers).toEqual({ storage: 's3', checkpoints: 'dynamodb', catalog: 'glue' });
    expect(cloud.aws).toEqual({ region: 'eu-west-1', bucket: 'hoops-edge', checkpointTable: 'cbbd_checkpoints', workgroup: 'cbbd' });
    expect(cloud.seasons).toEqual({ first: 2015, last: 2026 });
    expect(cloud.gold).toEqual({ hca: 3.5 });
    expect(cloud).not.toHaveProperty('schedules');
  });

  it('keeps the runs\' logs for 30 days', () => {
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/cbbd/runs', RetentionInDays: 30 });
  });

  it('schedules exactly the enabled schedules of config.yaml, at their cron and time zone, each starting the run state machine with its command', () => {
    const schedules = Object.values(resourcesOf(synth.template, 'AWS::Scheduler::Schedule')).map((r) => r.Properties as Record<string, unknown>);
    const byName = new Map(schedules.map((s) => [s.Name as string, s]));
    expect([...byName.keys()].sort()).toEqual(['cbbd-east-coast', 'cbbd-nightly', 'cbbd-weekly-validate']);
    const expected = {
      'cbbd-nightly': ['cron(0 8 * * ? *)', 'UTC', ['materialize', '*', '--season', 'current', '--call-budget', '150']],
      'cbbd-weekly-validate': ['cron(0 12 ? * SUN *)', 'UTC', ['validate']],
      'cbbd-east-coast': ['cron(30 6 ? * MON-FRI *)', 'America/New_York', ['plan', '*']],
    } as const;
    const [machine] = Object.keys(resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine'));
    const [queue] = Object.keys(resourcesOf(synth.template, 'AWS::SQS::Queue'));
    for (const [name, [expression, zone, command]] of Object.entries(expected)) {
      const schedule = byName.get(name)!;
      expect(schedule.ScheduleExpression).toBe(expression);
      expect(schedule.ScheduleExpressionTimezone).toBe(zone);
      expect(schedule.State).toBe('ENABLED');
      const target = schedule.Target as { Arn: unknown; Input: string; RetryPolicy: unknown; DeadLetterConfig: { Arn: unknown } };
      expect(target.Arn).toEqual({ Ref: machine });
      expect(JSON.parse(target.Input)).toEqual({ schedule: name.replace('cbbd-', ''), command });
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 });
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });
    }
  });

  it('runs each scheduled night as a task it waits for, tried once more 15 minutes after a failure, stopped (not retried) past the maximum run time', () => {
    const [machine] = Object.values(resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine!.Properties!.DefinitionString);
    expect(definition).toContain(':states:::ecs:runTask.sync');
    expect(definition).toContain('\\"Command.$\\":\\"$.command\\"');
    expect(definition).toContain('\\"Retry\\":[{\\"ErrorEquals\\":[\\"States.TaskFailed\\"],\\"IntervalSeconds\\":900,\\"MaxAttempts\\":1,\\"BackoffRate\\":1}]');
    // Stopped at 4 h (aws.deploy.maxRunHours) with States.Timeout, which the retry (States.TaskFailed only) leaves alone.
    expect(definition).toContain(`\\"TimeoutSeconds\\":${4 * 3600}`);
    expect(machine!.Properties).toMatchObject({ StateMachineName: 'cbbd-runs', TracingConfiguration: { Enabled: true } });
  });

  it('alarms on a scheduled run that failed after its retry or timed out, and on a schedule that could not start one', () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cbbd-scheduled-run-failed', Threshold: 1,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]),
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cbbd-schedule-undelivered', MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1,
    });
    synth.template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'cbbd-schedule-dead-letters', MessageRetentionPeriod: 14 * 86400, SqsManagedSseEnabled: true });
  });

  it('alarms on error logs, on 36 hours without a task that exited 0, and on a task exiting non-zero, to an SNS topic with the e-mail', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cbbd-error-logs', MetricName: 'ErrorLogLines', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('Topic') })],
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cbbd-no-successful-run', MetricName: 'SucceededRuns', Period: 3600, EvaluationPeriods: 36, DatapointsToAlarm: 36,
      ComparisonOperator: 'LessThanThreshold', Threshold: 1, TreatMissingData: 'breaching',
    });
    const filters = Object.values(resourcesOf(synth.template, 'AWS::Logs::MetricFilter')).map((r) => r.Properties!.FilterPattern);
    expect(filters).toEqual(expect.arrayContaining(['{ $.level >= 50 }', '%^cbbd: %', '{ $.detail.lastStatus = "STOPPED" }']));
    const rules = Object.values(resourcesOf(synth.template, 'AWS::Events::Rule')).map((r) => r.Properties as { EventPattern: { detail: Record<string, unknown> } });
    const failed = rules.find((r) => JSON.stringify(r.EventPattern).includes('"exitCode":[{"anything-but"'))!;
    expect(failed.EventPattern.detail).toMatchObject({ lastStatus: ['STOPPED'], $or: [{ containers: { exitCode: [{ 'anything-but': [0, 75] }] } }, { stopCode: ['TaskFailedToStart'] }] });
    expect(JSON.stringify(failed)).toMatch(/Topic/);
    const succeeded = rules.find((r) => JSON.stringify(r.EventPattern.detail).includes('"exitCode":[0]'))!;
    expect(JSON.stringify(succeeded)).toContain('log-group:/cbbd/task-events');
    // The deploy's smoke tests (started by smoke-test/<sha>) do not count as a night that succeeded.
    expect(succeeded.EventPattern.detail.startedBy).toEqual([{ 'anything-but': { prefix: 'smoke-test/' } }]);
    expect(readFileSync(new URL('../../.github/scripts/smoke-test.sh', import.meta.url), 'utf8')).toContain('--started-by "smoke-test/');
  });

  it('grants no "*" action anywhere, and "*" resources only to actions that take no resource', () => {
    const statements = iamStatements(synth);
    expect(statements.length).toBeGreaterThan(5);
    for (const s of statements) {
      const actions = [s.Action].flat();
      for (const action of actions) expect(action, `${s.where}: ${action}`).not.toMatch(/^\*$|:\*$/);
      if ([s.Resource].flat().includes('*')) {
        for (const action of actions) expect(RESOURCE_LESS_ACTIONS, `${s.where} grants ${action} on "*"`).toContain(action);
      }
    }
  });

  it('lets the task call exactly its table, the lakehouse bucket, the three databases and the workgroup', () => {
    const taskPolicy = iamStatements(synth).filter((s) => s.where.startsWith('RuntimeTaskTaskRoleDefaultPolicy'));
    const resources = (sid: string) => JSON.stringify(taskPolicy.find((s) => s.Sid === sid)?.Resource);
    expect(taskPolicy.map((s) => s.Sid).sort()).toEqual(['CatalogTables', 'CheckpointsAndLease', 'DeleteReplacedObjects', 'ListLakehouse', 'QueryOnAthena', 'ReadWriteLakehouseObjects']);
    const [bucket] = Object.keys(resourcesOf(synth.template, 'AWS::S3::Bucket'));
    expect(resources('ListLakehouse')).toBe(JSON.stringify({ 'Fn::GetAtt': [bucket, 'Arn'] }));
    expect(resources('ReadWriteLakehouseObjects')).toContain('"/*"');
    // Deletes where runs replace objects; never meta/ (the run log) nor the whole bucket.
    const deletable = (taskPolicy.find((s) => s.Sid === 'DeleteReplacedObjects')!.Resource as { 'Fn::Join': [string, unknown[]] }[]).map((r) => r['Fn::Join'][1][1]);
    expect(deletable).toEqual(['/raw/*', '/bronze/*', '/silver/*', '/gold/*', '/tmp/*', '/deadletter/*', '/athena/*']);
    expect(JSON.stringify(taskPolicy.find((s) => s.Sid === 'ReadWriteLakehouseObjects'))).not.toContain('s3:DeleteObject');
    // The lease is renewed with UpdateItem; Athena writes results in parts as the caller.
    expect(taskPolicy.find((s) => s.Sid === 'CheckpointsAndLease')!.Action).toContain('dynamodb:UpdateItem');
    expect(taskPolicy.find((s) => s.Sid === 'ReadWriteLakehouseObjects')!.Action).toEqual(expect.arrayContaining(['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts']));
    expect(taskPolicy.find((s) => s.Sid === 'ListLakehouse')!.Action).toContain('s3:ListBucketMultipartUploads');
    const [table] = Object.keys(resourcesOf(synth.template, 'AWS::DynamoDB::GlobalTable'));
    expect(resources('CheckpointsAndLease')).toBe(JSON.stringify({ 'Fn::GetAtt': [table, 'Arn'] }));
    for (const db of ['cbbd_bronze', 'cbbd_silver', 'cbbd_gold']) {
      expect(resources('CatalogTables')).toContain(`:database/${db}"`);
      expect(resources('CatalogTables')).toContain(`:table/${db}/*"`);
    }
    expect(resources('QueryOnAthena')).toMatch(/:workgroup\/cbbd"/);
    expect(JSON.stringify(taskPolicy)).not.toMatch(/s3:PutBucket|dynamodb:DeleteTable|glue:Delete/);
  });

  it('creates the deploy role for jobs of the named repository in its protected environment only, and a read-only diff role for its pull requests', () => {
    synth.template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
    const trusted = (role: string, subject: string | string[]) => synth.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: role,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': subject } },
        })],
      }),
    });
    trusted('cbbd-github-deploy', 'repo:octo-org/cbbd:environment:production');
    trusted('cbbd-github-diff', ['repo:octo-org/cbbd:pull_request', 'repo:octo-org/cbbd:ref:refs/heads/main']);
    const of = (prefix: string) => iamStatements(synth).filter((s) => s.where.startsWith(prefix)).flatMap((s) => [s.Action].flat());
    expect(of('GitHubDeployRoleDefaultPolicy')).toEqual(expect.arrayContaining(['sts:AssumeRole', 'ecr:PutImage', 'ecs:RunTask', 'ecs:DescribeTasks', 'iam:PassRole']));
    expect(of('GitHubDeployRoleDefaultPolicy')).not.toContain('ecs:RegisterTaskDefinition');
    expect(of('GitHubDeployDiffRoleDefaultPolicy').sort()).toEqual(['cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'sts:AssumeRole']);
  });

  it('counts its resources (reported by the benchmark; a sanity bound here)', () => {
    const count = Object.keys(resourcesOf(synth.template)).length;
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(120);
  });
});

describe('variants', () => {
  it('without aws.deploy settings: no GitHub roles, no e-mail subscription, the default schedules when config.yaml has none', () => {
    const { template } = synthesize({ config: writeConfig('aws: { bucket: my-lake }\n'), imageTag: 'abc123' }, { validate: false });
    expect(resourcesOf(template, 'AWS::IAM::OIDCProvider')).toEqual({});
    expect(resourcesOf(template, 'AWS::SNS::Subscription')).toEqual({});
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((r) => [r.Properties!.Name, r.Properties!.ScheduleExpression]);
    expect(schedules.sort()).toEqual([['cbbd-nightly', 'cron(0 8 * * ? *)'], ['cbbd-weekly-validate', 'cron(0 12 ? * SUN *)']]);
    template.hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: Match.objectLike({ ResultConfiguration: Match.objectLike({ OutputLocation: 's3://my-lake/athena/' }) }) });
  });

  it('synthesizes with no flags what a deploy with flags used to make: the settings are config.yaml\'s, and the old flags are refused', () => {
    const config = writeConfig(CONFIG);
    const plain = synthesize({ config }, { validate: false }).template;
    expect(resourcesOf(plain, 'AWS::SNS::Subscription')).not.toEqual({});
    expect(Object.values(resourcesOf(plain, 'AWS::IAM::Role')).map((r) => r.Properties!.RoleName)).toEqual(expect.arrayContaining(['cbbd-github-deploy', 'cbbd-github-diff']));
    const withTag = synthesize({ config, imageTag: 'abc123' }, { validate: false }).template;
    expect(Object.keys(resourcesOf(plain, 'AWS::CloudWatch::Alarm')).sort()).toEqual(Object.keys(resourcesOf(withTag, 'AWS::CloudWatch::Alarm')).sort());
    expect(Object.keys(resourcesOf(plain, 'AWS::CloudWatch::Alarm'))).toHaveLength(4);
    for (const flag of ['alarmEmail', 'githubRepo', 'vpcId']) {
      expect(() => synthesize({ config, [flag]: 'x' }, { validate: false })).toThrow(new RegExp(`-c ${flag}: deployment settings live in config.yaml now \\(aws.deploy.${flag}\\)`));
    }
  });

  it('runs the image of the checked-out commit when no image tag is given, never "latest"', () => {
    const { template } = synthesize({ config: writeConfig(CONFIG) }, { validate: false });
    const [task] = Object.values(resourcesOf(template, 'AWS::ECS::TaskDefinition'));
    const image = JSON.stringify((task!.Properties!.ContainerDefinitions as { Image: unknown }[])[0]!.Image);
    expect(image).toMatch(/:[0-9a-f]{40}"/);
    expect(image).not.toContain(':latest');
  });

  it('cdk-nag fails the synth on a policy it does not accept (the check above is live)', () => {
    const app = new App({ context: { config: writeConfig('{}\n'), imageTag: 'abc123' }, builtinCloudFormationValidation: false });
    const stack = buildApp(app);
    const role = new iam.Role(stack, 'Careless', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });
});

describe('the project\'s own config.yaml', () => {
  it('becomes EventBridge schedules with the same cron expressions, time zones and commands', () => {
    const { template, stack } = synthesize({}, { validate: false });
    const declared = stack.scheduledRuns.schedules.length;
    // The file cdk.json points at, read here without the stack's reader.
    const project = parseYaml(readFileSync(new URL('../../config.yaml', import.meta.url), 'utf8')) as { schedules?: Record<string, { cron: string; timezone?: string; command: string[]; enabled?: boolean }> };
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((r) => r.Properties as Record<string, unknown>);
    expect(schedules).toHaveLength(declared);
    const wanted = Object.entries(project.schedules ?? {
      nightly: { cron: '0 8 * * *', timezone: 'UTC', command: ['materialize', '*', '--season', 'current', '--call-budget', '150'] },
      'weekly-validate': { cron: '0 12 * * 0', timezone: 'UTC', command: ['validate'] },
    }).filter(([, s]) => s.enabled !== false);
    expect(schedules.map((s) => s.Name).sort()).toEqual(wanted.map(([name]) => `cbbd-${name}`).sort());
    for (const [name, s] of wanted) {
      const deployed = schedules.find((d) => d.Name === `cbbd-${name}`)!;
      expect(deployed.Description).toContain(`"${s.cron}"`);
      expect(deployed.ScheduleExpression).toBe(toEventBridgeCron(s.cron));
      expect(deployed.ScheduleExpressionTimezone).toBe(s.timezone ?? 'UTC');
      expect(JSON.stringify(deployed.Target)).toContain(JSON.stringify(JSON.stringify(s.command)).slice(1, -1));
    }
  });
});
