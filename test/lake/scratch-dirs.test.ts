import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeScratchDir, sweepScratchDirs } from '../../src/lake/scratch-dirs.ts';
import { tempDir } from '../helpers.ts';

const before = process.env.TMPDIR;
afterEach(() => {
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
});

describe('scratch folders in the OS temp folder', () => {
  it('are named by their pid, and a sweep removes those of processes that are gone, nothing else', async () => {
    process.env.TMPDIR = tempDir('cbbd-scratch-');
    const mine = await makeScratchDir('table');
    // A pid that was alive a moment ago and is not any more: a process that ran and exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const dead = join(process.env.TMPDIR, `cbbd-parquet-${gone}-0123456789ab`);
    const unrelated = join(process.env.TMPDIR, 'cbbd-something-else');
    for (const dir of [dead, unrelated]) mkdirSync(join(dir, 'inside'), { recursive: true });

    expect(await sweepScratchDirs()).toBe(1);
    expect(existsSync(dead)).toBe(false);
    expect(readdirSync(process.env.TMPDIR).sort()).toEqual([mine.slice(process.env.TMPDIR.length + 1), 'cbbd-something-else'].sort());
  });
});
