/** `GET /api/schedules` through the real app, a real run log and the real schedule views: what the page's panel shows. */
import { describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { ScheduleLog } from '../../src/store/schedule-log.ts';
import { schedulesView } from '../../src/schedule/schedule-views.ts';
import { createServerApp } from '../../src/server/app.ts';
import { assets } from '../fixtures/small-graph.ts';
import { openRunLog } from '../helpers.ts';

const graph = buildAssetGraph(assets);
const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };
const schedules = {
  nightly: { cron: '0 8 * * *', timezone: 'UTC', command: ['materialize', '*', '--season', 'current'], enabled: true },
  weekly: { cron: '0 12 * * 0', timezone: 'America/New_York', command: ['validate'], enabled: false },
};

async function fixture() {
  let at = Date.parse('2026-02-10T08:00:01Z');
  const runLog = await openRunLog(() => at);
  const scheduleLog = ScheduleLog.open(runLog.path, () => at);
  expect(scheduleLog.claimScheduler('cbbd serve')).toEqual({ held: true });
  const ran = scheduleLog.tickStarted({ schedule: 'nightly', plannedAt: Date.parse('2026-02-10T08:00:00Z'), missed: true, command: schedules.nightly.command }, 4242);
  at += 60_000;
  scheduleLog.tickEnded(ran, { outcome: 'ran', exitCode: 0, runId: 'r20260210-080002-abcdef', reason: '2 tick(s) missed while no scheduler ran' });
  at = Date.parse('2026-02-11T08:00:01Z');
  scheduleLog.tickSkipped({ schedule: 'nightly', plannedAt: Date.parse('2026-02-11T08:00:00Z'), missed: false, command: schedules.nightly.command }, 'run r1 (pid 7 on box, selection "*", since 2026-02-11T07:00:00.000Z) is running');
  expect(scheduleLog.heartbeat()).toBe(true); // a day later the holder is still beating
  const view = () => ({ ...schedulesView(schedules, scheduleLog, new Date('2026-02-11T09:00:00Z')), thisServer: { state: 'active', activeTick: null } });
  return { runLog, scheduleLog, view };
}

describe('GET /api/schedules', () => {
  it('answers each schedule with its cron, zone, command, next tick and recent ticks, newest first, and who runs them', async () => {
    const { runLog, scheduleLog, view } = await fixture();
    const { app } = createServerApp({ graph, runLog, window, rollingDays: 3, schedules: view, token: 'ui-token-123456' });
    const response = await app.request('http://127.0.0.1/api/schedules');
    expect(response.status).toBe(200);
    const body = await response.json() as { scheduler: unknown; schedules: { name: string; recentTicks: unknown[] }[]; thisServer: unknown };
    expect(body.scheduler).toMatchObject({ pid: process.pid, label: 'cbbd serve' });
    expect(body.thisServer).toEqual({ state: 'active', activeTick: null });
    expect(body.schedules[0]).toMatchObject({
      name: 'nightly', cron: '0 8 * * *', timezone: 'UTC', command: ['materialize', '*', '--season', 'current'], enabled: true,
      nextTick: '2026-02-12T08:00:00.000Z',
      lastTick: { plannedAt: '2026-02-11T08:00:00.000Z', outcome: 'skipped', reason: expect.stringContaining('run r1 (pid 7 on box'), missed: false },
    });
    expect(body.schedules[0]!.recentTicks[1]).toEqual({
      plannedAt: '2026-02-10T08:00:00.000Z', startedAt: '2026-02-10T08:00:01.000Z', endedAt: '2026-02-10T08:01:01.000Z', outcome: 'ran',
      reason: '2 tick(s) missed while no scheduler ran', missed: true, exitCode: 0, runId: 'r20260210-080002-abcdef',
    });
    expect(body.schedules[1]).toMatchObject({ name: 'weekly', timezone: 'America/New_York', enabled: false, nextTick: null, lastTick: null, recentTicks: [] });
    expect((await app.request('http://127.0.0.1/ui/schedules-panel.js')).status).toBe(200);
    expect(await (await app.request('http://127.0.0.1/')).text()).toContain('<script type="module" src="/ui/schedules-panel.js"></script>');
    scheduleLog.releaseScheduler();
    expect((await (await app.request('http://127.0.0.1/api/schedules')).json() as { scheduler: unknown }).scheduler).toBeNull();
    await scheduleLog.close();
  });

  it('is a read like the others: beyond loopback it needs the token, and a foreign Host is refused', async () => {
    const { runLog, scheduleLog, view } = await fixture();
    const { app } = createServerApp({ graph, runLog, window, rollingDays: 3, schedules: view, token: 'ui-token-123456', readsNeedToken: true, allowedHosts: ['10.0.0.5'] });
    expect((await app.request('http://10.0.0.5/api/schedules')).status).toBe(401);
    expect((await app.request('http://10.0.0.5/api/schedules', { headers: { authorization: 'Bearer ui-token-123456' } })).status).toBe(200);
    expect((await app.request('http://evil.example/api/schedules', { headers: { authorization: 'Bearer ui-token-123456' } })).status).toBe(403);
    expect((await app.request('http://10.0.0.5/api/schedules', { method: 'POST', headers: { authorization: 'Bearer ui-token-123456' } })).status).toBe(404);
    await scheduleLog.close();
  });
});
