/**
 * `cbbd schedule` as a user runs it: real processes, a schedule every four seconds (croner's seconds field) running a
 * small `materialize` against a simulator over HTTP, the real SQLite run log. A tick runs and is recorded with the
 * run it created; a second scheduler beside the first names the holder and waits; SIGTERM stops a scheduler within a
 * few seconds; ticks missed while no scheduler ran run once at start-up; a tick gives way to a run in progress.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');
let sim: RunningSim;
let env: NodeJS.ProcessEnv;
let runLogPath: string;
const started: ChildProcess[] = [];

interface TickRow { id: number; planned_at: number; outcome: string; reason: string | null; missed: number; run_id: string | null; exit_code: number | null }

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, scale: 'demo' });
  const dir = tempDir('cbbd-schedule-cli-');
  writeFileSync(join(dir, 'config.yaml'), [
    `assets: ${resolve('assets/index.ts')}`,
    'seasons: { first: 2023, last: 2024 }',
    'source: { requestsPerSecond: 100 }',
    'schedules:',
    '  teams: { cron: "*/4 * * * * *", timezone: UTC, command: [materialize, raw/teams] }',
    '  nightly: { cron: "0 8 * * *", timezone: UTC, command: [validate], enabled: false }',
    '',
  ].join('\n'));
  runLogPath = join(dir, '.cbbd', 'runlog.sqlite');
  env = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_API_BASE_URL: sim.url, CBBD_LOG_LEVEL: 'info' };
  delete env.CBBD_API_KEY;
  delete env.BEARER_TOKEN;
});
afterEach(() => {
  // A failed assertion must not leave a scheduler ticking: stop what this test started, by its pid.
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await sim.close();
});

/** `cbbd schedule` in the background, its output collected as it comes. */
function scheduler() {
  const child = spawn(process.execPath, [BIN, 'schedule'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, out, exited };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  if (!existsSync(runLogPath)) return [];
  const db = new Database(runLogPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } catch {
    return []; // not migrated yet
  } finally {
    db.close();
  }
}

const ticks = () => query<TickRow>('SELECT * FROM schedule_ticks ORDER BY id');

async function stop(s: ReturnType<typeof scheduler>): Promise<{ code: number | null; ms: number }> {
  const t = Date.now();
  s.child.kill('SIGTERM');
  const code = await s.exited;
  return { code, ms: Date.now() - t };
}

describe('cbbd schedule', () => {
  it('ticks, names the holder to a second scheduler, stops on SIGTERM, and runs missed ticks once at start-up', async () => {
    // 1. A tick runs its materialize and is recorded with the run it created.
    const first = scheduler();
    await until('the start-up lines', () => (first.out.stdout.includes('nightly') ? true : undefined), 30_000);
    expect(first.out.stdout).toMatch(new RegExp(`^cbbd schedule: pid ${first.child.pid} on ${hostname()}, run log .+runlog\\.sqlite`, 'm'));
    expect(first.out.stdout).toMatch(/^ {2}teams +\*\/4 \* \* \* \* \* \(UTC\) +next \d{4}-\d\d-\d\dT\d\d:\d\d:(00|04|08|12|16|20|24|28|32|36|40|44|48|52|56)\.000Z {2}cbbd materialize raw\/teams$/m);
    expect(first.out.stdout).toMatch(/^ {2}nightly .+disabled {2}cbbd validate$/m);
    const ran = await until('a tick that ran', () => ticks().find((t) => t.outcome === 'ran'), 90_000);
    expect(ran).toMatchObject({ exit_code: 0, missed: 0, run_id: expect.stringMatching(/^r\d{8}-\d{6}-[0-9a-f]{6}$/) });
    expect(query<{ status: string; selection: string }>('SELECT status, selection FROM runs WHERE id = ?', ran.run_id)).toEqual([{ status: 'succeeded', selection: 'raw/teams' }]);
    expect(first.out.stderr).toContain('"schedule":"teams"');
    expect(first.out.stderr).toMatch(/Run r\d{8}-\d{6}-[0-9a-f]{6} succeeded/); // the command's own output, in the log

    // 2. A second scheduler beside it says who holds the schedules and waits; it ticks nothing.
    const ticksBefore = ticks().length;
    const second = scheduler();
    await until('the standby line', () => (second.out.stderr.includes('waits as a standby') ? true : undefined), 30_000);
    expect(second.out.stderr).toMatch(new RegExp(`The schedules are run by pid ${first.child.pid} on ${hostname()} \\(cbbd schedule, since \\d{4}-.+Z\\); this cbbd schedule waits as a standby`));
    const secondStop = await stop(second);
    expect(secondStop.code).toBe(0);
    expect(secondStop.ms).toBeLessThan(5_000);
    const tickers = query<{ scheduler_pid: number }>('SELECT DISTINCT scheduler_pid FROM schedule_ticks WHERE id > ?', ticksBefore);
    expect(tickers.map((t) => t.scheduler_pid).filter((pid) => pid !== first.child.pid)).toEqual([]); // the standby ticked nothing

    // 3. SIGTERM stops the scheduler (and a tick's command under way) within a few seconds.
    const firstStop = await stop(first);
    expect(firstStop.code).toBe(0);
    expect(firstStop.ms).toBeLessThan(10_000);
    const stoppedAt = Date.now();
    expect(query('SELECT * FROM scheduler_lease')).toEqual([]); // released on the way out
    expect(ticks().filter((t) => t.outcome === 'running')).toEqual([]);

    // 4. Stopped long enough to miss two or three ticks: the next start runs one tick for all of them.
    await new Promise((r) => setTimeout(r, 9_000));
    const restarted = scheduler();
    const restartedAt = Date.now();
    const missed = await until('the missed tick', () => ticks().find((t) => t.missed === 1), 30_000);
    expect(missed.planned_at).toBeGreaterThan(stoppedAt);
    // At most a tick or two after the restart: a loaded machine may take seconds to start the scheduler.
    expect(missed.planned_at).toBeLessThanOrEqual(restartedAt + 10_000);
    await until('the missed tick to end', () => ticks().find((t) => t.id === missed.id && t.outcome !== 'running'), 90_000);
    expect(ticks().find((t) => t.id === missed.id)).toMatchObject({ outcome: 'ran', exit_code: 0, reason: expect.stringMatching(/^\d tick\(s\) missed while no scheduler ran, the latest planned .+Z$/) });
    expect(ticks().filter((t) => t.missed === 1)).toHaveLength(1);

    // 5. A run in progress (this test's own live pid stands for a user's materialize): the next tick gives way, naming it.
    const db = new Database(runLogPath);
    db.prepare(`INSERT INTO runs (id, selection, filter, status, started_at, heartbeat_at, pid, host, partitions_total) VALUES ('r20260101-000000-abcdef', 'raw/games', '{}', 'running', ?, ?, ?, ?, 1)`)
      .run(Date.now(), Date.now(), process.pid, hostname());
    try {
      const skipped = await until('a tick skipped for the run', () => ticks().find((t) => t.outcome === 'skipped' && t.reason?.includes('r20260101-000000-abcdef')), 30_000);
      expect(skipped.reason).toMatch(new RegExp(`^run r20260101-000000-abcdef \\(pid ${process.pid} on ${hostname()}, selection "raw/games", since .+Z\\) is running$`));
      expect(restarted.out.stderr).toContain('Skipped the teams tick planned');
    } finally {
      db.prepare(`DELETE FROM runs WHERE id = 'r20260101-000000-abcdef'`).run();
      db.close();
    }
    const lastStop = await stop(restarted);
    expect(lastStop.code).toBe(0);
    expect(lastStop.ms).toBeLessThan(10_000);
  }, 300_000);
});
