/**
 * The month's budget from the run log's ledger (real SQLite): calls by endpoint this month and today, the last
 * figure and whether a new month has reset it, the pace, the reserve, the refusal's wording, and the rule that stops a
 * running run.
 */
import { describe, expect, it } from 'vitest';
import { assertPlanFitsQuota, OverQuotaError, quotaBudget, quotaStatus, quotaStopRule, reserveOf } from '../../src/core/budget/quota.ts';
import { PlanError } from '../../src/core/errors.ts';
import { openRunLog } from '../helpers.ts';

async function ledger(calls: [string, string, number | null][]) {
  let at = 0;
  const log = await openRunLog(() => at);
  for (const [when, endpoint, remaining] of calls) {
    at = Date.parse(when);
    log.recordApiCall({ source: 'https://api.example', endpoint, asset: 'raw/games', status: 200, remaining });
  }
  log.recordApiCall({ source: 'simulator', endpoint: '/teams', asset: null, status: 200, remaining: 5 }); // another source
  const status = (now: string) => quotaStatus('https://api.example', new Date(now), (m, d) => log.apiCallUsage('https://api.example', m, d));
  return { status };
}

describe('the quota status', () => {
  it('counts this month and today by endpoint, keeps the last figure, and projects the month at its pace', async () => {
    const { status } = await ledger([
      ['2024-03-31T23:00:00Z', '/games', 700], // last month
      ['2024-04-01T10:00:00Z', '/games', 999],
      ['2024-04-05T10:00:00Z', '/plays/date', 998],
      ['2024-04-10T09:00:00Z', '/plays/date', null], // an answer without the header
      ['2024-04-10T10:00:00Z', '/games', 996],
    ]);
    const s = status('2024-04-10T12:00:00Z');
    expect(s).toMatchObject({ month: '2024-04', today: '2024-04-10', callsThisMonth: 4, callsToday: 2 });
    expect(s.endpoints).toEqual([{ endpoint: '/games', month: 2, today: 1 }, { endpoint: '/plays/date', month: 2, today: 1 }]);
    expect(s.lastFigure).toEqual({ remaining: 996, at: '2024-04-10T10:00:00.000Z', thisMonth: true });
    // 4 calls in 9.5 days: 0.42 a day, about 13 in a 30-day month, and the quota lasts.
    expect(s.pace).toMatchObject({ callsPerDay: 0.4, projectedMonthCalls: 13, runsOutOn: null });
    expect(s.pace!.projectedLeftAtMonthEnd).toBeGreaterThan(980);
  });

  it('knows a figure from last month no longer holds, and that a fresh install has none', async () => {
    const { status } = await ledger([['2024-03-30T10:00:00Z', '/games', 0]]);
    const may = status('2024-04-02T00:00:00Z');
    expect(may.lastFigure).toMatchObject({ remaining: 0, thisMonth: false });
    expect(quotaBudget(may, '10%')).toBeUndefined();
    expect((await ledger([])).status('2024-04-02T00:00:00Z')).toMatchObject({ callsThisMonth: 0, lastFigure: null, pace: null });
  });

  it('says when the quota runs out at this pace', async () => {
    // 200 calls on the 2nd: 100 a day over two days; 801 left lasts eight days more.
    const busy = await ledger(Array.from({ length: 200 }, (_, i) => [`2024-04-02T${String(10 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`, '/plays/date', 1000 - i] as [string, string, number]));
    expect(busy.status('2024-04-03T00:00:00Z').pace).toMatchObject({ callsPerDay: 100, runsOutOn: '2024-04-11' });
  });
});

describe('the reserve and the refusal', () => {
  it('takes a number of calls or a share of the last figure', () => {
    expect(reserveOf(50, 1_000)).toBe(50);
    expect(reserveOf('10%', 1_199)).toBe(120);
    expect(reserveOf('0%', 1_199)).toBe(0);
  });

  it('refuses, before any call, a plan over the remaining quota less the reserve, with the numbers and the ways out', () => {
    const budget = { remaining: 202, reserve: 21, available: 181, figureAt: '2024-04-20T10:01:00.000Z' };
    expect(() => assertPlanFitsQuota(181, budget, '10%')).not.toThrow();
    expect(() => assertPlanFitsQuota(1_000, undefined, '10%')).not.toThrow(); // no figure yet: the first answer brings it
    let error: unknown;
    try {
      assertPlanFitsQuota(1_002, budget, '10%');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OverQuotaError);
    expect(error).toBeInstanceOf(PlanError); // the CLI exits 2
    expect((error as Error).message).toBe(
      'this run needs about 1,002 source API calls, but the API reported 202 left this month (2024-04-20 10:01 UTC), less the ' +
        'reserve of 21 (source.quotaReserve "10%"): 181 may be used. Narrow the run (one season with --season, a few game days ' +
        'with --from/--to, fewer assets in the selection; `cbbd plan` shows the calls per asset), wait for next month\'s quota, ' +
        'or pass --allow-over-quota to run anyway (it then stops only when the API says the quota is spent).',
    );
  });
});

describe('the stop rule of a running run', () => {
  const signal = (remaining: number | undefined, exhausted = false, observed = 0) => ({ remaining, exhausted, observed });

  it('stops taking steps once the figure falls below the reserve fixed at the start, or the quota is spent', () => {
    const s = signal(undefined);
    const stop = quotaStopRule(s, '10%', { allowOverQuota: false });
    expect(stop()).toBeUndefined();
    Object.assign(s, { remaining: 1_199, observed: 1 });
    expect(stop()).toBeUndefined(); // the reserve is now 120, from the run's first figure
    Object.assign(s, { remaining: 121, observed: 1_079 });
    expect(stop()).toBeUndefined();
    Object.assign(s, { remaining: 119, observed: 1_081 });
    expect(stop()).toMatch(/119 call\(s\) left this month, below the reserve of 120/);
  });

  it('with --allow-over-quota, stops only when the API says the quota is spent; and heeds only what this run saw', () => {
    const s = signal(0, true, 7); // a spent quota seen by an earlier run of this process
    const stop = quotaStopRule(s, '10%', { allowOverQuota: true });
    expect(stop()).toBeUndefined();
    Object.assign(s, { remaining: 5, exhausted: false, observed: 8 });
    expect(stop()).toBeUndefined();
    Object.assign(s, { remaining: 0, exhausted: true, observed: 9 });
    expect(stop()).toMatch(/quota is spent/);
  });
});
