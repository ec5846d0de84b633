/** The ledger keeps each API call's run: two runs that overlap in time each get their own calls, not the span's. */
import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../src/store/run-report.ts';
import { openRunLog } from '../helpers.ts';

describe('API calls by run id', () => {
  it('credits overlapping runs with the calls each made, and an older run without ids with its span', async () => {
    let now = 1_000;
    const log = await openRunLog(() => now);
    const a = log.startRun({ selection: 'raw/games', filter: {}, partitions: [{ asset: 'raw/games', partition: '2024' }] });
    now = 2_000;
    const b = log.startRun({ selection: 'raw/teams', filter: {}, partitions: [{ asset: 'raw/teams', partition: '-' }] });
    for (let i = 0; i < 3; i++) log.recordApiCall({ source: 'simulator', endpoint: '/games', asset: 'raw/games', status: 200, remaining: null, runId: a });
    log.recordApiCall({ source: 'simulator', endpoint: '/teams', asset: 'raw/teams', status: 200, remaining: null, runId: b });
    now = 3_000;
    log.finishRun(b, 'succeeded', { counts: { succeeded: 1, failed: 0, skipped: 0, unchanged: 0 } });
    log.finishRun(a, 'succeeded', { counts: { succeeded: 1, failed: 0, skipped: 0, unchanged: 0 } });
    const [runA, runB] = [(await log.getRun(a))!, (await log.getRun(b))!];
    expect(log.apiCallsOfRun(runA)).toEqual([{ endpoint: '/games', asset: 'raw/games', calls: 3, failed: 0 }]);
    expect(log.apiCallsOfRun(runB)).toEqual([{ endpoint: '/teams', asset: 'raw/teams', calls: 1, failed: 0 }]);
    // By the time span, run b would have been credited with run a's three calls.
    expect(log.apiCallsBetween(runB.startedAt, runB.endedAt!).reduce((n, c) => n + c.calls, 0)).toBe(4);

    // A run whose calls carry no id (recorded before the ledger kept them): its span, as before.
    now = 10_000;
    const old = log.startRun({ selection: 'raw/teams', filter: {}, partitions: [{ asset: 'raw/teams', partition: '-' }] });
    log.recordApiCall({ source: 'simulator', endpoint: '/teams', asset: 'raw/teams', status: 200, remaining: null });
    log.recordApiCall({ source: 'simulator', endpoint: '/teams', asset: null, status: 200, remaining: null });
    now = 11_000;
    log.finishRun(old, 'succeeded', { counts: { succeeded: 1, failed: 0, skipped: 0, unchanged: 0 } });
    expect(log.apiCallsOfRun((await log.getRun(old))!)).toEqual([{ endpoint: '/teams', asset: 'raw/teams', calls: 1, failed: 0 }]);
  });

  it('counts as planned what the run planned once its calendar was known: the sum of its outcomes', async () => {
    const log = await openRunLog();
    // Planned before the calendar: every day of the window (5 here); the run built 2 game days and the season.
    const id = log.startRun({ selection: '*', filter: {}, partitions: ['a', 'b', 'c', 'd', 'e'].map((p) => ({ asset: 'raw/plays', partition: p })) });
    log.finishRun(id, 'succeeded', { counts: { succeeded: 2, failed: 0, skipped: 0, unchanged: 1 } });
    expect((await buildRunReport(log, id))!.partitions.planned).toBe(3);
  });
});
