/**
 * Crash consistency in cloud mode, on the AWS emulator: `cbbd materialize` with its lakehouse in S3, checkpoints and
 * the run-log lease in DynamoDB and the catalog in Glue, killed with SIGKILL at a commit (staging under tmp/), at a
 * checkpoint write and as the run log is about to be uploaded, each armed after a random pause. The next command takes over the lease the
 * killed one left (no refusal, no 12-hour wait), nothing in DynamoDB or the bucket's run log claims data the bucket
 * does not hold, and a plain re-run ends with the clean run's objects, data versions and checkpoints, nothing under
 * tmp/, no run "running" and no lease held. And a run stopped by signals in the middle (a container stopped twice, so
 * the steps under way are abandoned) still uploads the run log: the partitions it committed are not done again.
 */
import { describe, expect, it } from 'vitest';
import { awsSettings, moto, motoAvailable, uniqueName } from '../aws.ts';
import { tempDir } from '../helpers.ts';
import { claimsAheadOfData, compare, describeDifference, identical, killHard, runCbbd, startCbbd } from './_chaos-kit.ts';
import { CLOUD_AIMS, cloudLab, killMoment, poll, sleep, type CloudAim } from './_cloud-lab.ts';

/** Games and lines from raw to one gold table for one season: every layer, small enough for a few kills on moto. */
const SELECTION = '+gold/market_lines_analysis';
const ARGS = ['materialize', SELECTION, '--season', '2024'];

describe.skipIf(!motoAvailable)(`cbbd materialize on S3 + DynamoDB killed with SIGKILL (${moto})`, () => {
  it('leaves a lease the next command takes over, nothing ahead of the data, and a re-run equal to a clean run', { timeout: 300_000 }, async () => {
    const aws = { ...awsSettings, endpoint: moto };
    const clean = await cloudLab(tempDir('cbbd-crash-cloud-clean-'), aws, uniqueName('crash-clean'), uniqueName('cbbd_checkpoints'));
    const trial = await cloudLab(tempDir('cbbd-crash-cloud-'), aws, uniqueName('crash-trial'), uniqueName('cbbd_checkpoints'));
    try {
      const first = await runCbbd(clean.env(clean.config('config.yaml')), ARGS);
      expect(first.code, first.stdout + first.stderr.slice(-2000)).toBe(0);
      const expected = await clean.fingerprint();
      expect(expected.versions.size).toBeGreaterThan(5);
      expect(expected.checkpoints.size).toBeGreaterThan(3);

      const env = trial.env(trial.config('config.yaml'));
      let killed = 0;
      let leasesLeft = 0;
      const outcomes: string[] = [];
      // The named moments (npm run chaos adds random ones). Checkpoints are written as raw data is fetched, and a
      // fetched partition is not fetched again, so that kill comes first; until a run's upload, each next one (a new
      // task) knows nothing done and redoes it all, so the others always find work to be killed in.
      const aims: CloudAim[] = ['checkpoint', 'commit', 'upload'];
      for (const [i, aim] of aims.entries()) {
        // Each command as a new task: a run killed before its upload left nothing a next task could read but the bucket.
        trial.newTask();
        const run = startCbbd(env, ARGS);
        await poll(run, async () => run.output().includes('"run_started"'));
        // Refused here would mean the lease of the run killed just before still blocks (it used to, for 12 hours).
        expect(run.output(), `the run after a kill at ${i ? CLOUD_AIMS[aims[i - 1]!] : '(none)'}`).not.toContain('Another run holds');
        if (aim === 'commit') await sleep(Math.random() * first.ms * 0.2);
        await killMoment(trial, run, aim, first.ms);
        await killHard(run);
        const ended = await run.done;
        if (ended.signal !== 'SIGKILL') {
          outcomes.push(`${CLOUD_AIMS[aim]}: the run finished first (${(ended.ms / 1000).toFixed(1)} s)`);
          expect(ended.code, `${CLOUD_AIMS[aim]}: the run finished first, and must have succeeded\n${ended.stderr.slice(-1500)}`).toBe(0);
          continue;
        }
        killed++;
        const after = await trial.fingerprint();
        const leftBehind = (await trial.lease())?.pid?.N === String(run.child.pid);
        if (leftBehind) leasesLeft++;
        outcomes.push(`${CLOUD_AIMS[aim]}: killed at ${(ended.ms / 1000).toFixed(1)} s, lease left ${leftBehind}, ${after.tmpLeft.length} object(s) in tmp/`);
        expect(claimsAheadOfData(expected, after), `after a kill at ${CLOUD_AIMS[aim]}`).toEqual([]);
      }
      console.log(`clean run ${(first.ms / 1000).toFixed(1)} s; ${outcomes.join('; ')}`);
      expect(killed).toBeGreaterThanOrEqual(2);
      expect(leasesLeft, 'a SIGKILL leaves the lease behind, so each run after one took it over').toBeGreaterThan(0);

      trial.newTask();
      const rerun = await runCbbd(env, ARGS);
      expect(rerun.code, rerun.stdout + rerun.stderr.slice(-2000)).toBe(0);
      const got = await trial.fingerprint();
      const difference = compare(expected, got);
      expect(identical(difference), describeDifference(difference)).toBe(true);
      expect(got.runsRunning).toBe(0);
      expect(got.leases).toBe(0);
      expect(got.tmpLeft).toEqual([]);
      expect(await trial.lease(), 'the re-run released the run-log lease').toBeUndefined();
    } finally {
      clean.close();
      trial.close();
    }
  });

  it('a run abandoned by a second SIGTERM records itself cancelled in the bucket, and its committed partitions are not redone', { timeout: 300_000 }, async () => {
    const aws = { ...awsSettings, endpoint: moto };
    const trial = await cloudLab(tempDir('cbbd-stop-cloud-'), aws, uniqueName('stop-trial'), uniqueName('cbbd_checkpoints'));
    try {
      const env = trial.env(trial.config('config.yaml'));
      const run = startCbbd(env, ARGS);
      // Some partitions committed, more to come: stop it the way `docker stop` twice would.
      await poll(run, async () => (run.output().match(/"type":"step_finished"/g) ?? []).length >= 3);
      process.kill(run.child.pid!, 'SIGTERM');
      await sleep(200);
      process.kill(run.child.pid!, 'SIGTERM');
      const ended = await run.done;
      expect(ended.code, ended.stderr.slice(-1500)).toBe(143);
      expect(ended.stderr).not.toMatch(/\n\s+at /);

      // What a new task sees: only the bucket.
      trial.newTask();
      const after = await trial.fingerprint();
      expect(after.runsRunning).toBe(0);
      expect(after.leases).toBe(0);
      expect(await trial.lease(), 'the stopped run released the run-log lease').toBeUndefined();
      expect(after.versions.size, 'the partitions committed before the stop are in the uploaded run log').toBeGreaterThan(0);
      const plan = await runCbbd(env, ['plan', SELECTION, '--season', '2024', '--json']);
      expect(plan.code, plan.stderr.slice(-1500)).toBe(0);
      const planned = new Set((JSON.parse(plan.stdout) as { steps: { asset: string; partitions: { key: string }[] }[] }).steps.flatMap((s) => s.partitions.map((p) => `${s.asset} ${p.key}`)));
      expect([...after.versions.keys()].filter((k) => planned.has(k)), 'committed before the stop, planned again').toEqual([]);
    } finally {
      trial.close();
    }
  });
});

