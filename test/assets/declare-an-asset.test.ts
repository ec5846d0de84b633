/**
 * Declaring an asset that reads two silver tables (test/fixtures/team-game-counts.ts): one file and one line in the
 * project's asset list, no storage path by hand. Run end to end through the kernel's one entry point against the
 * simulator, it builds what it needs upstream and writes one row per team that played, with the games it played.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cbbdSource } from '../../src/cbbd/source.ts';
import { startSimulator } from '../../src/sim/serve.ts';
import { defineAsset } from '../../src/core/asset.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { runSelection, type Project } from '../../src/core/run-selection.ts';
import { catalogTables } from '../../src/lake/catalog/catalog.ts';
import { sqliteCheckpoints } from '../../src/lake/checkpoints/sqlite.ts';
import { runReadOnlyQuery } from '../../src/lake/query/duckdb.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { createAssets } from '../fixtures/project-plus.ts';
import { openRunLog, tempDir } from '../helpers.ts';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('an asset reading two silver tables', () => {
  it('is built with everything upstream of it, from the partitions its inputs map to', async () => {
    const dir = tempDir('cbbd-declare-');
    const now = () => new Date('2024-06-01T12:00:00Z');
    const sim = await startSimulator({ seed: 5, scale: 'demo', now });
    const source = cbbdSource({
      apiKey: 'declare-test-key', baseUrl: sim.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 4, timeoutMs: 30_000, retries: 1,
    }, silentLogger());
    const checkpoints = sqliteCheckpoints(join(dir, 'checkpoints.sqlite'));
    closers.push(() => sim.close(), () => source.close(), () => checkpoints.close());
    const window = { firstSeason: 2024, lastSeason: 2024, start: '11-01', end: '04-30' };
    const root = join(dir, 'lakehouse');
    const definitions = createAssets({ source, storage: localStorage(root), window, gameCap: 3_000, now, rollingDays: 3, checkpoints });
    const graph = buildAssetGraph(definitions);
    const project: Project = { graph, runLog: await openRunLog(), checkpoints, window, rollingDays: 3, materialize: { concurrency: 2, retries: 0 }, now };

    const result = await runSelection(project, { selection: '+gold/test_team_games', filter: { seasonFrom: 2024, seasonTo: 2024 } });
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => s.asset)).toEqual(expect.arrayContaining(['raw/games', 'raw/teams', 'silver/fct_games', 'silver/dim_teams', 'gold/test_team_games']));

    const tables = catalogTables(definitions);
    const { rows } = await runReadOnlyQuery(root, tables, `
      with played as (select unnest([homeTeamId, awayTeamId]) as teamId from silver.fct_games)
      select (select count(*) from gold.test_team_games) as teams,
             (select count(distinct teamId) from played) as expected_teams,
             (select sum(games) from gold.test_team_games) as appearances,
             (select count(*) from played) as expected_appearances,
             (select count(*) from gold.test_team_games where season <> 2024) as other_seasons`);
    const [figures] = rows as Record<string, string>[];
    expect(Number(figures!.teams)).toBeGreaterThan(50);
    expect(figures).toMatchObject({ teams: figures!.expected_teams, appearances: figures!.expected_appearances, other_seasons: '0' });
  });

  it('may read only what it declares: an undeclared input is a definition error, and the step is not retried', async () => {
    const graph = buildAssetGraph([
      defineAsset({ key: 'raw/a', partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx) => ctx.partitions.map((partition) => ({ partition, dataVersion: 'a' }))),
      defineAsset({ key: 'raw/b', partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx) => ctx.partitions.map((partition) => ({ partition, dataVersion: 'b' }))),
      defineAsset({ key: 'silver/c', deps: ['raw/a'], partitions: { kind: 'season' }, codeVersion: '1' }, async (ctx) => {
        ctx.inputPartitions('raw/b');
        return [];
      }),
    ]);
    const window = { firstSeason: 2024, lastSeason: 2024, start: '11-01', end: '04-30' };
    const project: Project = { graph, runLog: await openRunLog(), window, rollingDays: 3, materialize: { concurrency: 1, retries: 3, retryMinDelayMs: 1 } };
    const result = await runSelection(project, { selection: '*' });
    const step = result.steps.find((s) => s.asset === 'silver/c')!;
    expect(step).toMatchObject({ status: 'failed', attempts: 1 });
    expect(step.error).toBe('silver/c reads raw/b, which it does not declare as a dependency (deps: raw/a). Add "raw/b" to its deps.');
  });
});
