/** `GET /api/quota` through the real app and a real run log: the figures `cbbd quota` prints, for the page's panel. */
import { describe, expect, it } from 'vitest';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { createServerApp } from '../../src/server/app.ts';
import { assets } from '../fixtures/small-graph.ts';
import { openRunLog } from '../helpers.ts';

const graph = buildAssetGraph(assets);
const window = { firstSeason: 2023, lastSeason: 2024, start: '11-01', end: '04-30' };

describe('GET /api/quota', () => {
  it('answers the month from the ledger, the last figure and what a run may spend, for the source in use only', async () => {
    let at = Date.parse('2024-04-20T09:00:00Z');
    const runLog = await openRunLog(() => at);
    runLog.recordApiCall({ source: 'simulator', endpoint: '/games', asset: 'raw/games', status: 200, remaining: 1_199 });
    at += 3_600_000;
    runLog.recordApiCall({ source: 'simulator', endpoint: '/plays/date', asset: 'raw/plays', status: 200, remaining: 1_000 });
    runLog.recordApiCall({ source: 'https://api.collegebasketballdata.com', endpoint: '/games', asset: null, status: 200, remaining: 5 });
    const { app } = createServerApp({ graph, runLog, window, rollingDays: 3, token: 'ui-token-of-the-tests', now: () => new Date('2024-04-20T12:00:00Z'), quota: { source: 'simulator', reserve: '10%' } });
    const response = await app.request('http://127.0.0.1/api/quota');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      source: 'simulator', month: '2024-04', today: '2024-04-20', callsThisMonth: 2, callsToday: 2, reserve: '10%',
      endpoints: [{ endpoint: '/games', month: 1, today: 1 }, { endpoint: '/plays/date', month: 1, today: 1 }],
      lastFigure: { remaining: 1_000, thisMonth: true }, budget: { remaining: 1_000, reserve: 100, available: 900 },
    });
    expect((await app.request('http://127.0.0.1/ui/quota-panel.js')).status).toBe(200);
  });
});
