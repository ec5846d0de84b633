/**
 * The cloud deployment end to end on the AWS emulator (moto): S3 storage, DynamoDB checkpoints and run-log lease,
 * the Glue catalog, Athena for `cbbd query`. The star schema and a gold table, as `cbbd materialize` builds them locally.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetPartitionsCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { SILVER_TABLES } from '../../assets/silver/tables.ts';
import { awsClientConfig } from '../../src/lake/aws.ts';
import { awsSettings, moto, motoAvailable, uniqueName } from '../aws.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');

function cbbd(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 400_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!motoAvailable)(`cloud mode on the emulator (${moto})`, () => {
  it('fills S3, registers Glue tables and partitions, keeps checkpoints and the run log, and leases the run log', async () => {
    const dir = tempDir('cbbd-cloud-');
    const bucket = uniqueName('hoops-edge');
    const table = uniqueName('cbbd_checkpoints');
    const s3 = new S3Client(awsClientConfig(awsSettings));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${resolve('assets/index.ts')}`,
      'seasons: { first: 2024, last: 2024 }',
      `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
      'drivers: { storage: s3, checkpoints: dynamodb, catalog: glue }',
      `aws: { region: us-east-1, bucket: ${bucket}, checkpointTable: ${table}, endpoint: "${moto}" }`,
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;

    // The star schema and one gold table (the play-by-play derivations' hundreds of day partitions are tested locally).
    const selection = [...SILVER_TABLES.map((t) => `silver/${t.name}`), 'gold/market_lines_analysis'].join(',');
    const run = cbbd(env, 'materialize', selection, '--season', '2024');
    expect(run.stdout + run.stderr.slice(-2000)).toMatch(/succeeded in .*, 0 failed, 0 skipped/);
    expect(run.code).toBe(0);

    const keys = async (prefix: string) => (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents?.map((o) => o.Key!) ?? [];
    expect((await keys('silver/fct_plays/season=2024/')).some((k) => /date=\d{4}-\d\d-\d\d\/part-0\.parquet$/.test(k))).toBe(true);
    expect(await keys('tmp/')).toEqual([]);
    // The run log, and each run's summary (meta/runs/<run id>.json) written through the same storage.
    const meta = await keys('meta/');
    expect(meta).toContain('meta/runlog.sqlite');
    expect(meta.filter((k) => k !== 'meta/runlog.sqlite').length).toBeGreaterThan(0);
    expect(meta.filter((k) => k !== 'meta/runlog.sqlite').every((k) => /^meta\/runs\/r[\w-]+\.json$/.test(k))).toBe(true);

    const glue = new GlueClient(awsClientConfig(awsSettings));
    const silver = (await glue.send(new GetTablesCommand({ DatabaseName: 'cbbd_silver' }))).TableList ?? [];
    // Every declared table is registered when a writing command starts, built or not.
    const derivations = ['fct_pbp_plays_enriched', 'fct_pbp_game_teams_flat', 'fct_pbp_game_teams_flat_garbage_removed', 'fct_game_teams_without_plays', 'fct_pbp_team_daily_rollup', 'fct_pbp_team_daily_rollup_adj', 'fct_pbp_team_daily_rollup_garbage_removed'];
    expect(silver.map((t) => t.Name).sort()).toEqual([...SILVER_TABLES.map((t) => t.name), ...derivations].sort());
    const market = (await glue.send(new GetPartitionsCommand({ DatabaseName: 'cbbd_gold', TableName: 'market_lines_analysis' }))).Partitions ?? [];
    expect(market.map((p) => p.Values)).toEqual([['2024']]);
    const marketRows = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'gold/market_lines_analysis/season=2024/' }))).Contents ?? [];
    expect(marketRows.map((o) => o.Key)).toEqual(['gold/market_lines_analysis/season=2024/part-0.parquet']);
    const games = (await glue.send(new GetTableCommand({ DatabaseName: 'cbbd_silver', Name: 'fct_games' }))).Table!;
    expect(games.PartitionKeys?.map((k) => `${k.Name}:${k.Type}`)).toEqual(['season:int', 'date:string']);
    expect(games.StorageDescriptor?.Columns?.find((c) => c.Name === 'homepoints')?.Type).toBe('int');
    expect(games.StorageDescriptor?.Location).toBe(`s3://${bucket}/silver/fct_games/`);
    const partitions = (await glue.send(new GetPartitionsCommand({ DatabaseName: 'cbbd_silver', TableName: 'fct_games' }))).Partitions ?? [];
    expect(partitions.length).toBeGreaterThan(50);
    expect(partitions.every((p) => p.Values?.[0] === '2024' && /^\d{4}-\d\d-\d\d$/.test(p.Values[1]!))).toBe(true);
    const bronzeGames = (await glue.send(new GetTableCommand({ DatabaseName: 'cbbd_bronze', Name: 'games' }))).Table!;
    expect(bronzeGames.StorageDescriptor?.Columns?.map((c) => c.Name)).toContain('homeperiodpoints');
    // The season is in the path only, as in the files: Glue's columns are the files' columns, its key is an int.
    expect(bronzeGames.StorageDescriptor?.Columns?.map((c) => c.Name)).not.toContain('season');
    expect(bronzeGames.PartitionKeys?.map((k) => `${k.Name}:${k.Type}`)).toEqual(['season:int']);

    const dynamo = new DynamoDBClient(awsClientConfig(awsSettings));
    const checkpoints = await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    expect(checkpoints.Count).toBeGreaterThan(100);

    // The run log came back from meta/: a second run finds nothing to do.
    const again = cbbd(env, 'materialize', selection, '--season', '2024');
    expect(again.stdout).toContain('nothing to materialize');

    const athena = cbbd(env, 'query', 'select count(*) from silver.fct_games');
    expect(athena.code, athena.stderr).toBe(0);

    // Another task holding the lease: this run is refused and says who and since when.
    await dynamo.send(new PutItemCommand({
      TableName: table,
      Item: {
        endpoint: { S: '#lease' }, parameter_hash: { S: 'meta/runlog.sqlite' }, holder: { S: 'other' }, host: { S: 'fargate-task-7' }, pid: { N: '1' },
        since: { N: String(Date.parse('2026-01-01T02:00:00Z')) }, expires_at: { N: String(Date.now() + 3_600_000) },
      },
    }));
    const refused = cbbd(env, 'materialize', selection, '--season', '2024', '--force');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Another run holds the cloud run log: fargate-task-7 (pid 1) since 2026-01-01T02:00:00.000Z');
  }, 600_000);
});
