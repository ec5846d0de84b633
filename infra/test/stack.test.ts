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
aws: { region: eu-west-1, bucket: hoops-edge, checkpointTable: cbbd_checkpoints }
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
const RESOURCE_LESS_ACTIONS = new Set(['ecr:GetAuthorizationToken', 'ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'cloudwatch:PutMetricData']);

describe('the cbbd stack, synthesized offline from a config.yaml', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({ config: writeConfig(CONFIG), alarmEmail: 'ops@example.org', githubRepo: 'octo-org/cbbd', imageTag: 'abc123' });
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

  it('imports the bucket: no bucket is created, so deleting the stack cannot delete the lakehouse', () => {
    expect(resourcesOf(synth.template, 'AWS::S3::Bucket')).toEqual({});
  });

  it('has an image repository and a 0.5 vCPU / 3 GB Fargate task whose API key comes from SSM, never from the template', () => {
    synth.template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'cbbd', ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } });
    synth.template.resourceCountIs('AWS::ECS::Cluster', 1);
    const [task] = Object.values(resourcesOf(synth.template, 'AWS::ECS::TaskDefinition'));
    expect(task!.Properties).toMatchObject({ Family: 'cbbd', Cpu: '512', Memory: '3072', RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc' });
    const [container] = task!.Properties!.ContainerDefinitions as Record<string, unknown>[];
    expect(container!.EntryPoint).toEqual(ENTRY_POINT);
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

  it('schedules exactly the enabled schedules of config.yaml, at their cron and time zone, with their command', () => {
    const schedules = Object.values(resourcesOf(synth.template, 'AWS::Scheduler::Schedule')).map((r) => r.Properties as Record<string, unknown>);
    const byName = new Map(schedules.map((s) => [s.Name as string, s]));
    expect([...byName.keys()].sort()).toEqual(['cbbd-east-coast', 'cbbd-nightly', 'cbbd-weekly-validate']);
    const expected = {
      'cbbd-nightly': ['cron(0 8 * * ? *)', 'UTC', ['materialize', '*', '--season', 'current', '--call-budget', '150']],
      'cbbd-weekly-validate': ['cron(0 12 ? * SUN *)', 'UTC', ['validate']],
      'cbbd-east-coast': ['cron(30 6 ? * MON-FRI *)', 'America/New_York', ['plan', '*']],
    } as const;
    for (const [name, [expression, zone, command]] of Object.entries(expected)) {
      const schedule = byName.get(name)!;
      expect(schedule.ScheduleExpression).toBe(expression);
      expect(schedule.ScheduleExpressionTimezone).toBe(zone);
      expect(schedule.State).toBe('ENABLED');
      const target = schedule.Target as { Arn: string; Input: unknown };
      expect(JSON.stringify(target.Arn)).toContain(':scheduler:::aws-sdk:ecs:runTask');
      const input = JSON.stringify(target.Input);
      expect(input).toContain(JSON.stringify(JSON.stringify({ ContainerOverrides: [{ Name: 'cbbd', Command: command }] })).slice(1, -1));
      expect(input).toContain('\\"TaskDefinition\\":\\"cbbd\\"');
      expect(input).toContain('\\"AssignPublicIp\\":\\"ENABLED\\"');
    }
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
    const failed = rules.find((r) => JSON.stringify(r.EventPattern).includes('anything-but'))!;
    expect(failed.EventPattern.detail).toMatchObject({ lastStatus: ['STOPPED'], $or: [{ containers: { exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }] });
    expect(JSON.stringify(failed)).toMatch(/Topic/);
    const succeeded = rules.find((r) => JSON.stringify(r.EventPattern.detail).includes('"exitCode":[0]'))!;
    expect(JSON.stringify(succeeded)).toContain('log-group:/cbbd/task-events');
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
    expect(taskPolicy.map((s) => s.Sid).sort()).toEqual(['CatalogTables', 'CheckpointsAndLease', 'ListLakehouse', 'QueryOnAthena', 'ReadWriteLakehouseObjects']);
    expect(resources('ListLakehouse')).toMatch(/:s3:::hoops-edge"/);
    expect(resources('ReadWriteLakehouseObjects')).toMatch(/:s3:::hoops-edge\/\*"/);
    const [table] = Object.keys(resourcesOf(synth.template, 'AWS::DynamoDB::GlobalTable'));
    expect(resources('CheckpointsAndLease')).toBe(JSON.stringify({ 'Fn::GetAtt': [table, 'Arn'] }));
    for (const db of ['cbbd_bronze', 'cbbd_silver', 'cbbd_gold']) {
      expect(resources('CatalogTables')).toContain(`:database/${db}"`);
      expect(resources('CatalogTables')).toContain(`:table/${db}/*"`);
    }
    expect(resources('QueryOnAthena')).toMatch(/:workgroup\/cbbd"/);
    expect(JSON.stringify(taskPolicy)).not.toMatch(/s3:PutBucket|dynamodb:DeleteTable|glue:Delete/);
  });

  it('creates the deploy role for GitHub Actions of the named repository\'s main branch only', () => {
    synth.template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cbbd-github-deploy',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:octo-org/cbbd:ref:refs/heads/main' } },
        })],
      }),
    });
  });

  it('counts its resources (reported by the benchmark; a sanity bound here)', () => {
    const count = Object.keys(resourcesOf(synth.template)).length;
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(120);
  });
});

describe('variants', () => {
  it('without context: no deploy role, no e-mail subscription, the default schedules when config.yaml has none', () => {
    const { template } = synthesize({ config: writeConfig('aws: { bucket: my-lake }\n') }, { validate: false });
    expect(resourcesOf(template, 'AWS::IAM::OIDCProvider')).toEqual({});
    expect(resourcesOf(template, 'AWS::SNS::Subscription')).toEqual({});
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((r) => [r.Properties!.Name, r.Properties!.ScheduleExpression]);
    expect(schedules.sort()).toEqual([['cbbd-nightly', 'cron(0 8 * * ? *)'], ['cbbd-weekly-validate', 'cron(0 12 ? * SUN *)']]);
    template.hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: Match.objectLike({ ResultConfiguration: Match.objectLike({ OutputLocation: 's3://my-lake/athena/' }) }) });
  });

  it('cdk-nag fails the synth on a policy it does not accept (the check above is live)', () => {
    const app = new App({ context: { config: writeConfig('{}\n') }, builtinCloudFormationValidation: false });
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
