/**
 * The month's call quota over real HTTP: the simulator meters it per key and says what remains on every answer; the
 * client reads the figure (in any letter case, or none), records every call for the ledger, and treats a spent quota
 * as final: never retried, never a dead letter, distinguishable from a rate limit's 429 with Retry-After.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getConferences, getTeams } from 'cbbd';
import { afterEach, describe, expect, it } from 'vitest';
import { CbbdClient, type CbbdClientOptions } from '../../src/cbbd/client.ts';
import { QuotaExhaustedError, type SourceCall } from '../../src/cbbd/call-quota.ts';
import { fetchScope, type DeadLetter } from '../../src/cbbd/dead-letters.ts';
import { startSimulator } from '../../src/sim/serve.ts';
import type { SimOptions } from '../../src/sim/app.ts';

const KEY = 'quota-test-key-0a1b2c3d4e';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function setup(sim: Partial<SimOptions> = {}, client: Partial<CbbdClientOptions> = {}) {
  let clock = new Date('2026-01-30T12:00:00Z');
  const running = await startSimulator({ seed: 7, scale: 'demo', now: () => clock, ...sim });
  closers.push(() => running.close());
  const calls: SourceCall[] = [];
  const letters: DeadLetter[] = [];
  const c = new CbbdClient({
    baseUrl: running.url, apiKey: KEY, requestsPerSecond: 100, maxInFlight: 4, timeoutMs: 2_000, retries: 3, minBackoffMs: 5, maxBackoffMs: 20,
    calls: (call) => calls.push(call), deadLetters: async (letter) => void letters.push(letter), ...client,
  });
  return { sim: running, client: c, calls, letters, setClock: (d: string) => (clock = new Date(d)) };
}

/** A server that answers `/conferences` with the figure in an odd letter case, and `/teams` without it. */
async function oddServer(): Promise<string> {
  const server: Server = createServer((req, res) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.url?.startsWith('/conferences')) headers['x-CALLLIMIT-remaining'] = ' 41 ';
    res.writeHead(200, headers).end('[]');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => new Promise((ok) => server.close(() => ok())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the simulator meters a monthly quota per key', () => {
  it('says on every answer how many calls remain after it, and starts again the next month', async () => {
    const { sim, setClock } = await setup({ monthlyCallQuota: 3 });
    const ask = (key = KEY) => fetch(`${sim.url}/teams`, { headers: { Authorization: `Bearer ${key}` } });
    expect((await ask()).headers.get('X-CallLimit-Remaining')).toBe('2');
    expect((await ask()).headers.get('x-calllimit-remaining')).toBe('1');
    expect((await ask('another-key')).headers.get('X-CallLimit-Remaining')).toBe('2'); // per key
    expect((await ask()).headers.get('X-CallLimit-Remaining')).toBe('0');
    const spent = await ask();
    expect(spent.status).toBe(429);
    expect(spent.headers.get('retry-after')).toBeNull();
    expect(await spent.json()).toEqual({ message: 'Monthly call quota exceeded' });
    const usage = (await (await fetch(`${sim.url}/_sim/quota`)).json()) as { month: string; keys: { keyHash: string; used: number }[] };
    expect(usage.month).toBe('2026-01');
    expect(usage.keys.map((k) => k.used).sort()).toEqual([1, 3]);
    expect(JSON.stringify(usage)).not.toContain(KEY);
    setClock('2026-02-01T00:00:00Z');
    expect((await ask()).headers.get('X-CallLimit-Remaining')).toBe('2');
    // A plan change applies to the month's calls so far.
    const put = (body: string) => fetch(`${sim.url}/_sim/quota`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.adminToken}` }, body });
    expect((await put('{"monthlyCalls": 10}')).status).toBe(200);
    expect((await ask()).headers.get('X-CallLimit-Remaining')).toBe('8');
    expect((await put('{"monthlyCalls": -1}')).status).toBe(400);
  });

  it('counts a faulted answer as a call and still sends the figure', async () => {
    const { sim } = await setup({ monthlyCallQuota: 10, faults: { sequence: ['500', 'truncated'] } });
    const ask = () => fetch(`${sim.url}/teams`, { headers: { Authorization: `Bearer ${KEY}` } });
    const failed = await ask();
    expect(failed.status).toBe(500);
    expect(failed.headers.get('X-CallLimit-Remaining')).toBe('9');
    expect((await ask()).headers.get('X-CallLimit-Remaining')).toBe('8');
  });
});

describe('the client and the quota', () => {
  it('records every call with its endpoint, the asset it was for, its status and the figure', async () => {
    const { client, calls } = await setup({ monthlyCallQuota: 100, faults: { sequence: ['500'] } });
    await fetchScope.run({ asset: 'raw/teams', partitions: ['2024'] }, () => client.call(getTeams, { query: { season: 2024 } }));
    await client.call(getConferences, {});
    expect(calls).toEqual([
      { endpoint: '/teams', asset: 'raw/teams', status: 500, remaining: 99 },
      { endpoint: '/teams', asset: 'raw/teams', status: 200, remaining: 98 },
      { endpoint: '/conferences', asset: null, status: 200, remaining: 97 },
    ]);
    expect(client.quota.remaining).toBe(97);
    expect(client.calls.byAsset()).toEqual({ 'raw/teams': 2 });
  });

  it('counts a call that got no answer once, with no status: the API may have counted it', async () => {
    const { client, calls } = await setup({ faults: { rates: { slow: 1 }, slowMs: 1_000 } }, { timeoutMs: 150, retries: 1 });
    await expect(client.call(getTeams, {})).rejects.toThrow(/timed out/);
    expect(calls).toEqual([{ endpoint: '/teams', asset: null, status: null, remaining: null }, { endpoint: '/teams', asset: null, status: null, remaining: null }]);
  });

  it('reads the figure in any letter case and tolerates answers without it', async () => {
    const url = await oddServer();
    const calls: SourceCall[] = [];
    const client = new CbbdClient({ baseUrl: url, apiKey: KEY, requestsPerSecond: 100, maxInFlight: 2, timeoutMs: 2_000, retries: 0, calls: (c) => calls.push(c) });
    await client.call(getConferences, {});
    expect(client.quota.remaining).toBe(41);
    await client.call(getTeams, {});
    expect(calls.map((c) => c.remaining)).toEqual([41, null]);
    expect(client.quota.remaining).toBe(41); // an answer without the header leaves the last figure standing
  });

  it('treats a spent quota as final: no retry, no dead letter, a message that says what to do', async () => {
    const { sim, client, letters } = await setup({ monthlyCallQuota: 1 });
    await client.call(getTeams, {});
    const error = await client.call(getTeams, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect((error as QuotaExhaustedError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/monthly call quota is spent: GET \/teams answered HTTP 429 .*Monthly call quota exceeded.*run the same command again once the quota resets/);
    expect((error as Error).message).not.toContain(KEY);
    expect(sim.stats.quotaRefused).toBe(1); // asked once, not retried
    expect(letters).toEqual([]);
    expect(client.quota).toMatchObject({ exhausted: true, remaining: 0 });
  });

  it('still retries a rate limit\'s 429 that says when to come back', async () => {
    const { sim, client } = await setup({ monthlyCallQuota: 100, faults: { sequence: ['429'], retryAfterSeconds: 0 } });
    await client.call(getTeams, {});
    expect(sim.stats.total).toBe(2);
    expect(client.quota.exhausted).toBe(false);
  });
});
