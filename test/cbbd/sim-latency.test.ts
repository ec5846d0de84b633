/** The latency profile: off unless asked for; with it, answers take as long as the real API's, big days the longest. */
import { describe, expect, it } from 'vitest';
import { createSimApp } from '../../src/sim/app.ts';
import { REAL_API_LATENCY, responseDelay, type LatencyProfile } from '../../src/sim/latency.ts';
import { Random } from '../../src/sim/random.ts';

const auth = { headers: { Authorization: 'Bearer any-key' } };

describe('the real API latency profile', () => {
  const median = (path: string, bytes: number) => {
    const random = new Random(7);
    const times = Array.from({ length: 401 }, () => responseDelay(REAL_API_LATENCY, path, bytes, random).ms).sort((a, b) => a - b);
    return times[200]!;
  };

  it('answers small requests in a fraction of a second and a busy day of plays in tens of seconds', () => {
    expect(median('/teams', 200_000)).toBeLessThan(1_000);
    expect(median('/conferences', 5_000)).toBeLessThan(300);
    expect(median('/games/players', 7_000_000)).toBeGreaterThan(5_000);
    expect(median('/plays/date', 30_000_000)).toBeGreaterThan(25_000);
    expect(median('/plays/date', 30_000_000)).toBeLessThan(60_000);
  });

  it('now and then cuts the biggest days at the 60-second gateway timeout', () => {
    const random = new Random(3);
    const draws = Array.from({ length: 1_000 }, () => responseDelay(REAL_API_LATENCY, '/plays/date', 40_000_000, random));
    const cut = draws.filter((d) => d.timedOut);
    expect(cut.length).toBeGreaterThan(50);
    expect(cut.length).toBeLessThan(700);
    expect(cut.every((d) => d.ms === 60_000)).toBe(true);
    expect(draws.filter((d) => !d.timedOut).every((d) => d.ms < 60_000)).toBe(true);
  });

  it('is off by default, and when on delays every answer and sends 504 for one past the gateway', async () => {
    const quick: LatencyProfile = { ...REAL_API_LATENCY, firstByteMs: { ...REAL_API_LATENCY.firstByteMs, snapshot: 60 }, msPerMegabyte: 100_000, spread: 0, gatewayTimeoutMs: 150 };
    const timed = async (app: ReturnType<typeof createSimApp>['app'], path: string) => {
      const t = performance.now();
      const response = await app.request(path, auth);
      return { status: response.status, ms: performance.now() - t };
    };
    const plain = createSimApp({ seed: 1, scale: 'demo' });
    // The first answer builds the world; the second shows no delay is added (the profile's would be 60 ms and more).
    await timed(plain.app, '/conferences');
    expect((await timed(plain.app, '/conferences')).ms).toBeLessThan(50);
    const slow = createSimApp({ seed: 1, scale: 'demo', latency: quick });
    const small = await timed(slow.app, '/conferences');
    expect(small.status).toBe(200);
    expect(small.ms).toBeGreaterThanOrEqual(55);
    const big = await timed(slow.app, '/teams');
    expect(big.status).toBe(504);
    expect(big.ms).toBeGreaterThanOrEqual(145);
    expect(slow.stats.gatewayTimeouts).toBe(1);
  });
});
