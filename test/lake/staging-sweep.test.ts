/**
 * The sweep of the lakehouse's tmp/ (staging left by writes that died) as an attacker or a careless config would
 * meet it: a tmp/ that is a link, a lakehouse.root pointed at a folder in use (or at /), files in tmp/ that are not
 * staging, a journal planted to move an outside folder into the lakehouse, and a subfolder swapped for a link while
 * the sweep removes it. Only staging names of writers that are gone go; nothing outside the lakehouse is touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HERE, processStartTime, type ProcessStamp } from '../../src/core/process-alive.ts';
import { lakehouseRootProblem, localStorage, stagingEntry } from '../../src/lake/storage/local.ts';
import { STAGING_MAX_AGE_MS } from '../../src/lake/storage/storage.ts';
import { tempDir } from '../helpers.ts';
import { fillSweepable, filesIn, outsideFiles, whileSwapping } from './_link-race.ts';

const later = () => Date.now() + 2 * STAGING_MAX_AGE_MS;
const gonePid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
/** A staging entry's name as a writer of this place that is gone would have left it. */
const deadStaging = (): string => stagingEntry({ where: HERE, pid: gonePid(), started: processStartTime(process.pid)! });

/** A lakehouse as cbbd leaves it: layer folders and tmp/. */
function lakehouse(): string {
  const root = join(tempDir('cbbd-lake-'), 'lakehouse');
  for (const folder of ['raw', 'bronze', 'tmp']) mkdirSync(join(root, folder), { recursive: true });
  return root;
}

describe("the lakehouse's tmp/ sweep", () => {
  it('removes the staging of writers that are gone and nothing else in tmp/, whatever its age', async () => {
    const root = lakehouse();
    const tmp = join(root, 'tmp');
    const dead = deadStaging();
    mkdirSync(join(tmp, dead, 'new'), { recursive: true });
    writeFileSync(join(tmp, dead, 'new', 'part-0.parquet'), 'half written');
    writeFileSync(join(tmp, 'thesis-draft.txt'), 'three years of work');
    mkdirSync(join(tmp, 'build-cache'));
    writeFileSync(join(tmp, 'build-cache', 'cached.o'), 'x');
    const live = join(tmp, stagingEntry());
    mkdirSync(live);
    const dayAgo = new Date(Date.now() - 86_400_000);
    for (const name of ['thesis-draft.txt', 'build-cache']) utimesSync(join(tmp, name), dayAgo, dayAgo);

    expect(await localStorage(root).sweepStaging()).toBe(1);
    expect(readdirSync(tmp).sort()).toEqual(['build-cache', 'thesis-draft.txt', live.split('/').at(-1)!].sort());
    expect(readdirSync(join(tmp, 'build-cache'))).toEqual(['cached.o']);
  });

  it("judges a writer by pid and start time: a live pid that started after the staging was made is not its writer", async () => {
    const root = lakehouse();
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((r) => alive.once('spawn', r));
      const started = processStartTime(alive.pid!)!;
      const stamp = (s: string): ProcessStamp => ({ where: HERE, pid: alive.pid!, started: s });
      const reused = stagingEntry(stamp((parseInt(started, 36) - 1).toString(36)));
      const current = stagingEntry(stamp(started));
      for (const name of [reused, current]) mkdirSync(join(root, 'tmp', name));
      expect(await localStorage(root).sweepStaging()).toBe(1);
      expect(readdirSync(join(root, 'tmp'))).toEqual([current]);
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it('refuses a tmp/ that is a symbolic link, and leaves its target alone', async () => {
    const root = join(tempDir('cbbd-lake-'), 'lakehouse');
    mkdirSync(join(root, 'raw'), { recursive: true });
    const target = outsideFiles(tempDir('cbbd-link-target-'), 10);
    mkdirSync(join(target, deadStaging()));
    mkdirSync(join(target, '999999999-0123456789ab'));
    symlinkSync(target, join(root, 'tmp'));
    await expect(localStorage(root).sweepStaging(later())).rejects.toThrow(/tmp is a symbolic link; the staging folder must be a folder of the lakehouse itself\. Nothing was swept/);
    expect(filesIn(target)).toBe(12);
  });

  it('refuses a root that holds folders a lakehouse does not have, and a root that is /', async () => {
    const root = tempDir('cbbd-home-');
    mkdirSync(join(root, 'Documents'));
    writeFileSync(join(root, 'Documents', 'notes.txt'), 'mine');
    mkdirSync(join(root, 'tmp', 'build-cache'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'thesis-draft.txt'), 'mine');
    mkdirSync(join(root, 'tmp', deadStaging())); // even staging-named: this is not a lakehouse to sweep
    await expect(localStorage(root).sweepStaging(later())).rejects.toThrow(`${root} holds Documents, which no lakehouse has (it holds only raw, bronze, silver, gold, tmp, deadletter, meta). Nothing was swept`);
    expect(readdirSync(join(root, 'tmp')).length).toBe(3);
    // By the code, root "/" would sweep the OS temp folder: refused before its tmp/ is read (checked, not swept here).
    expect(await lakehouseRootProblem('/')).toBe("/ is the file system's root, not a lakehouse folder");
    expect(await lakehouseRootProblem(join(root, 'not-made-yet'))).toBeUndefined();
    const hidden = lakehouse();
    writeFileSync(join(hidden, '.DS_Store'), '');
    expect(await lakehouseRootProblem(hidden)).toBeUndefined();
  });

  it('never moves an outside folder into the lakehouse through a staging journal that is a link', async () => {
    const root = lakehouse();
    // A folder elsewhere, dressed as the staging of a partition moved aside: a journal naming a gold partition.
    const planted = join(tempDir('cbbd-planted-'), 'staging');
    mkdirSync(join(planted, 'old'), { recursive: true });
    writeFileSync(join(planted, 'old', 'secret.txt'), 'not the lakehouse');
    writeFileSync(join(planted, 'target'), 'gold/planted_by_journal/season=2026');
    symlinkSync(planted, join(root, 'tmp', deadStaging()));
    // And a real staging folder whose moved-aside partition is a link to the outside.
    const real = join(root, 'tmp', deadStaging());
    mkdirSync(real);
    writeFileSync(join(real, 'target'), 'gold/planted_by_link/season=2026');
    symlinkSync(join(planted, 'old'), join(real, 'old'));
    // A journal that names anything but a layer's partition is not followed either.
    const meta = join(root, 'tmp', deadStaging());
    mkdirSync(join(meta, 'old'), { recursive: true });
    writeFileSync(join(meta, 'target'), 'meta/runlog.sqlite');

    await localStorage(root).sweepStaging(later());
    expect(existsSync(join(root, 'gold'))).toBe(false);
    expect(existsSync(join(root, 'meta'))).toBe(false);
    expect(readdirSync(join(planted, 'old'))).toEqual(['secret.txt']);
  });

  it('still puts back a partition a writer moved aside before it died', async () => {
    const root = lakehouse();
    const staging = join(root, 'tmp', deadStaging());
    mkdirSync(join(staging, 'old'), { recursive: true });
    writeFileSync(join(staging, 'old', 'part-0.parquet'), 'the old partition');
    writeFileSync(join(staging, 'target'), 'bronze/games/season=2024');
    expect(await localStorage(root).sweepStaging()).toBe(1);
    expect(readdirSync(join(root, 'bronze/games/season=2024'))).toEqual(['part-0.parquet']);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('never deletes outside the lakehouse while another process swaps a staging subfolder for a link mid-removal', { timeout: 120_000 }, async () => {
    const root = lakehouse();
    const outside = outsideFiles(tempDir('cbbd-lake-outside-'), 1_000);
    const rounds = 6;
    let swaps = 0;
    for (let round = 0; round < rounds; round++) {
      const staging = join(root, 'tmp', deadStaging());
      const subPath = round % 2 ? 'new/season=2024' : 'new/season=2024/date=2024-01-01/deeper';
      fillSweepable(staging, subPath);
      const { swapped } = await whileSwapping(staging, subPath, outside, () => localStorage(root).sweepStaging());
      if (swapped) swaps++;
      await localStorage(root).sweepStaging();
      expect(existsSync(staging), `round ${round}: the staging is swept`).toBe(false);
    }
    const left = filesIn(outside);
    console.log(`tmp/ sweep race: ${rounds} rounds, ${swaps} swaps made mid-removal, ${1_000 - left} of 1,000 outside files deleted`);
    expect(swaps).toBeGreaterThan(rounds / 2);
    expect(left).toBe(1_000);
  });

  it('makes a new lakehouse readable by this user only', async () => {
    const root = join(tempDir('cbbd-lake-'), 'lakehouse');
    await localStorage(root).put('deadletter/games/0123456789abcdef.json', '{}');
    expect(statSync(root).mode & 0o777).toBe(0o700);
    const other = join(tempDir('cbbd-lake-'), 'nested', 'lakehouse');
    await localStorage(other).replacePartition('raw/teams/season=2024', [{ name: 'part-0.json.gz', body: 'x' }]);
    expect(statSync(other).mode & 0o777).toBe(0o700);
  });
});
