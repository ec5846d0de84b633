/**
 * A run that spends the month's quota, through the real assets, the real client and the simulator over HTTP (demo
 * scale): the run stops taking new steps, what it could not fetch stays stale and nothing of it is committed; when the
 * simulator's clock reaches the next month the same selection completes the rest, asking only for what is missing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { cbbdSource, type CbbdSource } from '../../src/cbbd/source.ts';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { quotaBudget, quotaStatus, quotaStopRule } from '../../src/core/budget/quota.ts';
import { planSelection, runPlanned, type Project, type SelectionRequest } from '../../src/core/run-selection.ts';
import { RunLog } from '../../src/store/run-log.ts';
import { sqliteCheckpoints } from '../../src/lake/checkpoints/sqlite.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';

const REQUEST: SelectionRequest = { selection: 'raw/games,raw/plays', filter: { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2024-01-01', dateTo: '2024-01-31' } };
let clock = new Date('2024-04-20T10:00:00Z');
let dir: string;
let sim: RunningSim;
let source: CbbdSource;
let runLog: RunLog;
let project: Project;

beforeAll(async () => {
  dir = tempDir('cbbd-quota-run-');
  // Enough for the season's game windows and a few days of plays, not for three weeks of them.
  sim = await startSimulator({ seed: 11, scale: 'demo', now: () => clock, monthlyCallQuota: 20 });
  runLog = await RunLog.open(join(dir, 'runlog.sqlite'), { clock: () => clock.getTime() });
  source = cbbdSource({
    apiKey: 'quota-run-test-key', baseUrl: sim.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 4, timeoutMs: 30_000, retries: 2,
  }, silentLogger(), undefined, undefined, (name, call) => runLog.recordApiCall({ source: name, ...call }));
  const window = { firstSeason: 2024, lastSeason: 2024, start: '11-01', end: '04-30' };
  const checkpoints = sqliteCheckpoints(join(dir, 'checkpoints.sqlite'));
  const storage = localStorage(join(dir, 'lakehouse'));
  const graph = buildAssetGraph(createAssets({ source, storage, window, gameCap: 3_000, now: () => clock, rollingDays: 3, checkpoints }));
  project = { graph, runLog, checkpoints, window, rollingDays: 3, materialize: { concurrency: 1, retries: 2, retryMinDelayMs: 10 }, now: () => clock };
}, 60_000);
afterAll(async () => {
  await runLog.close();
  await source.close();
  await sim.close();
});

/** `cbbd materialize` with its quota check and stop rule, as of the clock. */
async function materialize(allowOverQuota: boolean) {
  const status = quotaStatus(source.ledgerName, clock, (m, d) => runLog.apiCallUsage(source.ledgerName, m, d));
  const budget = quotaBudget(status, '10%');
  const planned = await planSelection(project, REQUEST);
  const callsBefore = sim.stats.total + sim.stats.quotaRefused;
  const result = await runPlanned(project, planned, { stopTakingSteps: quotaStopRule(source.quota, '10%', { ...(budget && { budget }), allowOverQuota }) });
  return { result, calls: sim.stats.total + sim.stats.quotaRefused - callsBefore };
}

const playsDays = () => (existsSync(join(dir, 'lakehouse/raw/plays/season=2024')) ? readdirSync(join(dir, 'lakehouse/raw/plays/season=2024')).sort() : []);

describe('a run that spends the month\'s quota', () => {
  it('stops cleanly, leaves what it could not fetch stale, and the next month completes the rest', async () => {
    const april = await materialize(true);
    expect(april.result.stopped).toMatch(/the API said the month's call quota is spent/);
    expect(april.result.status).toBe('failed');
    expect(sim.stats.quotaRefused).toBeGreaterThan(0);
    const failedOrSkipped = april.result.steps.filter((s) => s.status !== 'succeeded').flatMap((s) => [...s.failed, ...s.skipped]);
    expect(failedOrSkipped.length).toBeGreaterThan(0);
    // Nothing of a partition that failed was committed, and the staging area is empty.
    const committed = new Set(playsDays());
    for (const p of failedOrSkipped) expect(committed.has(`date=${p.split('|')[1]}`)).toBe(false);
    expect(existsSync(join(dir, 'lakehouse/tmp')) ? readdirSync(join(dir, 'lakehouse/tmp')) : []).toEqual([]);
    // What it could not fetch is stale, and the plan says so.
    const stale = (await planSelection(project, REQUEST)).plan;
    expect(stale.steps.flatMap((s) => s.partitions.map((p) => p.key)).sort()).toEqual([...failedOrSkipped].sort());
    // The ledger has every call of the month (a failed step's sibling requests may still be landing) and its figure.
    await vi.waitFor(() => {
      const status = quotaStatus(source.ledgerName, clock, (m, d) => runLog.apiCallUsage(source.ledgerName, m, d));
      expect(status).toMatchObject({ month: '2024-04', callsThisMonth: sim.stats.total + sim.stats.quotaRefused, lastFigure: { remaining: 0, thisMonth: true } });
    });

    clock = new Date('2024-05-01T10:00:00Z');
    const may = await materialize(false);
    expect(may.result).toMatchObject({ status: 'succeeded' });
    expect(may.result.stopped).toBeUndefined();
    expect(may.calls).toBeLessThanOrEqual(18); // within the month's quota less its reserve
    expect((await planSelection(project, REQUEST)).plan.stalePartitions).toBe(0);
    const built = playsDays();
    expect(built.length).toBeGreaterThan(committed.size);
    expect(built.every((d) => d >= 'date=2024-01-01' && d <= 'date=2024-01-31')).toBe(true);
  }, 120_000);
});
