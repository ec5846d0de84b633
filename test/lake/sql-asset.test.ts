/**
 * SQL assets through the kernel: a day table and a running total over the earlier days of its season
 * (`earlier_dates`), on a real local lakehouse and run log. What a user of `defineSqlAsset` relies on: inputs are
 * exactly the mapped partitions (the first day reads none, and gets an empty relation, not an error); the result is
 * checked against the declared schema before anything is written; duplicate keys fail the partition's check and
 * nothing is committed; and a late change to one day restales exactly the later days.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AssetDefinition, AssetSpec, ColumnSpec } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { buildPlan } from '../../src/core/planner.ts';
import { loadPlannerState, runSelection, type Project } from '../../src/core/run-selection.ts';
import { catalogTables } from '../../src/lake/catalog/catalog.ts';
import { runReadOnlyQuery } from '../../src/lake/query/duckdb.ts';
import { defineSqlAsset } from '../../src/authoring/sql-asset.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { DATE_KEY, SEASON_KEY } from '../../src/lake/table-layout.ts';
import { openRunLog, tempDir } from '../helpers.ts';

/** Five days of one season: Dec 28, 2023 to Jan 1, 2024. */
const window = { firstSeason: 2024, lastSeason: 2024, start: '12-28', end: '01-01' };
const now = () => new Date('2024-02-01T12:00:00Z');
const DAY = { kind: 'season_date' } as const;
const col = (name: string, type: string): ColumnSpec => ({ name, type });

function project(root: string, daySql: { sql: string }, totalSql = `SELECT t.team, coalesce(sum(s.points), 0)::BIGINT AS points_before, count(s.team)::INTEGER AS days_before
  FROM (VALUES ('a'), ('b')) t(team) LEFT JOIN scores s USING (team) GROUP BY t.team`): { definitions: AssetDefinition[] } {
  const storage = localStorage(root);
  const defined = new Map<string, AssetSpec>();
  const add = (a: AssetDefinition) => (defined.set(a.key, a), a);
  const scores = add(defineSqlAsset(storage, {
    key: 'silver/test_scores', description: 'Points per team and day.', partitions: DAY, inputs: {},
    get sql() {
      return daySql.sql;
    },
    schema: { columns: [col('team', 'string'), col('points', 'bigint'), SEASON_KEY, DATE_KEY], primaryKey: ['team', 'season', 'date'] },
  }, (k) => defined.get(k)));
  const totals = add(defineSqlAsset(storage, {
    key: 'gold/test_points_before', description: 'Points of each team before each day.', partitions: DAY, batch: { maxPartitions: 10 },
    inputs: { scores: { key: 'silver/test_scores', mapping: 'earlier_dates' } },
    sql: totalSql,
    schema: { columns: [col('team', 'string'), col('points_before', 'bigint'), col('days_before', 'int'), SEASON_KEY, DATE_KEY], primaryKey: ['team', 'season', 'date'] },
  }, (k) => defined.get(k)));
  return { definitions: [scores, totals] };
}

async function run(root: string, definitions: AssetDefinition[], selection = '*', force = false) {
  const graph = buildAssetGraph(definitions);
  const runLog = await openRunLog();
  return { graph, runLog, run: (p: Project) => runSelection(p, { selection, force }) };
}

describe('SQL assets', () => {
  it('read exactly the partitions their mapping gives, the first day none at all', async () => {
    const root = join(tempDir('cbbd-sql-'), 'lakehouse');
    // Day N of the season scores N points for a and 10*N for b: before day 4, a has 1+2+3 = 6 and b 60.
    const n = `(getvariable('date')::DATE - DATE '2023-12-27')::BIGINT`;
    const { definitions } = project(root, { sql: `SELECT * FROM (VALUES ('a', ${n}), ('b', 10 * ${n})) v(team, points)` });
    const { graph, runLog } = await run(root, definitions);
    const p: Project = { graph, runLog, window, rollingDays: 0, materialize: { concurrency: 1, retries: 0 }, now };
    const result = await runSelection(p, { selection: '*' });
    expect(result.status).toBe('succeeded');
    const { rows } = await runReadOnlyQuery(root, catalogTables(definitions), 'SELECT date, team, points_before, days_before FROM gold.test_points_before ORDER BY date, team');
    expect(rows.map((r) => Object.values(r).map(String).join(' '))).toEqual([
      '2023-12-28 a 0 0', '2023-12-28 b 0 0',
      '2023-12-29 a 1 1', '2023-12-29 b 10 1',
      '2023-12-30 a 3 2', '2023-12-30 b 30 2',
      '2023-12-31 a 6 3', '2023-12-31 b 60 3',
      '2024-01-01 a 10 4', '2024-01-01 b 100 4',
    ]);
  });

  it('a late change to one day restales exactly the later days downstream; an identical rebuild restales nothing', async () => {
    const root = join(tempDir('cbbd-sql-'), 'lakehouse');
    const daySql = { sql: `SELECT * FROM (VALUES ('a', 1::BIGINT), ('b', 2::BIGINT)) v(team, points)` };
    const { definitions } = project(root, daySql);
    const { graph, runLog } = await run(root, definitions);
    const p: Project = { graph, runLog, window, rollingDays: 0, materialize: { concurrency: 1, retries: 0 }, now };
    expect((await runSelection(p, { selection: '*' })).status).toBe('succeeded');
    const stalePlan = async () => {
      const plan = buildPlan(graph, 'gold/test_points_before', await loadPlannerState(p), { window, rollingDays: 0 });
      return plan.steps.flatMap((s) => s.partitions.map((x) => x.key));
    };
    // The same data again: the day's data version is unchanged, so nothing downstream is stale.
    expect((await runSelection(p, { selection: 'silver/test_scores', force: true })).status).toBe('succeeded');
    expect(await stalePlan()).toEqual([]);
    // Day 3 corrected: days 4 and 5 read it, days 1-3 do not.
    daySql.sql = `SELECT * FROM (VALUES ('a', CASE WHEN getvariable('date') = '2023-12-30' THEN 5 ELSE 1 END::BIGINT), ('b', 2::BIGINT)) v(team, points)`;
    expect((await runSelection(p, { selection: 'silver/test_scores', force: true })).status).toBe('succeeded');
    expect(await stalePlan()).toEqual(['2024|2023-12-31', '2024|2024-01-01']);
  });

  it('refuse a result whose columns or types differ from the declared schema, before writing anything', async () => {
    const root = join(tempDir('cbbd-sql-'), 'lakehouse');
    const { definitions } = project(root, { sql: `SELECT 'a' AS team, 1.5 AS points` });
    const { graph, runLog } = await run(root, definitions);
    const p: Project = { graph, runLog, window, rollingDays: 0, materialize: { concurrency: 1, retries: 0 }, now };
    const result = await runSelection(p, { selection: 'silver/test_scores' });
    expect(result.status).toBe('failed');
    expect(result.steps[0]!.error).toMatch(/does not match the declared schema: points is DECIMAL\(2,1\), declared bigint \(BIGINT\): cast it in the SQL/);
    expect(existsSync(join(root, 'silver/test_scores'))).toBe(false);

    const extra = project(root, { sql: `SELECT 'a' AS team, 1::BIGINT AS points, 2 AS bonus` });
    const second = await runSelection({ ...p, graph: buildAssetGraph(extra.definitions) }, { selection: 'silver/test_scores' });
    expect(second.steps[0]!.error).toMatch(/column\(s\) the schema does not declare \(bonus\)/);
  });

  it('fail the keys check on a duplicate key and commit nothing of that partition', async () => {
    const root = join(tempDir('cbbd-sql-'), 'lakehouse');
    const { definitions } = project(root, { sql: `SELECT * FROM (VALUES ('a', 1::BIGINT), ('a', 2::BIGINT)) v(team, points)` });
    const { graph, runLog } = await run(root, definitions);
    const p: Project = { graph, runLog, window, rollingDays: 0, materialize: { concurrency: 1, retries: 0 }, now };
    const result = await runSelection(p, { selection: 'silver/test_scores', filter: { dateFrom: '2023-12-28', dateTo: '2023-12-28' } });
    expect(result.status).toBe('failed');
    const checks = await runLog.checkResultsOf('silver/test_scores');
    expect(checks).toEqual([expect.objectContaining({ name: 'keys_unique_not_null', passed: false, detail: '0 row(s) without a key, 1 duplicate key(s)' })]);
    expect(existsSync(join(root, 'silver/test_scores/season=2024/date=2023-12-28'))).toBe(false);
  });
});
