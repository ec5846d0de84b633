import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HERE, processStartTime, stampText } from '../../src/core/process-alive.ts';
import { makeScratchDir, scratchPath, sweepScratchDirs } from '../../src/lake/scratch-dirs.ts';
import { tempDir } from '../helpers.ts';
import { fillSweepable, filesIn, outsideFiles, whileSwapping } from './_link-race.ts';

const before = process.env.TMPDIR;
afterEach(() => {
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
});

/** A pid that was alive a moment ago and is not any more. */
const gonePid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

/** A scratch folder's name as this process would make it, but for the pid `pid` (a writer that is gone). */
const deadName = (pid: number, kind = 'table') => basename(scratchPath(kind)).replace(`-${process.pid}-`, `-${pid}-`);

/** Make a folder as a writer would have: mode 0700. */
function privateFolder(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}

describe('scratch folders in the OS temp folder', () => {
  it('are made 0700 and named by process stamp; a sweep removes only those of processes of this place that are gone', async () => {
    const tmp = (process.env.TMPDIR = tempDir('cbbd-scratch-'));
    const mine = await makeScratchDir('table');
    expect(statSync(mine).mode & 0o777).toBe(0o700);
    const gone = gonePid();
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((r) => alive.once('spawn', r));
      const folders = {
        dead: deadName(gone),
        live: `cbbd-parquet-${stampText({ where: HERE, pid: alive.pid!, started: processStartTime(alive.pid!)! })}-0123456789ab`,
        // The same pid, written by a process of another host or pid namespace sharing this folder: not ours to judge.
        elsewhere: `cbbd-parquet-${gone}-${processStartTime(process.pid)}-00000000-0123456789ab`,
        unrelated: 'cbbd-something-else',
      };
      for (const name of Object.values(folders)) privateFolder(join(tmp, name, 'inside'));

      expect(await sweepScratchDirs()).toBe(1);
      expect(existsSync(join(tmp, folders.dead))).toBe(false);
      expect(readdirSync(tmp).sort()).toEqual([basename(mine), folders.live, folders.elsewhere, folders.unrelated].sort());
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it("judges a pid by its process's start time: a live pid that started after the folder was made is not its writer", async () => {
    const tmp = (process.env.TMPDIR = tempDir('cbbd-scratch-'));
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((r) => alive.once('spawn', r));
      const started = processStartTime(alive.pid!)!;
      expect(started).toMatch(/^[0-9a-z]+$/);
      // The same pid, stamped by a process that started earlier: that process is gone, and the pid was reused.
      const reused = privateFolder(join(tmp, `cbbd-table-${stampText({ where: HERE, pid: alive.pid!, started: (parseInt(started, 36) - 1).toString(36) })}-0123456789ab`));
      const current = privateFolder(join(tmp, `cbbd-table-${stampText({ where: HERE, pid: alive.pid!, started })}-0123456789ab`));
      expect(await sweepScratchDirs()).toBe(1);
      expect(existsSync(reused)).toBe(false);
      expect(existsSync(current)).toBe(true);
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it("leaves what is not this user's private folder: mode other than 0700, another owner, a link, a file", async () => {
    const tmp = (process.env.TMPDIR = tempDir('cbbd-scratch-'));
    const target = outsideFiles(tempDir('cbbd-scratch-target-'), 20);
    const gone = gonePid();
    const open = join(tmp, deadName(gone, 'parquet'));
    mkdirSync(open, { mode: 0o755 });
    const link = join(tmp, deadName(gone, 'query'));
    symlinkSync(target, link);
    const file = join(tmp, deadName(gone, 'files'));
    writeFileSync(file, 'not a folder');
    const kept = [open, link, file];
    if (process.getuid?.() === 0) {
      // Running as root, a folder of another user can be made: a sweep that is root's must leave it too.
      const others = privateFolder(join(tmp, deadName(gone, 'spill')));
      chownSync(others, 65534, 65534);
      kept.push(others);
    }
    const removable = privateFolder(join(tmp, deadName(gone, 'table')));
    expect(await sweepScratchDirs()).toBe(1);
    expect(existsSync(removable)).toBe(false);
    for (const path of kept) expect(existsSync(path), path).toBe(true);
    expect(filesIn(target)).toBe(20);
  });

  it('never deletes outside the folder while another process swaps a subfolder for a link mid-removal, at any depth', { timeout: 120_000 }, async () => {
    const tmp = (process.env.TMPDIR = tempDir('cbbd-scratch-race-'));
    const outside = outsideFiles(tempDir('cbbd-scratch-outside-'), 1_000);
    const rounds = 8;
    let swaps = 0;
    for (let round = 0; round < rounds; round++) {
      const folder = privateFolder(join(tmp, deadName(gonePid())));
      const subPath = round % 2 ? 'sub' : 'deep/er/sub';
      fillSweepable(folder, subPath);
      const { result, swapped } = await whileSwapping(folder, subPath, outside, () => sweepScratchDirs());
      if (swapped) swaps++;
      expect(result + (await sweepScratchDirs()), `round ${round}: the folder is swept`).toBe(1);
      expect(existsSync(folder)).toBe(false);
    }
    const left = filesIn(outside);
    console.log(`scratch sweep race: ${rounds} rounds, ${swaps} swaps made mid-removal, ${1_000 - left} of 1,000 outside files deleted`);
    expect(swaps).toBeGreaterThan(rounds / 2); // the attack did happen
    expect(left).toBe(1_000);
  });
});
