/**
 * Faults lose nothing: a season materialized from raw to gold against a simulator that answers 429 (with
 * Retry-After), 500, slow (past the client's timeout), truncated and empty bodies ends with exactly the clean run's
 * data versions, files and rows; what fails after every retry is dead-lettered, the run says so, and
 * `cbbd deadletter replay` once the API behaves completes the data to the clean run's.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { compare, describeDifference, fingerprint, identical, lab, runCbbd, type Fingerprint } from './_chaos-kit.ts';

const SELECTION = '+gold/market_lines_analysis';
const SEASON = ['--season', '2024'];
/** Every kind of fault once, then each request faulted at the rates. */
const FAULTS = 'simulator: { faults: { sequence: ["429", "500", slow, truncated, empty], rates: { "429": 0.3, "500": 0.1, truncated: 0.05, empty: 0.03, slow: 0.02 }, retryAfterSeconds: 1, slowMs: 4000 } }';

let clean: Fingerprint | undefined;
async function cleanRun(): Promise<Fingerprint> {
  if (clean) return clean;
  const l = lab(tempDir('cbbd-faults-clean-'));
  const run = await runCbbd(l.env(l.config('config.yaml')), ['materialize', SELECTION, ...SEASON]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return (clean = fingerprint(l));
}

describe('a season materialized through faults', () => {
  it('ends with exactly the clean run\'s data when the retries suffice', { timeout: 150_000 }, async () => {
    const expected = await cleanRun();
    const l = lab(tempDir('cbbd-faults-'));
    const run = await runCbbd(l.env(l.config('config.yaml', `source: { timeoutMs: 3000 }\n${FAULTS}`)), ['materialize', SELECTION, ...SEASON]);
    const printed = run.stdout + run.stderr;
    expect(printed).toMatch(/HTTP 429 Too Many Requests; retrying/);
    expect(printed).toMatch(/timed out after 3000 ms; retrying/);
    expect(printed).toMatch(/(body is not valid JSON|empty body).*; retrying/);
    const got = fingerprint(l);
    const difference = compare(expected, got);
    if (run.code === 0) {
      expect(identical(difference), describeDifference(difference)).toBe(true);
    } else {
      // Unlucky draws beat every retry: the run must say what it kept, and the replay must complete the data.
      expect(run.stdout).toContain('cbbd deadletter replay');
      const replay = await runCbbd(l.env(l.config('calm.yaml')), ['deadletter', 'replay']);
      expect(replay.code, replay.stdout).toBe(0);
      const replayed = compare(expected, fingerprint(l));
      expect(identical(replayed), describeDifference(replayed)).toBe(true);
    }
    expect(got.tmpLeft).toEqual([]);
  });

  it('dead-letters what failed after every retry, says so, and a replay once the faults stop completes the data', { timeout: 150_000 }, async () => {
    const expected = await cleanRun();
    const l = lab(tempDir('cbbd-faults-dead-'));
    // Two attempts per request and no step retries: the first request (a window of /games) fails for good.
    const stormy = l.config('stormy.yaml', 'source: { retries: 1 }\nmaterialize: { retries: 0 }\nsimulator: { faults: { sequence: [truncated, empty] } }');
    const run = await runCbbd(l.env(stormy), ['materialize', SELECTION, ...SEASON]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/failed after 2 attempt\(s\): empty body\. The response was kept in deadletter\/; `cbbd deadletter replay` asks again\./);
    const listed = await runCbbd(l.env(stormy), ['deadletter', '--json']);
    const letters = JSON.parse(listed.stdout) as { letter: { path: string; asset: string } }[];
    expect(letters.map((x) => x.letter.asset)).toEqual(['raw/games']);
    expect(compare(expected, fingerprint(l)).versionDiffs.length).toBeGreaterThan(0); // nothing downstream of it was built

    const replay = await runCbbd(l.env(l.config('calm.yaml')), ['deadletter', 'replay']);
    expect(replay.stdout).toContain('Replayed: GET /games for raw/games');
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    const got = fingerprint(l);
    const difference = compare(expected, got);
    expect(identical(difference), describeDifference(difference)).toBe(true);
    expect((await runCbbd(l.env(stormy), ['deadletter'])).stdout).toContain('No dead letters');
  });
});
