/** The scheduler lease in the run log: one holder at a time, a live one named, a dead or silent one taken over. */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { HERE, stampText } from '../../src/core/process-alive.ts';
import { describe, expect, it } from 'vitest';
import { SCHEDULER_STALE_MS, ScheduleLog } from '../../src/store/schedule-log.ts';
import { openRunLog, runLogFile } from '../helpers.ts';

async function twoSchedulers() {
  let now = Date.parse('2026-02-10T08:00:00Z');
  const runLog = await openRunLog(() => now);
  const clock = () => now;
  const a = ScheduleLog.open(runLog.path, clock);
  const b = ScheduleLog.open(runLog.path, clock);
  return { runLog, a, b, advance: (ms: number) => (now += ms), close: async () => { await a.close(); await b.close(); } };
}

describe('the scheduler lease', () => {
  it('a second scheduler beside a live one is told who holds it; it gets the lease once the first releases it', async () => {
    const { a, b, close } = await twoSchedulers();
    expect(a.claimScheduler('cbbd schedule')).toEqual({ held: true });
    expect(b.claimScheduler('cbbd serve')).toEqual({ held: false, holder: { pid: process.pid, host: hostname(), label: 'cbbd schedule', startedAt: Date.parse('2026-02-10T08:00:00Z'), heartbeatAt: Date.parse('2026-02-10T08:00:00Z') } });
    expect(a.claimScheduler('cbbd schedule')).toEqual({ held: true }); // claiming again is a no-op for the holder
    a.releaseScheduler();
    expect(b.claimScheduler('cbbd serve')).toEqual({ held: true });
    expect(a.heartbeat()).toBe(false);
    expect(b.heartbeat()).toBe(true);
    await close();
  });

  it('a holder that stopped beating is taken over, and learns it at its next beat', async () => {
    const { a, b, advance, close } = await twoSchedulers();
    a.claimScheduler('cbbd schedule');
    advance(SCHEDULER_STALE_MS - 1);
    expect(b.claimScheduler('cbbd schedule')).toMatchObject({ held: false });
    advance(2);
    expect(b.claimScheduler('cbbd schedule')).toMatchObject({ held: true, tookOverFrom: { pid: process.pid, label: 'cbbd schedule' } });
    expect(a.heartbeat()).toBe(false);
    await close();
  });

  it('a holder of this host whose process is gone is taken over at once; ticks it left running are recorded as failed', async () => {
    const { runLog, a, close } = await twoSchedulers();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    runLogFile(runLog).prepare(`INSERT INTO scheduler_lease (id, holder, pid, host, label, started_at, heartbeat_at, process) VALUES (1, 'x', ?, ?, 'cbbd schedule', 0, ?, ?)`)
      .run(dead, hostname(), Date.parse('2026-02-10T08:00:00Z'), stampText({ where: HERE, pid: dead!, started: '0' }));
    const tick = a.tickStarted({ schedule: 'nightly', plannedAt: 1, missed: false, command: ['validate'] }, dead);
    expect(a.schedulerHolder()).toBeUndefined();
    expect(a.claimScheduler('cbbd schedule')).toMatchObject({ held: true, tookOverFrom: { pid: dead } });
    expect(a.failAbandonedTicks()).toBe(1);
    expect(a.recentTicks('nightly')[0]).toMatchObject({ id: tick, outcome: 'failed', reason: expect.stringContaining('the scheduler stopped during this tick') });
    await close();
  });

  it('every tick, skipped ones too, moves the schedule\'s last planned time forward (never back)', async () => {
    const { a, close } = await twoSchedulers();
    expect(a.lastPlanned('nightly')).toBeUndefined();
    a.markSeen('nightly');
    expect(a.lastPlanned('nightly')).toBe(Date.parse('2026-02-10T08:00:00Z'));
    a.tickSkipped({ schedule: 'nightly', plannedAt: Date.parse('2026-02-11T08:00:00Z'), missed: false, command: ['validate'] }, 'busy');
    a.tickSkipped({ schedule: 'nightly', plannedAt: Date.parse('2026-02-09T08:00:00Z'), missed: false, command: ['validate'] }, 'busy');
    expect(a.lastPlanned('nightly')).toBe(Date.parse('2026-02-11T08:00:00Z'));
    await close();
  });
});
