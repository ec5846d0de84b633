/**
 * Crash consistency. A partition swap that fails half-way keeps the old partition; a process killed between moving the
 * old partition aside and renaming the new one in gets it back at the next start; and `cbbd materialize` killed with
 * SIGKILL at random moments (while raw bodies, Parquet, the run log or checkpoints are written) is completed by a
 * plain re-run into exactly the clean run's lakehouse, with nothing left in tmp/ and no run left "running".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch } from 'node:fs';
import fsCallbacks from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownStamp } from '../../src/core/process-alive.ts';
import { localStorage, stagingEntry } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';
import { claimsAheadOfData, compare, describeDifference, fingerprint, identical, killHard, lab, runCbbd, startCbbd, type Fingerprint } from './_chaos-kit.ts';

const read = (root: string, key: string) => readFileSync(join(root, key), 'utf8');

describe('a partition swap on a local folder', () => {
  it('keeps the old partition when renaming the new one in fails', async () => {
    const root = tempDir();
    const storage = localStorage(root);
    await storage.replacePartition('silver/t/season=2024', [{ name: 'part-0.parquet', body: 'old' }]);
    // A real rename that fails the way a full or read-only disk makes it fail, on the swap's second rename only.
    const real = fsCallbacks.promises.rename;
    let calls = 0;
    fsCallbacks.promises.rename = async (from, to) => {
      if (++calls === 2) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      return real(from, to);
    };
    syncBuiltinESMExports();
    try {
      await expect(storage.replacePartition('silver/t/season=2024', [{ name: 'part-0.parquet', body: 'new' }])).rejects.toThrow(/\[storage:local\] PUT silver\/t\/season=2024: EIO/);
    } finally {
      fsCallbacks.promises.rename = real;
      syncBuiltinESMExports();
    }
    expect(calls).toBe(3); // aside, in (failed), and back
    expect(read(root, 'silver/t/season=2024/part-0.parquet')).toBe('old');
    expect(await storage.list('tmp/')).toEqual([]);
  });

  it('puts the old partition back at the next start when the writer died between the two renames', async () => {
    const root = tempDir();
    const storage = localStorage(root);
    await storage.replacePartition('bronze/games/season=2024', [{ name: 'part-0.parquet', body: 'old' }]);
    // A writer process that dies (SIGKILL, by itself) right after moving the old folder aside.
    const writer = `
      import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const real = fs.promises.rename;
      let calls = 0;
      fs.promises.rename = async (a, b) => { await real(a, b); if (++calls === 1) process.kill(process.pid, 'SIGKILL'); };
      syncBuiltinESMExports();
      const { localStorage } = await import(${JSON.stringify(resolve('src/lake/storage/local.ts'))});
      await localStorage(${JSON.stringify(root)}).replacePartition('bronze/games/season=2024', [{ name: 'part-0.parquet', body: 'new' }]);
    `;
    const died = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], { encoding: 'utf8' });
    expect(died.signal).toBe('SIGKILL');
    expect(existsSync(join(root, 'bronze/games/season=2024'))).toBe(false); // the moment a crash can leave

    expect(await storage.sweepStaging()).toBe(1);
    expect(read(root, 'bronze/games/season=2024/part-0.parquet')).toBe('old');
    expect(await storage.list('tmp/')).toEqual([]);
  });

  it('keeps the staging of a writer that is still alive, and removes a dead one once its new partition is in', async () => {
    const root = tempDir();
    const storage = localStorage(root);
    await storage.replacePartition('raw/games/season=2024', [{ name: 'part-0.json.gz', body: 'new' }]);
    const dead = stagingEntry({ ...ownStamp(), pid: 999_999_999 });
    const live = stagingEntry(); // this process: alive
    mkdirSync(join(root, `tmp/${dead}/old`), { recursive: true }); // died after the second rename
    mkdirSync(join(root, `tmp/${live}/new`), { recursive: true });
    expect(await storage.sweepStaging()).toBe(1);
    expect(read(root, 'raw/games/season=2024/part-0.json.gz')).toBe('new');
    expect(readdirSync(join(root, 'tmp'))).toEqual([live]);
  });
});

/**
 * A CI-sized season: games and lines from raw to gold (raw, bronze, silver and a gold table), about a fifth of the
 * demo season's work, so a few kills fit in a test.
 */
const SELECTION = '+gold/market_lines_analysis';

describe('cbbd materialize killed with SIGKILL', () => {
  it('is completed by a plain re-run into exactly the clean run\'s lakehouse', { timeout: 170_000 }, async () => {
    const clean = lab(tempDir('cbbd-crash-clean-'));
    const first = await runCbbd(clean.env(clean.config('config.yaml')), ['materialize', SELECTION, '--season', '2024']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const cleanPrint: Fingerprint = fingerprint(clean);
    expect(cleanPrint.versions.size).toBeGreaterThan(5);

    const trial = lab(tempDir('cbbd-crash-'));
    const env = trial.env(trial.config('config.yaml'));
    mkdirSync(join(trial.lakehouse, 'tmp'), { recursive: true });
    // Three kills aimed at a commit (a staging folder appears in tmp/), a run-log write and a random moment.
    const aims: { name: string; arm: (kill: () => void) => () => void }[] = [
      { name: 'commit', arm: (kill) => closer(watch(join(trial.lakehouse, 'tmp'), kill)) },
      { name: 'run log', arm: (kill) => closer(watch(join(trial.dir, '.cbbd'), (_, f) => f?.startsWith('runlog.sqlite') && kill())) },
      { name: 'time', arm: (kill) => { const t = setTimeout(kill, first.ms * Math.random() * 0.5); return () => clearTimeout(t); } },
    ];
    let killed = 0;
    for (const aim of aims) {
      const run = startCbbd(env, ['materialize', SELECTION, '--season', '2024']);
      // Aim once the run holds its leases, so each kill lands in the middle of work.
      await until(() => run.output().includes('"run_started"') || run.child.exitCode !== null);
      await new Promise((r) => setTimeout(r, Math.random() * first.ms * 0.3));
      const disarm = aim.arm(() => void killHard(run));
      const ended = await run.done;
      disarm();
      if (ended.signal === 'SIGKILL') killed++;
      const afterKill = fingerprint(trial);
      expect(claimsAheadOfData(cleanPrint, afterKill), `after a kill aimed at ${aim.name}`).toEqual([]);
    }
    expect(killed).toBeGreaterThan(0);

    const rerun = await runCbbd(env, ['materialize', SELECTION, '--season', '2024']);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const got = fingerprint(trial);
    const difference = compare(cleanPrint, got);
    expect(identical(difference), describeDifference(difference)).toBe(true);
    expect(got.runsRunning).toBe(0);
    expect(got.leases).toBe(0);
    expect(got.tmpLeft).toEqual([]);
    // Scratch folders the killed processes left in the OS temp folder were removed by the re-run.
    expect(got.osTmpLeft).toEqual([]);
  });
});

function closer(watcher: { close(): void }): () => void {
  return () => watcher.close();
}

async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 50));
}
