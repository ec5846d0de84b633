/**
 * The page's new routes through `app.request()`, over a real run log: the run page's data, the plan's confirmation
 * (refused with the numbers until they are confirmed), cancel requests recorded for the run's process to see,
 * re-running what failed, schedule switches, and the same guard as every state change (host, origin, token, which
 * every server has, loopback included).
 */
import { describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { RunControls } from '../../src/store/run-controls.ts';
import { createServerApp, type ServerDeps, type StartRunRequest } from '../../src/server/app.ts';
import type { RunPlanPreview } from '../../src/server/runs-route.ts';
import { failedRequest } from '../../src/server/runs-route.ts';
import { allowedHostsFor } from '../../src/server/security.ts';
import { assets } from '../fixtures/small-graph.ts';
import { RunLog } from '../../src/store/run-log.ts';
import { tempDir } from '../helpers.ts';
import { join } from 'node:path';

const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };
const graph = buildAssetGraph(assets);
const ORIGIN = 'http://127.0.0.1:3000';
const TOKEN = 'ui-token-of-the-runs-tests';

const plan = (partitions: number, quota: RunPlanPreview['quota'] = null): RunPlanPreview => ({
  partitions, assets: [{ asset: 'raw/games', partitions, expectedCalls: 3 }], expectedCalls: 3, quota, warnings: [],
});

async function server(extra: Partial<ServerDeps> = {}, planned: RunPlanPreview = plan(250)) {
  const path = join(tempDir('cbbd-runs-route-'), 'runlog.sqlite');
  const runLog = await RunLog.open(path);
  const controls = RunControls.open(path)!;
  const started: StartRunRequest[] = [];
  const switched: [string, boolean][] = [];
  const { app } = createServerApp({
    graph, runLog, window, rollingDays: 3,
    startRun: async (r) => (started.push(r), { runId: 'r20260101-000000-abcdef' }),
    planRun: async () => planned,
    cancelRun: (id, by) => controls.requestCancel(id, by),
    switchSchedule: (name, enabled) => (switched.push([name, enabled]), name === 'nightly'),
    runSchedule: (name, why) => (switched.push([`${name} now: ${why}`, true]), name === 'nightly' ? { started: true } : { refused: 'This cbbd serve does not run the schedules (standby); run it where they run.' }),
    allowedHosts: allowedHostsFor('127.0.0.1'), token: TOKEN,
    ...extra,
  });
  // As the page sends them: with the server's token unless the test says otherwise.
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => app.request(`${ORIGIN}${path}`, {
    method: 'POST', headers: { host: '127.0.0.1:3000', origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${extra.token ?? TOKEN}`, ...headers }, body: JSON.stringify(body),
  });
  return { app, runLog, controls, started, switched, post };
}

describe('the runs routes', () => {
  it('start a run over the threshold only with a confirmation naming its numbers', async () => {
    const { post, started } = await server();
    const refused = await post('/api/runs', { selection: 'raw/*', season: 2024 });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: string; needsConfirmation: boolean; plan: RunPlanPreview };
    expect(body.needsConfirmation).toBe(true);
    expect(body.error).toMatch(/^This run needs a confirmation: 250 partitions, over the 200 a run may build without confirmation\. Send it again with "confirm": \{"partitions": 250, "expectedCalls": 3\}\.$/);
    expect(started).toEqual([]);
    // Other numbers than the plan's are no confirmation.
    expect((await post('/api/runs', { selection: 'raw/*', season: 2024, confirm: { partitions: 10, expectedCalls: 3 } })).status).toBe(409);
    const ok = await post('/api/runs', { selection: 'raw/*', season: 2024, confirm: { partitions: 250, expectedCalls: 3 } });
    expect(ok.status).toBe(202);
    expect(started).toEqual([{ selection: 'raw/*', season: 2024, seasonTo: 2024 }]);
  });

  it('hold POST /api/materialize to the same confirmation', async () => {
    const { post, started } = await server();
    const refused = await post('/api/materialize', { selection: '*', season: 'all' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/^This run needs a confirmation: 250 partitions/);
    expect(started).toEqual([]);
    expect((await post('/api/materialize', { selection: '*', season: 'all', confirm: { partitions: 250, expectedCalls: 3 } })).status).toBe(202);
    expect(started).toEqual([{ selection: '*' }]);
  });

  it('start a small run at once, with its range of game days', async () => {
    const { post, started } = await server({}, plan(5));
    const ok = await post('/api/runs', { selection: 'silver/fct_games', seasonFrom: 2023, seasonTo: 2024, dateFrom: '2023-11-06', dateTo: '2023-11-20' });
    expect(ok.status).toBe(202);
    expect(started).toEqual([{ selection: 'silver/fct_games', season: 2023, seasonTo: 2024, dateFrom: '2023-11-06', dateTo: '2023-11-20' }]);
  });

  it('ask for a confirmation when the calls would eat into the month\'s reserve', async () => {
    const { app } = await server({}, { ...plan(5), expectedCalls: 900, quota: { available: 500, reserve: 1_000, afterRun: 600 } });
    const res = await app.request('/api/plan?selection=raw/*&season=2024', { headers: { host: '127.0.0.1:3000' } });
    const body = (await res.json()) as { confirmation: string[] };
    expect(body.confirmation).toEqual(['about 900 API calls, leaving 600 of the month\'s quota, under its reserve of 1000']);
  });

  it('record a cancel request for a running run, and refuse one for a run that ended', async () => {
    const { post, runLog, controls } = await server();
    const running = runLog.startRun({ selection: '*', filter: {}, partitions: [] });
    const res = await post(`/api/runs/${running}/cancel`, {});
    expect(res.status).toBe(202);
    expect(controls.cancelRequest(running)).toMatchObject({ requestedBy: 'the page' });
    const ended = runLog.startRun({ selection: '*', filter: {}, partitions: [] });
    runLog.finishRun(ended, 'succeeded', {});
    const refused = await post(`/api/runs/${ended}/cancel`, {});
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe(`Run ${ended} is not running (succeeded).`);
    expect((await post('/api/runs/r20990101-000000-000000/cancel', {})).status).toBe(404);
  });

  it('re-run the failed partitions: their assets over the smallest range of seasons and days', async () => {
    expect(failedRequest([
      { asset: 'silver/fct_games', partition: '2024|2024-01-15' }, { asset: 'bronze/games', partition: '2023|2023-02-01' },
      { asset: 'silver/fct_games', partition: '2024|2023-11-30' },
    ])).toEqual({ selection: 'bronze/games,silver/fct_games', seasonFrom: 2023, seasonTo: 2024, dateFrom: '2023-02-01', dateTo: '2024-01-15' });
    expect(failedRequest([{ asset: 'raw/teams', partition: '-' }])).toEqual({ selection: 'raw/teams' });
    const { post, runLog } = await server();
    const run = runLog.startRun({ selection: '*', filter: {}, partitions: [] });
    runLog.finishRun(run, 'succeeded', {});
    const none = await post(`/api/runs/${run}/rerun-failed`, {});
    expect(none.status).toBe(409);
    expect(((await none.json()) as { error: string }).error).toBe(`Run ${run} has no failed partitions.`);
  });

  it('switch a schedule and run one now, and answer 404 for one not in config.yaml', async () => {
    const { post, switched } = await server();
    expect((await post('/api/schedules/nightly/enabled', { enabled: false })).status).toBe(200);
    expect((await post('/api/schedules/hourly/enabled', { enabled: true })).status).toBe(404);
    expect((await post('/api/schedules/nightly/enabled', { enabled: 'no' })).status).toBe(400);
    expect((await post('/api/schedules/nightly/run', {})).status).toBe(202);
    const refused = await post('/api/schedules/weekly/run', {});
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('This cbbd serve does not run the schedules (standby); run it where they run.');
    expect(switched).toEqual([['nightly', false], ['hourly', true], ['nightly now: run now from the page', true], ['weekly now: run now from the page', true]]);
  });

  it('guard every new state change as POST /api/materialize: host, origin and token', async () => {
    const { post, started, runLog, controls, switched } = await server({ token: 'sekrit' });
    const running = runLog.startRun({ selection: '*', filter: {}, partitions: [] });
    const writes: [string, unknown][] = [
      ['/api/runs', { selection: '*', season: 2024, confirm: { partitions: 250, expectedCalls: 3 } }],
      [`/api/runs/${running}/cancel`, {}], [`/api/runs/${running}/rerun-failed`, {}], ['/api/schedules/nightly/enabled', { enabled: false }],
      ['/api/schedules/nightly/run', {}],
    ];
    for (const [path, body] of writes) {
      expect((await post(path, body, { authorization: '' })).status, `${path} without the token`).toBe(401);
      expect((await post(path, body, { authorization: `Bearer ${TOKEN}` })).status, `${path} with another token`).toBe(401);
      expect((await post(path, body, { authorization: 'Bearer sekrit', origin: 'http://evil.example' })).status, `${path} from another origin`).toBe(403);
      expect((await post(path, body, { authorization: 'Bearer sekrit', host: 'evil.example:3000', origin: 'http://evil.example:3000' })).status, `${path} to another host`).toBe(403);
      expect((await post(path, 'x'.repeat(5_000), { authorization: 'Bearer sekrit' })).status, `${path} too large`).toBe(413);
    }
    expect(started).toEqual([]);
    expect(switched).toEqual([]);
    expect(controls.cancelRequest(running)).toBeUndefined();
    // With the token, the same requests go through.
    expect((await post(`/api/runs/${running}/cancel`, {}, { authorization: 'Bearer sekrit' })).status).toBe(202);
  });

  it('serve the run page: steps per asset, progress by season, failures, events with levels', async () => {
    const { app, runLog } = await server();
    const run = runLog.startRun({ selection: '*', filter: { seasonFrom: 2023, seasonTo: 2024 }, partitions: [] });
    runLog.recordStarted(run, 'raw/games', '1', ['2023|2023-11-06', '2024|2023-11-07'], 1);
    runLog.recordFailed(run, 'raw/games', ['2024|2023-11-07'], new Error('HTTP 500 from the API'));
    runLog.recordEvent(run, 'step_finished', { asset: 'raw/games', status: 'failed' }, 'error');
    const res = await app.request(`/api/runs/${run}`, { headers: { host: '127.0.0.1:3000' } });
    const body = (await res.json()) as { run: { seasons: string }; steps: { asset: string; counts: Record<string, number> }[]; seasons: { season: string; counts: Record<string, number> }[]; failures: { partition: string; error: string }[]; events: { level: string; type: string }[] };
    expect(body.run.seasons).toBe('2023–2024');
    expect(body.steps).toMatchObject([{ asset: 'raw/games', counts: { running: 1, failed: 1 } }]);
    expect(body.seasons).toEqual([{ season: '2023', counts: { running: 1 } }, { season: '2024', counts: { failed: 1 } }]);
    expect(body.failures).toMatchObject([{ partition: '2024|2023-11-07', error: expect.stringContaining('HTTP 500') }]);
    expect(body.events.map((e) => [e.level, e.type])).toEqual([['error', 'step_finished']]);
  });
});
