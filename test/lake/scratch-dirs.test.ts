import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeScratchDir, sweepScratchDirs } from '../../src/lake/scratch-dirs.ts';
import { tempDir } from '../helpers.ts';

const before = process.env.TMPDIR;
afterEach(() => {
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
});

describe('scratch folders in the OS temp folder', () => {
  it('are named by pid and place, and a sweep removes only those of processes of this place that are gone', async () => {
    const tmp = (process.env.TMPDIR = tempDir('cbbd-scratch-'));
    const mine = basename(await makeScratchDir('table'));
    const here = mine.split('-')[3]!;
    // A pid that was alive a moment ago and is not any more, and one that is alive now.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const folders = {
        dead: `cbbd-parquet-${gone}-${here}-0123456789ab`,
        live: `cbbd-parquet-${alive.pid}-${here}-0123456789ab`,
        // The same pid, written by a process of another host or pid namespace sharing this folder: not ours to judge.
        elsewhere: `cbbd-parquet-${gone}-00000000-0123456789ab`,
        unrelated: 'cbbd-something-else',
      };
      for (const name of Object.values(folders)) mkdirSync(join(tmp, name, 'inside'), { recursive: true });

      expect(await sweepScratchDirs()).toBe(1);
      expect(existsSync(join(tmp, folders.dead))).toBe(false);
      expect(readdirSync(tmp).sort()).toEqual([mine, folders.live, folders.elsewhere, folders.unrelated].sort());
    } finally {
      alive.kill('SIGKILL');
    }
  });
});
