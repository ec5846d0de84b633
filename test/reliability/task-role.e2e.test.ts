/**
 * The scheduled commands as they run on AWS, under the task role's exact policy. The stack is synthesized
 * (infra/bin/template.ts, as `cdk synth` makes it); the task role's policy statements are taken from the template, their
 * ARNs resolved for the emulator's account, and given to an IAM user of a moto server that enforces IAM. The
 * container's own config (the task definition's CBBD_CLOUD_CONFIG) and the schedules' own commands (their targets'
 * input) are run with that user's keys: the nightly, `validate`, a second nightly that finds nothing stale, and a query
 * on Athena. An SDK call the role does not allow fails this test, as it would fail the nightly at 08:00.
 *
 * moto checks S3 calls against the statement's resources (bucket and key ARNs) and every other service's calls by
 * action only (it asks for resource "*"): for those statements the test keeps the actions and widens the resources,
 * and checks separately that the template names only this stack's table, databases and workgroup.
 */
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { CreateTableCommand, DynamoDBClient, type AttributeDefinition, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMotoServer } from '../moto-setup.ts';
import { motoAvailable } from '../aws.ts';
import { tempDir } from '../helpers.ts';

const INFRA = resolve(import.meta.dirname, '../../infra');
const infraInstalled = existsSync(join(INFRA, 'node_modules/aws-cdk-lib'));
const ACCOUNT = '123456789012';
/** The nightly's clock: season 2027 is under way. */
const NOW = '2026-12-06T08:00:00Z';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
interface Resource { Type: string; Properties?: Record<string, Json> }
interface Statement { Sid?: string; Effect: string; Action: string | string[]; Resource: Json; Condition?: Json }

if (!infraInstalled && process.env.CBBD_REQUIRE_INFRA !== '1') {
  console.warn('\n!!! the task-role scenario is SKIPPED: infra/node_modules is missing (run `npm ci --prefix infra`).\n');
}

/** The template as `cdk synth` makes it. */
function synthesize(): { Resources: Record<string, Resource> } {
  const r = spawnSync(join(INFRA, 'node_modules/.bin/tsx'), ['bin/template.ts'], { cwd: INFRA, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`infra/bin/template.ts failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { Resources: Record<string, Resource> };
}

/** CloudFormation intrinsics resolved for the emulator: its account, the stack's region, the resources' names. */
function resolver(resources: Record<string, Resource>, region: string) {
  const nameOf = (id: string): string => {
    const r = resources[id];
    const name = r?.Properties?.TableName ?? r?.Properties?.BucketName ?? r?.Properties?.Name;
    if (typeof name !== 'string') throw new Error(`cannot resolve a reference to ${id} (${r?.Type})`);
    return name;
  };
  const resolveValue = (value: Json): Json => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(resolveValue);
    if ('Ref' in value) {
      const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': region, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
      return pseudo[value.Ref as string] ?? nameOf(value.Ref as string);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map((p) => resolveValue(p) as string).join(separator);
    }
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      const type = resources[id]?.Type;
      if (attribute === 'Arn' && (type === 'AWS::DynamoDB::GlobalTable' || type === 'AWS::DynamoDB::Table')) return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${nameOf(id)}`;
      if (attribute === 'Arn' && type === 'AWS::S3::Bucket') return `arn:aws:s3:::${nameOf(id)}`;
      throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute} (${type})`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v)]));
  };
  return resolveValue;
}

/** What the stack gives the task: the role's statements, the container's config, the schedules' commands. */
function taskOf(template: { Resources: Record<string, Resource> }) {
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const [[, taskDefinition]] = ofType('AWS::ECS::TaskDefinition') as [[string, Resource]];
  const roleId = ((taskDefinition.Properties!.TaskRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0];
  const statements = ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => (p.Properties!.PolicyDocument as unknown as { Statement: Statement[] }).Statement);
  expect(resources[roleId]?.Properties?.ManagedPolicyArns, 'the task role has no managed policies: its inline statements are all it may do').toBeUndefined();
  const container = (taskDefinition.Properties!.ContainerDefinitions as { Environment: { Name: string; Value: string }[] }[])[0]!;
  const cloudConfig = container.Environment.find((e) => e.Name === 'CBBD_CLOUD_CONFIG')!.Value;
  const commands = Object.fromEntries(ofType('AWS::Scheduler::Schedule').map(([, s]) => {
    // The input may hold references (the cluster, the subnets): only its command matters here.
    const text = (value: Json): string => (typeof value === 'string' ? value : Array.isArray(value) ? value.map(text).join('') : 'ref');
    const raw = (s.Properties!.Target as { Input: Json }).Input;
    const joined = typeof raw === 'string' ? raw : text((raw as { 'Fn::Join': [string, Json[]] })['Fn::Join'][1]);
    const input = JSON.parse(joined) as { command?: string[]; Overrides?: { ContainerOverrides: { Command: string[] }[] } };
    const name = (s.Properties!.Name as string).replace(/^cbbd-/, '');
    return [name, input.command ?? input.Overrides!.ContainerOverrides[0]!.Command];
  }));
  return { resources, statements, cloudConfig, commands };
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/**
 * moto authorizes some S3 operations by the operation's own name instead of the IAM action AWS checks for it
 * (ListObjectsV2 is `s3:ListBucket` on AWS, `s3:ListObjectsV2` to moto): each IAM action also allows the names moto
 * asks for the operations AWS authorizes with it, and nothing else.
 */
const MOTO_S3_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  's3:ListBucket': ['s3:ListObjectsV2', 's3:ListObjects'],
  's3:PutObject': ['s3:CopyObject', 's3:CreateMultipartUpload', 's3:CompleteMultipartUpload', 's3:UploadPartCopy'],
  's3:ListMultipartUploadParts': ['s3:ListParts'],
  's3:ListBucketMultipartUploads': ['s3:ListMultipartUploads'],
};

/**
 * The statements as moto can enforce them (see the header): S3's exact, the others' resources widened. A
 * multi-object delete is checked by AWS as s3:DeleteObject on each key, by moto as s3:DeleteObjects on the bucket:
 * a bucket whose keys the role may delete somewhere gets that, so deletes outside the allowed prefixes go unchecked
 * here (the stack test checks those prefixes).
 */
function forMoto(statements: readonly Statement[], resolveValue: (v: Json) => Json): Statement[] {
  return statements.flatMap((s): Statement[] => {
    const resolved: Statement = { ...s, Resource: resolveValue(s.Resource) };
    if (!actionsOf(s).every((a) => a.startsWith('s3:'))) return [{ ...resolved, Resource: '*' }];
    const s3 = { ...resolved, Action: actionsOf(s).flatMap((a) => [a, ...(MOTO_S3_OPERATIONS[a] ?? [])]) };
    if (!actionsOf(s).includes('s3:DeleteObject')) return [s3];
    const buckets = [...new Set(([resolved.Resource].flat() as string[]).map((arn) => arn.split('/')[0]!))];
    return [s3, { Effect: 'Allow', Action: 's3:DeleteObjects', Resource: buckets }];
  });
}

interface Lab { url: string; child: ChildProcess; keys: { accessKeyId: string; secretAccessKey: string } }

/** A moto server that enforces IAM from now on, with the stack's resources and a user holding `statements`. */
async function lab(resources: Record<string, Resource>, region: string, statements: readonly Statement[]): Promise<Lab> {
  const { url, child } = await startMotoServer();
  const config = { region, endpoint: url, forcePathStyle: true, credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' } };
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties!);
  // The resources the stack creates (or, for an imported bucket, names), as the template declares them.
  const s3 = new S3Client(config);
  const buckets = new Set([...ofType('AWS::S3::Bucket').map((p) => p.BucketName as string), ...bucketNames(statements)]);
  for (const bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const dynamo = new DynamoDBClient(config);
  for (const table of ofType('AWS::DynamoDB::GlobalTable')) {
    await dynamo.send(new CreateTableCommand({
      TableName: table.TableName as string, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: table.KeySchema as unknown as KeySchemaElement[], AttributeDefinitions: table.AttributeDefinitions as unknown as AttributeDefinition[],
    }));
  }
  const glue = new GlueClient(config);
  for (const db of ofType('AWS::Glue::Database')) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: (db.DatabaseInput as { Name: string }).Name } }));
  const athena = new AthenaClient(config);
  for (const wg of ofType('AWS::Athena::WorkGroup')) {
    const output = ((wg.WorkGroupConfiguration as { ResultConfiguration: { OutputLocation: string } }).ResultConfiguration).OutputLocation;
    await athena.send(new CreateWorkGroupCommand({ Name: wg.Name as string, Configuration: { ResultConfiguration: { OutputLocation: output }, EnforceWorkGroupConfiguration: true } }));
  }
  // The task's principal: an IAM user with exactly these statements, then IAM enforced for every request after.
  const keys = await iamUser(url, statements);
  const reset = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  expect(reset.ok).toBe(true);
  return { url, child, keys };
}

function bucketNames(statements: readonly Statement[]): string[] {
  const arns = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).filter((r): r is string => typeof r === 'string');
  return [...new Set(arns.filter((a) => a.startsWith('arn:aws:s3:::')).map((a) => a.slice('arn:aws:s3:::'.length).split('/')[0]!))];
}

/** IAM's query API by hand (the project has no use for the IAM SDK), before IAM is enforced. */
async function iamUser(url: string, statements: readonly Statement[]) {
  const call = async (params: Record<string, string>) => {
    const body = new URLSearchParams({ Version: '2010-05-08', ...params });
    const response = await fetch(`${url}/`, {
      method: 'POST', body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=setup/20261206/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${params.Action}: ${response.status} ${text}`);
    return text;
  };
  await call({ Action: 'CreateUser', UserName: 'cbbd-task' });
  await call({ Action: 'PutUserPolicy', UserName: 'cbbd-task', PolicyName: 'task-role', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
  const created = await call({ Action: 'CreateAccessKey', UserName: 'cbbd-task' });
  const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(created)![1]!;
  return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey') };
}

/** The container's config, with the image's paths in a temp folder and the emulator as the endpoint. */
function writeCloudConfig(cloudConfig: string, url: string): string {
  const dir = tempDir('cbbd-task-role-');
  const text = cloudConfig
    .replaceAll('/app/assets/index.ts', resolve('assets/index.ts'))
    .replaceAll('/data/', `${dir}/`)
    .replace(/^aws:\n/m, `aws:\n  endpoint: "${url}"\n`);
  expect(text).toContain(`endpoint: "${url}"`);
  const file = join(dir, 'config.cloud.yaml');
  writeFileSync(file, text);
  return file;
}

function runAsTask(lab: Lab, configFile: string, args: readonly string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env, CBBD_CONFIG: configFile, CBBD_NOW: NOW, AWS_ACCESS_KEY_ID: lab.keys.accessKeyId, AWS_SECRET_ACCESS_KEY: lab.keys.secretAccessKey, NO_COLOR: '1',
  };
  for (const name of ['CBBD_API_KEY', 'BEARER_TOKEN', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
  const r = spawnSync(process.execPath, [resolve('bin/cbbd.js'), ...args], { env, encoding: 'utf8', timeout: 400_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}

describe.runIf(motoAvailable && (infraInstalled || process.env.CBBD_REQUIRE_INFRA === '1'))('the scheduled commands under the task role the stack synthesizes', () => {
  let task: ReturnType<typeof taskOf>;
  let region: string;
  const labs: Lab[] = [];
  beforeAll(() => {
    expect(infraInstalled, 'infra/node_modules is missing: run `npm ci --prefix infra`').toBe(true);
    task = taskOf(synthesize());
    region = /^\s+region: (\S+)$/m.exec(task.cloudConfig)![1]!;
  }, 300_000);
  afterAll(() => {
    for (const l of labs) l.child.kill();
  });

  it('names only this stack\'s bucket, table, databases and workgroup', () => {
    const resolveValue = resolver(task.resources, region);
    const arns = task.statements.flatMap((s) => [resolveValue(s.Resource)].flat() as string[]);
    for (const arn of arns) {
      expect(arn, 'every resource is an ARN of this stack, never "*"').toMatch(/^arn:aws:(s3:::hoops-edge|dynamodb:[^:]+:\d+:table\/cbbd_checkpoints$|glue:[^:]+:\d+:(catalog$|database\/cbbd_|table\/cbbd_)|athena:[^:]+:\d+:workgroup\/cbbd$)/);
    }
  });

  it('runs the nightly, validate, a second nightly with nothing stale, and a query on Athena, each exiting 0 with the run log in the bucket', async () => {
    const statements = forMoto(task.statements, resolver(task.resources, region));
    const l = await lab(task.resources, region, statements);
    labs.push(l);
    const config = writeCloudConfig(task.cloudConfig, l.url);
    const bucket = /^\s+bucket: (\S+)$/m.exec(task.cloudConfig)![1]!;
    const s3 = new S3Client({ region, endpoint: l.url, forcePathStyle: true, credentials: l.keys });
    // Listed with the task's own keys, which may list the bucket.
    const runLogStamp = async () => (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'meta/runlog.sqlite' }))).Contents?.[0]?.ETag;

    const { nightly, 'weekly-validate': validate } = task.commands;
    expect(nightly, 'the stack schedules the nightly').toEqual(['materialize', '*', '--season', 'current', '--call-budget', '150']);
    const first = runAsTask(l, config, nightly!);
    expect(first.code, first.output.slice(-3000)).toBe(0);
    expect(first.stdout).toMatch(/Run \S+ succeeded in .*, 0 failed, 0 skipped/);
    const afterNightly = await runLogStamp();
    // Staging was deleted after each commit: a role without s3:DeleteObject under tmp/ would leave it here.
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tmp/' }))).Contents ?? []).toEqual([]);
    expect(afterNightly, 'the nightly put its run log in the bucket').toBeDefined();

    const checks = runAsTask(l, config, validate!);
    expect(checks.code, checks.output.slice(-3000)).toBe(0);
    // validate records its checks in the run log, which goes back to the bucket.
    expect(await runLogStamp()).not.toBe(afterNightly);

    const second = runAsTask(l, config, nightly!);
    expect(second.code, second.output.slice(-3000)).toBe(0);
    expect(second.stdout, second.stdout.slice(0, 3000)).toContain('nothing to materialize');
    expect(await runLogStamp()).toBeDefined();

    const query = runAsTask(l, config, ['query', 'select count(*) as games from silver.fct_games']);
    expect(query.code, query.output.slice(-3000)).toBe(0);
    // moto's Athena runs no SQL (it answers an empty result): what is tested here is that every call was allowed.
    expect(query.stdout).toMatch(/\(\d+ rows?\)/);
    // Nothing a run wrote was refused: no AccessDenied anywhere in what the four commands printed.
    for (const r of [first, checks, second, query]) expect(r.output).not.toMatch(/AccessDenied|not authorized/i);
    // Which AWS commands the four sent (CBBD_AWS_COMMANDS=1), for the README's count of what this test covers.
    const sent = new Set([first, checks, second, query].flatMap((r) => [...r.stderr.matchAll(/^aws: (\S+ \S+)$/gm)].map((m) => m[1]!)));
    if (process.env.CBBD_AWS_COMMANDS === '1') console.log(`AWS commands the scheduled commands sent (${sent.size}):\n${[...sent].sort().join('\n')}`);
  }, 900_000);

  it('fails when the role lacks one action the commands need (dynamodb:UpdateItem, the lease renewal)', async () => {
    const without = task.statements.map((s) => ({ ...s, Action: actionsOf(s).filter((a) => a !== 'dynamodb:UpdateItem') }));
    expect(without.flatMap(actionsOf)).not.toContain('dynamodb:UpdateItem');
    const l = await lab(task.resources, region, forMoto(without, resolver(task.resources, region)));
    labs.push(l);
    const config = writeCloudConfig(task.cloudConfig, l.url);
    const run = runAsTask(l, config, task.commands.nightly!);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("[lease:dynamodb] UpdateItem on table cbbd_checkpoints failed");
  }, 900_000);
});
