/**
 * The one rule every sweep judges a leftover by: where it was made (host and pid namespace), the pid, and the
 * process's start time. A leftover's writer is gone only when all of them say so; anything unsure counts as alive.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HERE, ownStamp, processStartTime, stampText, writerGone } from '../../src/core/process-alive.ts';

describe('writerGone', () => {
  it('judges by where, pid and start time, and counts anything unsure as a live writer', async () => {
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((r) => alive.once('spawn', r));
      const started = processStartTime(alive.pid!)!;
      const earlier = (parseInt(started, 36) - 1).toString(36);
      expect(writerGone(ownStamp())).toBe(false);
      expect(writerGone({ ...ownStamp(), started: earlier })).toBe(true); // this pid, an earlier process
      expect(writerGone({ where: HERE, pid: gone, started })).toBe(true);
      expect(writerGone({ where: HERE, pid: alive.pid!, started })).toBe(false);
      expect(writerGone({ where: HERE, pid: alive.pid!, started: earlier })).toBe(true); // the pid was reused
      expect(writerGone({ where: HERE, pid: alive.pid!, started: '0' })).toBe(false); // no start time: the pid alone
      expect(writerGone({ where: '00000000', pid: gone, started })).toBe(false); // another host's or namespace's
      expect(writerGone({ where: HERE, pid: 0, started })).toBe(false);
      expect(stampText()).toBe(`${process.pid}-${ownStamp().started}-${HERE}`);
    } finally {
      alive.kill('SIGKILL');
    }
  });
});
