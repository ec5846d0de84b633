/**
 * The chaos bench's cloud scenario: `cbbd materialize` on S3 + DynamoDB + Glue (moto), killed with SIGKILL at a
 * random moment, a commit, a checkpoint write and the run-log upload, in chains each ended by a plain re-run. Counts
 * the runs refused by a dead run's lease (none is the goal), claims ahead of the data, and the chains that end equal
 * to the clean run's bucket.
 */
import { join } from 'node:path';
import { claimsAheadOfData, compare, describeDifference, identical, killHard, runCbbd, startCbbd } from '../test/reliability/_chaos-kit.ts';
import { CLOUD_AIMS, cloudLab, killMoment, poll, type CloudAim } from '../test/reliability/_cloud-lab.ts';
import { startMoto } from './_moto.ts';
import { ChainTally, type Row } from './_chaos-tally.ts';

/** Small enough for several chains on the emulator: games and lines from raw to one gold table. */
const SELECTION = '+gold/market_lines_analysis';
const ARGS = ['materialize', SELECTION, '--season', '2024'];

export async function cloudCrash(dir: string, trials: number, perChain: number): Promise<Row> {
  const scenario = 'crash on S3 + DynamoDB';
  const moto = await startMoto();
  if (typeof moto === 'string') {
    console.log(`  ${scenario}: SKIPPED, ${moto}`);
    return { scenario, faults: `skipped: ${moto}`, runs: 0, rowsLost: 0, duplicates: 0, recovered: '—', extra: '—' };
  }
  const aws = { region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const name = (prefix: string, n: number) => `${prefix}-${n}-${process.pid}`;
  try {
    const cleanLab = await cloudLab(join(dir, 'clean'), aws, name('chaos-clean', 0), name('chaos_checkpoints', 0));
    const clean = await runCbbd(cleanLab.env(cleanLab.config('config.yaml')), ARGS);
    if (clean.code !== 0) throw new Error(`the clean cloud run failed:\n${clean.stdout}\n${clean.stderr}`);
    const expected = await cleanLab.fingerprint();
    cleanLab.close();
    console.log(`  cloud clean: ${(clean.ms / 1000).toFixed(1)} s, ${expected.files.size} objects, ${expected.versions.size} partitions`);
    const aims = Object.keys(CLOUD_AIMS) as CloudAim[];
    const tally = new ChainTally();
    let refused = 0;
    let ahead = 0;
    while (tally.kills < trials) {
      const chain = tally.startChain();
      const l = await cloudLab(join(dir, `chain-${chain}`), aws, name('chaos-trial', chain), name('chaos_checkpoints', chain));
      const env = l.env(l.config('config.yaml'));
      for (let k = 0; k < perChain && tally.kills < trials; k++) {
        const aim = aims[tally.kills % aims.length]!;
        l.newTask(); // each command as a new ECS task: no local copy of the run log
        const run = startCbbd(env, ARGS);
        await poll(run, async () => run.output().includes('"run_started"'));
        if (run.output().includes('Another run holds')) refused++;
        await killMoment(l, run, aim, clean.ms);
        await killHard(run);
        const ended = await run.done;
        tally.ran(ended.ms);
        if (ended.signal !== 'SIGKILL') break; // finished before the kill: the chain is complete
        tally.kills++;
        const claims = claimsAheadOfData(expected, await l.fingerprint());
        ahead += claims.length;
        if (claims.length) console.log(`  cloud crash ${tally.kills} (${aim}): ${claims.length} claim(s) ahead of the data: ${claims.slice(0, 3).join('; ')}`);
      }
      l.newTask();
      const rerun = await runCbbd(env, ARGS);
      tally.ran(rerun.ms);
      if (rerun.stderr.includes('Another run holds')) refused++;
      const got = await l.fingerprint();
      const d = compare(expected, got);
      tally.chainEnded(d, rerun.code === 0 && identical(d) && got.runsRunning === 0 && !got.tmpLeft.length && !(await l.lease()));
      console.log(`  cloud chain ${chain}: ${tally.kills} kill(s) so far, re-run exit ${rerun.code}, ${describeDifference(d)}, running ${got.runsRunning}, tmp/ ${got.tmpLeft.length}`);
      l.close();
    }
    return tally.row(scenario, `${tally.kills} kills (${aims.join(', ')}, in turn) in ${tally.chains} chains; ${refused} run(s) refused by a dead run's lease, ${ahead} claim(s) ahead of the data`, clean.ms);
  } finally {
    moto.stop();
  }
}
