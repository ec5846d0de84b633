import { gunzipSync } from 'node:zlib';
import { getPlaysByDate } from 'cbbd';
import { afterEach, describe, expect, it } from 'vitest';
import { recordTypeOf } from '../../assets/raw/record-types.ts';
import { DEAD_LETTER_BODY_CHARS } from '../../src/cbbd/dead-letters.ts';
import { prepareInWorker } from '../../src/authoring/raw/body-pool.ts';
import { parsedPart, preparedPart } from '../../src/authoring/raw/body.ts';
import { CbbdClient } from '../../src/cbbd/client.ts';
import type { DeadLetter } from '../../src/cbbd/dead-letters.ts';
import type { SimOptions } from '../../src/sim/app.ts';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';

const sims: RunningSim[] = [];
afterEach(async () => {
  while (sims.length) await sims.pop()!.close();
});

async function client(sim: Partial<SimOptions> = {}, letters: DeadLetter[] = []) {
  const running = await startSimulator({ seed: 7, scale: 'demo', now: () => new Date('2026-11-26T00:00:00Z'), ...sim });
  sims.push(running);
  return new CbbdClient({
    baseUrl: running.url, apiKey: 'bulk-test-key', requestsPerSecond: 100, maxInFlight: 4, timeoutMs: 5_000, retries: 2, minBackoffMs: 5, maxBackoffMs: 20,
    deadLetters: async (l) => { letters.push(l); },
  });
}

const PLAY_TYPE = recordTypeOf('raw/plays');
const prepare = (bytes: ArrayBuffer) => prepareInWorker(bytes, { type: PLAY_TYPE, distinct: 'gameId', headChars: DEAD_LETTER_BODY_CHARS });

describe('bulk bodies prepared in worker threads', () => {
  it('store, hash and check a day of plays exactly as a body parsed on the main thread', async () => {
    const c = await client();
    const query = { query: { date: '2026-01-15' } };
    const inWorker = await c.callPrepared(getPlaysByDate, query, prepare);
    const parsed = await c.call(getPlaysByDate, query);
    expect(parsed.data.length).toBeGreaterThan(100);
    const [a, b] = [preparedPart(inWorker), parsedPart(parsed, PLAY_TYPE)];
    expect({ records: a.records, bytes: a.bytes, contentHash: a.contentHash, check: a.check, request: a.request })
      .toEqual({ records: b.records, bytes: b.bytes, contentHash: b.contentHash, check: b.check, request: b.request });
    expect(gunzipSync(await a.gzipped()).toString('utf8')).toBe(parsed.raw);
    expect([...inWorker.prepared.distinct].sort()).toEqual([...new Set(parsed.data.map((p) => p.gameId))].sort());
  });

  it('retry an unusable body and keep it as a dead letter when it stays unusable', async () => {
    const letters: DeadLetter[] = [];
    const retried = await client({ faults: { sequence: ['truncated', 'empty'] } });
    expect((await retried.callPrepared(getPlaysByDate, { query: { date: '2026-01-15' } }, prepare)).prepared.records).toBeGreaterThan(100);
    const failing = await client({ faults: { sequence: ['truncated', 'empty', 'truncated'] } }, letters);
    await expect(failing.callPrepared(getPlaysByDate, { query: { date: '2026-01-15' } }, prepare)).rejects.toThrow(/failed after 3 attempt\(s\): body is not valid JSON/);
    expect(letters).toMatchObject([{ path: '/plays/date', params: { date: '2026-01-15' }, attempts: 3 }]);
    expect(letters[0]!.body.startsWith('[{')).toBe(true);
  });
});
