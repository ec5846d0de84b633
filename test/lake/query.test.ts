/**
 * `cbbd query` cannot write and cannot read outside the lakehouse's tables, whatever the spelling: a dozen ways to
 * write or escape, each refused, and the committed lakehouse byte-for-byte unchanged afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import type { CatalogTable } from '../../src/lake/catalog/catalog.ts';
import { assertOneSelect, runReadOnlyQuery } from '../../src/lake/query/duckdb.ts';

const tables: CatalogTable[] = [
  { key: 'silver/dim_teams', columns: [{ name: 'teamId', type: 'bigint' }, { name: 'team', type: 'string' }], partitionKeys: [{ name: 'season', type: 'int' }] },
  { key: 'gold/team_power_rankings', columns: [{ name: 'teamId', type: 'bigint' }], partitionKeys: [{ name: 'season', type: 'int' }] },
];

/** Every file under `root` with its content hash. */
function fingerprint(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out[join(f.parentPath, f.name)] = createHash('sha256').update(readFileSync(join(f.parentPath, f.name))).digest('hex');
  }
  return out;
}

let root: string;
let outside: string;
let committed: string;

beforeAll(async () => {
  // One lakehouse for the whole file (the helpers' temp dirs go after each test).
  root = mkdtempSync(join(tmpdir(), 'cbbd-query-lake-'));
  outside = mkdtempSync(join(tmpdir(), 'cbbd-query-outside-'));
  committed = join(root, 'silver/dim_teams/season=2024/part-0.parquet');
  mkdirSync(join(root, 'silver/dim_teams/season=2024'), { recursive: true });
  mkdirSync(join(root, 'raw/teams/asof=2024-01-01'), { recursive: true });
  writeFileSync(join(root, 'raw/teams/asof=2024-01-01/part-0.json'), '[{"id": 1}]');
  writeFileSync(join(outside, 'secret.csv'), 'password\nhunter2\n');
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`COPY (SELECT range::BIGINT AS teamId, 'Team ' || range AS team FROM range(3)) TO '${committed}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
});

afterAll(() => {
  for (const dir of [root, outside]) rmSync(dir, { recursive: true, force: true });
});

describe('cbbd query (local DuckDB)', () => {
  it('reads the catalogued tables, with Hive keys, DESCRIBE and SUMMARIZE, and empty views for tables not built yet', async () => {
    const r = await runReadOnlyQuery(root, tables, 'select count(*) as n, min(season) as season from silver.dim_teams');
    expect(r.rows).toEqual([{ n: '3', season: 2024 }]);
    expect((await runReadOnlyQuery(root, tables, '/* how many */ with t as (from silver.dim_teams) select team from t order by teamId limit 1;')).rows).toEqual([{ team: 'Team 0' }]);
    expect((await runReadOnlyQuery(root, tables, 'describe silver.dim_teams')).rows.map((row) => row.column_name)).toEqual(['teamId', 'team', 'season']);
    expect((await runReadOnlyQuery(root, tables, 'summarize silver.dim_teams')).rows).toHaveLength(3);
    expect((await runReadOnlyQuery(root, tables, 'select count(*) as n from gold.team_power_rankings')).rows).toEqual([{ n: '0' }]);
    expect((await runReadOnlyQuery(root, tables, `select count(*) as n from read_parquet('${root}/silver/**/*.parquet')`)).rows).toEqual([{ n: '3' }]);
  });

  const dest = () => committed;
  it.each([
    ['copy', () => `copy (select 1 as pwned) to '${dest()}' (format parquet)`],
    ['explain analyze copy', () => `explain analyze copy (select 1 as pwned) to '${dest()}' (format parquet)`],
    ['a comment before copy', () => `/* select */ -- select\ncopy (select 1 as pwned) to '${dest()}' (format parquet)`],
    ['explain analyze create', () => 'explain analyze create table silver.pwned as select 1'],
    ['with ... insert', () => 'with x as (select 1) insert into silver.dim_teams select * from x'],
    ['create view', () => 'create or replace view silver.dim_teams as select 1 as pwned'],
    ['drop view', () => 'drop view silver.dim_teams'],
    ['set', () => 'set enable_external_access = true'],
    ['reset', () => 'reset allowed_directories'],
    ['pragma', () => 'pragma enable_profiling'],
    ['install', () => 'install httpfs'],
    ['attach', () => `attach '${join(root, 'silver/x.duckdb')}' as x`],
    ['export database', () => `export database '${join(root, 'silver/export')}'`],
    ['two statements', () => 'select 1; select 2'],
    ['checkpoint', () => 'checkpoint'],
  ])('refuses a write spelt as %s, and changes no file', async (_name, sql) => {
    const before = fingerprint(root);
    const attempt = runReadOnlyQuery(root, tables, sql());
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(/^(cbbd query runs|query failed: )[^\n]+$/);
    expect(fingerprint(root)).toEqual(before);
  });

  it.each([
    ['read_text of /etc/passwd', "select * from read_text('/etc/passwd')"],
    ['glob of /etc', "select * from glob('/etc/*')"],
    ['read_csv of a file beside the lakehouse', () => `select * from read_csv('${join(outside, 'secret.csv')}')`],
    ['a path that climbs out of a table', () => `select * from read_text('${root}/silver/../../${outside.split('/').pop()}/secret.csv')`],
    ['raw bodies inside the lakehouse, which are no table', () => `select * from read_text('${root}/raw/teams/asof=2024-01-01/part-0.json')`],
    ['read_blob of the lakehouse root', () => `select * from read_blob('${root}/*')`],
  ])('refuses to read %s', async (_name, sql) => {
    await expect(runReadOnlyQuery(root, tables, typeof sql === 'function' ? sql() : sql)).rejects.toThrow(/^query failed: Permission Error: .* cbbd query reads only the lakehouse tables/);
  });

  it('says what is wrong with a bad query in one line', async () => {
    await expect(runReadOnlyQuery(root, tables, 'select nope from silver.dim_teams')).rejects.toThrow(/^query failed: Binder Error: Referenced column "nope" not found[^\n]*$/);
    await expect(runReadOnlyQuery(root, tables, 'selec 1')).rejects.toThrow(/^query failed: Parser Error: [^\n]*$/);
  });
});

describe('the gate for Athena', () => {
  it('passes one SELECT that DuckDB can parse, and refuses writes and lists', async () => {
    await expect(assertOneSelect('select approx_percentile(x, 0.5) from cbbd_silver.fct_games')).resolves.toBeUndefined();
    await expect(assertOneSelect('insert into cbbd_silver.fct_games select 1')).rejects.toThrow(/read-only SELECT/);
    await expect(assertOneSelect("unload (select 1) to 's3://hoops-edge/x/'")).rejects.toThrow(/read-only SELECT/);
    await expect(assertOneSelect('select 1; select 2')).rejects.toThrow(/exactly one statement/);
    // DuckDB nests block comments, Trino does not: to Athena this is an INSERT followed by a comment.
    await expect(assertOneSelect('/* /* */ INSERT INTO cbbd_silver.t SELECT 1 -- */ SELECT 1')).rejects.toThrow(/without comments/);
    await expect(assertOneSelect('select 1 -- a note')).rejects.toThrow(/without comments/);
  });
});
