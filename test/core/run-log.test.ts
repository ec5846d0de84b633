import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExecutionError } from '../../src/core/errors.ts';
import { registerSecret } from '../../src/core/redact.ts';
import { HERE, stampText } from '../../src/core/process-alive.ts';
import { RunLog } from '../../src/store/run-log.ts';
import { openRunLog, runLogFile, tempDir } from '../helpers.ts';

const partitions = [{ asset: 'raw/games', partition: '2024|2024-01-15' }, { asset: 'raw/games', partition: '2024|2024-01-16' }];

describe('run log', () => {
  it('refuses a second run over overlapping partitions, saying who holds them and since when', async () => {
    const log = await openRunLog();
    const first = log.startRun({ selection: 'raw/*', filter: {}, partitions });
    let refusal: unknown;
    try {
      log.startRun({ selection: 'raw/games', filter: {}, partitions: [partitions[1]!] });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ExecutionError);
    expect((refusal as Error).message).toMatch(
      new RegExp(`^Refused: raw/games 2024\\|2024-01-16 is being materialized by run ${first} \\(pid ${process.pid} on .+, selection "raw/\\*", since \\d{4}-.+\\)\\. Wait for it to finish`),
    );
    // The refused run left nothing behind; a run over other partitions is fine; leases go when the run ends.
    expect((await log.listRuns()).map((r) => r.id)).toEqual([first]);
    log.startRun({ selection: 'raw/games', filter: {}, partitions: [{ asset: 'raw/games', partition: '2024|2024-01-17' }] });
    log.finishRun(first, 'succeeded', {});
    expect(() => log.startRun({ selection: 'raw/games', filter: {}, partitions })).not.toThrow();
  });

  it('marks a run whose process died as failed, fails its running partitions and frees its leases', async () => {
    const log = await openRunLog();
    const runId = log.startRun({ selection: 'raw/*', filter: {}, partitions });
    log.recordStarted(runId, 'raw/games', '1', ['2024|2024-01-15'], 1);
    // Pretend the run belonged to a process that no longer exists (as after kill -9).
    runLogFile(log).prepare(`UPDATE runs SET pid = 999999999, process = ? WHERE id = ?`).run(stampText({ where: HERE, pid: 999999999, started: '0' }), runId);
    expect(log.recoverOrphans()).toEqual([runId]);
    const run = await log.getRun(runId);
    expect(run).toMatchObject({ status: 'failed' });
    expect(run!.error).toMatch(/crashed or was killed/);
    expect(log.loadPartitionRecords().get('raw/games')!.get('2024|2024-01-15')).toMatchObject({ status: 'failed', dataVersion: null });
    expect(() => log.startRun({ selection: 'raw/*', filter: {}, partitions })).not.toThrow();
  });

  it('judges a run\'s process by host, pid namespace, pid and start time: a reused pid is gone, another container\'s pid is not', async () => {
    const log = await openRunLog();
    const reused = log.startRun({ selection: 'raw/games', filter: {}, partitions: [partitions[0]!] });
    const elsewhere = log.startRun({ selection: 'raw/games', filter: {}, partitions: [partitions[1]!] });
    const db = runLogFile(log);
    // This very pid, but a process that started at another time: the pid was handed to a new process.
    db.prepare('UPDATE runs SET process = ? WHERE id = ?').run(stampText({ where: HERE, pid: process.pid, started: 'zzz' }), reused);
    // A dead pid of this host name but another pid namespace (a container sharing the host name): not ours to judge.
    db.prepare('UPDATE runs SET process = ? WHERE id = ?').run(stampText({ where: HERE === 'abcdef01' ? 'abcdef02' : 'abcdef01', pid: 999999999, started: '0' }), elsewhere);
    expect(log.recoverOrphans()).toEqual([reused]);
    // Until it stops beating: then it is gone wherever it ran.
    db.prepare('UPDATE runs SET heartbeat_at = 0 WHERE id = ?').run(elsewhere);
    expect(log.recoverOrphans()).toEqual([elsewhere]);
  });

  it('completes a migration cut short after it added a column (as versions before the migration transaction left it)', async () => {
    const log = await openRunLog();
    const { path } = log;
    // As if killed after 0006's and 0007's ALTERs but before Kysely recorded them.
    runLogFile(log).prepare("DELETE FROM kysely_migration WHERE name IN ('0006_process_stamps', '0007_run_kind')").run();
    await log.close();
    const reopened = await RunLog.open(path);
    try {
      expect(reopened.startRun({ selection: 'raw/games', filter: {}, partitions })).toMatch(/^r\d/);
    } finally {
      await reopened.close();
    }
  });

  it('migrates a fresh run log once when twelve processes open it at the same moment, and every one of them opens', async () => {
    const path = join(tempDir(), 'runlog.sqlite');
    const module = pathToFileURL(fileURLToPath(new URL('../../src/store/run-log.ts', import.meta.url))).href;
    // Each process waits for the same instant, so their migrations overlap rather than follow each other.
    const script = `const { RunLog } = await import(${JSON.stringify(module)});
      await new Promise((r) => setTimeout(r, Number(process.argv[2]) - Date.now()));
      await (await RunLog.open(process.argv[1])).close();`;
    const at = Date.now() + 4_000;
    const results = await Promise.all(Array.from({ length: 12 }, () => new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path, String(at)], (error, _out, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
      });
    })));
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const reopened = await RunLog.open(path);
    try {
      const names = runLogFile(reopened).prepare('SELECT name FROM kysely_migration').pluck().all() as string[];
      expect(names).toEqual([...new Set(names)]);
      expect(reopened.startRun({ selection: 'raw/games', filter: {}, partitions })).toMatch(/^r\d/);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it('refuses a run log a newer cbbd migrated, saying so, rather than writing to a schema it does not know', async () => {
    const log = await openRunLog();
    const { path } = log;
    runLogFile(log).prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2027-01-01T00:00:00.000Z')").run();
    await log.close();
    await expect(RunLog.open(path)).rejects.toThrow(/written by a newer cbbd \(its migration 9999_from_the_future/);
  });

  it('keeps the last good data version when a later attempt fails', async () => {
    const log = await openRunLog();
    const r1 = log.startRun({ selection: 'x', filter: {}, partitions });
    log.recordStarted(r1, 'raw/games', '1', ['2024|2024-01-15'], 1);
    log.recordSucceeded(r1, 'raw/games', { partition: '2024|2024-01-15', dataVersion: 'abc', codeVersion: '1', inputs: '{}', inputsHash: 1, rowCount: 12, checks: [] });
    log.finishRun(r1, 'succeeded', {});
    const r2 = log.startRun({ selection: 'x', filter: {}, partitions });
    log.recordStarted(r2, 'raw/games', '1', ['2024|2024-01-15'], 1);
    log.recordFailed(r2, 'raw/games', ['2024|2024-01-15'], new Error('timeout'));
    expect(log.loadPartitionRecords().get('raw/games')!.get('2024|2024-01-15')).toMatchObject({
      status: 'failed', dataVersion: 'abc', error: 'timeout',
    });
    const history = [...await log.materializationsOf(r1), ...await log.materializationsOf(r2)];
    expect(history.map(({ runId, status, rowCount, error }) => ({ runId, status, rowCount, error }))).toEqual([
      { runId: r1, status: 'succeeded', rowCount: 12, error: null },
      { runId: r2, status: 'failed', rowCount: null, error: 'timeout' },
    ]);
  });

  it('prunes events older than the retention and keeps newer ones', async () => {
    let now = Date.parse('2024-01-01T00:00:00Z');
    const log = await openRunLog(() => now);
    const runId = log.startRun({ selection: 'x', filter: {}, partitions: [] });
    log.recordEvent(runId, 'old');
    now += 40 * 86_400_000;
    log.recordEvent(runId, 'new');
    expect(log.pruneEvents(30)).toBe(1);
    expect((await log.eventsOf(runId)).map((e) => e.type)).toEqual(['new']);
  });

  it('never stores a registered secret', async () => {
    registerSecret('sk-live-0123456789abcdef');
    const log = await openRunLog();
    const runId = log.startRun({ selection: 'x', filter: {}, partitions });
    log.recordStarted(runId, 'raw/games', '1', ['2024|2024-01-15'], 1);
    log.recordFailed(runId, 'raw/games', ['2024|2024-01-15'], new Error('GET /games?key=sk-live-0123456789abcdef failed'));
    log.recordEvent(runId, 'note', { header: 'Authorization: Bearer sk-live-0123456789abcdef' });
    log.finishRun(runId, 'failed', {}, 'sk-live-0123456789abcdef');
    const file = runLogFile(log);
    const dump = JSON.stringify(['materializations', 'partition_state', 'events', 'runs', 'check_results'].map((t) => file.prepare(`SELECT * FROM ${t}`).all()));
    expect(dump).not.toContain('sk-live-0123456789abcdef');
    expect(dump).toContain('[REDACTED]');
  });
});
