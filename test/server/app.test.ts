import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { runSelection, type Project } from '../../src/core/run-selection.ts';
import type { RunLog } from '../../src/store/run-log.ts';
import { createServerApp, type ServerDeps } from '../../src/server/app.ts';
import { assets } from '../fixtures/small-graph.ts';
import { HERE, stampText } from '../../src/core/process-alive.ts';
import { openRunLog, runLogFile, tempDir } from '../helpers.ts';

const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };
const graph = buildAssetGraph(assets);

/** A run log where everything of season 2024 was built once, then raw/games 2024-03-02 failed. */
async function world(): Promise<RunLog> {
  process.env.CBBD_TEST_OUT = join(tempDir(), 'out');
  mkdirSync(process.env.CBBD_TEST_OUT, { recursive: true });
  const runLog = await openRunLog();
  const project: Project = { graph, runLog, window, rollingDays: 3, materialize: { concurrency: 2, retries: 0 } };
  await runSelection(project, { selection: '*', filter: { seasonFrom: 2024, seasonTo: 2024 } });
  process.env.CBBD_TEST_FAIL = 'raw/games:2024|2024-03-02';
  await runSelection(project, { selection: 'raw/games', force: true, filter: { seasonFrom: 2024, seasonTo: 2024, dateFrom: '2024-03-02', dateTo: '2024-03-02' } });
  delete process.env.CBBD_TEST_FAIL;
  return runLog;
}

function app(runLog: RunLog, extra: Partial<ServerDeps> = {}) {
  return createServerApp({ graph, runLog, window, rollingDays: 3, token: 'ui-token-1234567', ...extra }).app;
}

describe('the JSON API', () => {
  it('lists every asset with its state, counts and dependencies', async () => {
    const res = await app(await world()).request('/api/assets?season=2024');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assets: { key: string; state: string; counts: Record<string, number>; deps: string[] }[] };
    expect(body.assets.map((a) => a.key)).toEqual(graph.order);
    const byKey = Object.fromEntries(body.assets.map((a) => [a.key, a]));
    expect(byKey['raw/games']).toMatchObject({ state: 'failed', counts: { fresh: 3, failed: 1, stale: 0, missing: 0, running: 0 } });
    expect(byKey['silver/fct_games']!.deps).toEqual(['bronze/games', 'silver/dim_teams']);
    expect(byKey['raw/teams']!.state).toBe('fresh');
    // The page's season filter offers the configured window's seasons, not a guess from today's date.
    expect((body as unknown as { seasons: unknown }).seasons).toEqual({ first: 2023, last: 2024 });
  });

  it('plans as the commands do: a run whose process is gone is recovered, its partition no longer shown running', async () => {
    const runLog = await world();
    const orphan = runLog.startRun({ selection: 'raw/teams', filter: {}, partitions: [{ asset: 'raw/teams', partition: '2024' }] });
    runLog.recordStarted(orphan, 'raw/teams', '1', ['2024'], 1);
    runLogFile(runLog).prepare('UPDATE runs SET process = ? WHERE id = ?').run(stampText({ where: HERE, pid: 999999999, started: '0' }), orphan);
    type Body = { assets: { key: string; counts: Record<string, number> }[] };
    const teams = async (extra: Partial<ServerDeps>) => ((await (await app(runLog, extra).request('/api/assets?season=2024')).json()) as Body).assets.find((x) => x.key === 'raw/teams')!.counts;
    // Without the recovery (the server's own copy of the state, before): the killed run's partition reads running.
    expect((await teams({})).running).toBe(1);
    expect((await teams({ recoverOrphans: () => runLog.recoverOrphans() })).running).toBe(0);
    expect((await runLog.getRun(orphan))?.status).toBe('failed');
  });

  it("gives an asset's details and its partition grid, a season a page, with each stale partition's reason", async () => {
    const a = app(await world());
    const detail = (await (await a.request('/api/assets/bronze/games')).json()) as { codeVersion: string; schema: { primaryKey: string[] }; checks: unknown[]; materializations: unknown[] };
    expect(detail.codeVersion).toBe('1');
    expect(detail.schema.primaryKey).toEqual(['gameId']);
    expect(detail.checks.length).toBeGreaterThan(0);
    expect(detail.materializations.length).toBeGreaterThan(0);
    const grid = (await (await a.request('/api/assets/raw/games/partitions?season=2024')).json()) as { seasons: number[]; partitions: { key: string; state: string; reason: string | null }[] };
    expect(grid.partitions.map((p) => p.key)).toEqual(['2024|2023-11-06', '2024|2023-11-07', '2024|2023-11-09', '2024|2024-03-02']);
    expect(grid.partitions.at(-1)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^failed last time: injected failure/) });
  });

  it('answers at once while a run writes (the last snapshot, refreshed after the answer within a second), and exactly once it ended', async () => {
    const runLog = await world();
    const a = app(runLog);
    type Body = { computedAt: string; assets: { key: string; counts: Record<string, number> }[] };
    const get = async () => (await (await a.request('/api/assets?season=2024')).json()) as Body;
    const running = (b: Body) => b.assets.find((x) => x.key === 'raw/games')!.counts.running;
    const before = await get();
    const runId = runLog.startRun({ selection: 'raw/games', filter: {}, partitions: [{ asset: 'raw/games', partition: '2024|2024-03-02' }] });
    const during = await get();
    expect(during.computedAt, 'answered from the last snapshot, not planned on the request path').toBe(before.computedAt);
    await new Promise((r) => setTimeout(r, 1_300));
    const refreshed = await get();
    expect(refreshed.computedAt > before.computedAt).toBe(true);
    expect(running(refreshed)).toBe(1);
    runLog.finishRun(runId, 'cancelled', {});
    const after = await get();
    expect(running(after), 'a finished run is never shown as still going').toBe(0);
  });

  it.each([
    ['/api/assets?season=1999', 400, /outside the configured range/],
    ['/api/assets?season=abcd', 400, /not a season/],
    ['/api/assets?selection=silver/fct_game', 400, /Did you mean "silver\/fct_games"/],
    ['/api/assets/silver/fct_game', 404, /Did you mean "silver\/fct_games"/],
    ['/api/assets/raw/..%2F..%2Fetc%2Fpasswd', 400, /is not an asset key/],
    ['/api/assets/..%2F..%2Fetc/passwd/partitions', 400, /is not an asset key/],
    ['/api/assets/raw/games/partitions?season=2024-02-30', 400, /not a season/],
    ['/api/runs/..%2Fetc', 400, /is not a run id/],
    ['/api/runs/r20240101-000000-abcdef', 404, /No run/],
  ])('%s answers %i with JSON', async (path, status, message) => {
    const res = await app(await world()).request(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('protects runs: another origin is refused, a missing or wrong token is refused, the right one starts a run', async () => {
    const started: unknown[] = [];
    const a = app(await world(), { token: 'ui-token-1234567', startRun: async (r) => (started.push(r), { runId: 'r20260101-000000-abcdef' }) });
    const post = (headers: Record<string, string>) => a.request('http://127.0.0.1:3000/api/materialize', {
      method: 'POST', headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', ...headers }, body: JSON.stringify({ selection: 'raw/*', season: 2024 }),
    });
    expect((await post({ origin: 'http://evil.example', authorization: 'Bearer ui-token-1234567' })).status).toBe(403);
    expect((await post({ origin: 'http://127.0.0.1:3000' })).status).toBe(401);
    expect((await post({ origin: 'http://127.0.0.1:3000', authorization: 'Bearer wrong-token-00000' })).status).toBe(401);
    expect(started).toEqual([]);
    const ok = await post({ origin: 'http://127.0.0.1:3000', authorization: 'Bearer ui-token-1234567' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ runId: 'r20260101-000000-abcdef' });
    expect(started).toEqual([{ selection: 'raw/*', season: 2024 }]);
  });

  it('lists runs and shows one with its steps and log', async () => {
    const a = app(await world());
    const { runs } = (await (await a.request('/api/runs')).json()) as { runs: { id: string; status: string }[] };
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    // One step per asset (the run page's timeline), each with its partitions counted by outcome.
    const run = (await (await a.request(`/api/runs/${runs[1]!.id}`)).json()) as { steps: { counts: Record<string, number> }[]; events: { type: string }[] };
    expect(run.steps.length).toBeGreaterThan(3);
    expect(run.steps.reduce((n, s) => n + (s.counts.succeeded ?? 0), 0)).toBeGreaterThan(10);
    expect(run.events.at(-1)!.type).toBe('run_finished');
  });

  it('serves the page and its scripts itself, with nothing fetched from another host', async () => {
    const a = app(await world());
    for (const path of ['/', '/ui/app.js', '/ui/style.css', '/ui/graph-view.js', '/ui/runs-view.js', '/ui/vendor/dagre.js']) {
      const res = await a.request(path);
      expect(res.status).toBe(200);
      expect(await res.text()).not.toMatch(/(src|href)=["']https?:|import .* from ['"]https?:|url\(https?:/);
    }
    expect((await a.request('/')).headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
