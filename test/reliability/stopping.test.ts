/**
 * Stopping: `cbbd materialize`, `cbbd serve` (with a run started from the page), `cbbd sim` and `cbbd schedule` stop
 * within a few seconds of SIGTERM or SIGINT, even in the middle of heavy work (a big DuckDB query, CPU on the main
 * thread); a run records itself as cancelled, nothing is left running or half-committed, and a re-run completes.
 * Real processes, signalled by their pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');
const HEAVY = resolve('test/fixtures/heavy-work.ts');
/** The grace period (5 s) plus start-up and exit on a loaded 2-core machine. */
const STOPS_WITHIN_MS = 10_000;

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function project() {
  const dir = tempDir('cbbd-stop-');
  writeFileSync(join(dir, 'config.yaml'), [
    `assets: ${HEAVY}`, 'seasons: { first: 2023, last: 2024 }', 'materialize: { concurrency: 3, retries: 0 }',
    'schedules: { yearly: { cron: "0 8 1 1 *", timezone: UTC, command: [materialize, gold/big_query] } }', '',
  ].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_TEST_OUT: join(dir, 'out') };
  for (const knob of ['CBBD_API_KEY', 'CBBD_API_BASE_URL', 'CBBD_TEST_FAIL', 'CBBD_TEST_SLEEP_MS', 'CBBD_TEST_QUERY_ROWS', 'CBBD_TEST_CPU_MS']) delete env[knob];
  return { dir, env, runLog: join(dir, '.cbbd/runlog.sqlite') };
}

/** A CLI process, its output so far, and when it exited. */
function cbbd(env: NodeJS.ProcessEnv, ...args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((done) => child.on('exit', (code, signal) => done({ code: code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : null), at: Date.now() })));
  const waitFor = async (pattern: RegExp, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(out.stdout + out.stderr)) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; stderr:\n${out.stderr.slice(-2000)}`);
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${pattern}; stderr:\n${out.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Send the signal by pid; resolves with the exit code and how long the process took to exit. */
  const stop = async (signal: NodeJS.Signals) => {
    const sent = Date.now();
    process.kill(child.pid!, signal);
    const { code, at } = await exited;
    return { code, ms: at - sent };
  };
  return { child, out, waitFor, stop, exited };
}

function runsIn(runLog: string) {
  const db = new Database(runLog, { readonly: true });
  try {
    return {
      runs: db.prepare('SELECT id, status, error FROM runs ORDER BY started_at').all() as { id: string; status: string; error: string | null }[],
      running: (db.prepare("SELECT count(*) AS n FROM materializations WHERE status = 'running'").get() as { n: number }).n,
      leases: (db.prepare('SELECT count(*) AS n FROM leases').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/** What a user would check after a stop: the same command, with the heavy work made light, builds everything. */
function rerunCompletes(env: NodeJS.ProcessEnv, selection = '*') {
  const light = { ...env, CBBD_TEST_QUERY_ROWS: '1000', CBBD_TEST_CPU_MS: '0' };
  const again = spawnSync(process.execPath, [BIN, 'materialize', selection], { env: light, encoding: 'utf8', timeout: 120_000 });
  expect(again.status, again.stderr).toBe(0);
  const status = spawnSync(process.execPath, [BIN, 'status', selection, '--json'], { env: light, encoding: 'utf8', timeout: 60_000 });
  const rows = JSON.parse(status.stdout) as { asset: string; partitions: number; fresh: number }[];
  expect(rows.filter((r) => r.fresh !== r.partitions)).toEqual([]);
}

describe('stopping', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)(
    'cbbd materialize stops on %s in the middle of a big DuckDB query and CPU on the main thread, recorded as cancelled',
    async (signal, exitCode) => {
      const { env, runLog, dir } = project();
      const run = cbbd(env, 'materialize', '*');
      await run.waitFor(/heavy work started: a DuckDB query/);
      await run.waitFor(/heavy work started: CPU on the main thread/);
      const { code, ms } = await run.stop(signal);
      expect(ms).toBeLessThan(STOPS_WITHIN_MS);
      expect(code).toBe(exitCode);
      expect(run.out.stderr).toContain('stopping: finishing');
      expect(run.out.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const state = runsIn(runLog);
      expect(state.runs.map((r) => r.status)).toEqual(['cancelled']);
      expect(state.running).toBe(0);
      expect(state.leases).toBe(0);
      // Nothing half-committed: the heavy assets never wrote their output.
      expect(existsSync(join(dir, 'out', 'gold__big_query.json'))).toBe(false);
      rerunCompletes(env);
    },
    120_000,
  );

  it('cbbd materialize stops at once when the step under way looks at the run\'s signal (no grace needed)', async () => {
    const { env, runLog } = project();
    const run = cbbd(env, 'materialize', 'gold/solver_like');
    await run.waitFor(/heavy work started: CPU on the main thread/);
    const { code, ms } = await run.stop('SIGTERM');
    expect(ms).toBeLessThan(8_000); // "a few seconds", with room for a loaded CI machine
    expect(code).toBe(143);
    expect(run.out.stdout).toMatch(/^Run r\S+ cancelled in /m);
    expect(runsIn(runLog).runs.map((r) => r.status)).toEqual(['cancelled']);
  }, 60_000);

  it('cbbd serve stops on SIGTERM while a run it started is in a big DuckDB query; the run is recorded as cancelled', async () => {
    const { env, runLog } = project();
    const server = cbbd(env, 'serve', '--port', '0', '--no-schedules');
    await server.waitFor(/Lineage page on (http:\/\/\S+)\//);
    // The address carries the UI token the first start made (`#token=`), as the page learns it.
    const [, url, token] = /Lineage page on (http:\/\/\S+?)\/#token=(\S+) /.exec(server.out.stdout)!;
    const res = await fetch(`${url}/api/materialize`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: url!, authorization: `Bearer ${token}` }, body: JSON.stringify({ selection: 'gold/big_query', season: 'all' }),
    });
    expect(res.status).toBe(202);
    await server.waitFor(/heavy work started: a DuckDB query/);
    const { code, ms } = await server.stop('SIGTERM');
    expect(ms).toBeLessThan(STOPS_WITHIN_MS);
    expect(code).toBe(0);
    const state = runsIn(runLog);
    expect(state.runs).toEqual([expect.objectContaining({ status: 'cancelled', error: expect.stringMatching(/cancelled by SIGTERM: the server stopped/) })]);
    expect(state.running).toBe(0);
    rerunCompletes(env, 'gold/big_query');
  }, 120_000);

  it('cbbd sim stops on SIGTERM while it builds a full-scale season for a request', async () => {
    const { env } = project();
    const sim = cbbd(env, 'sim', '--port', '0', '--scale', 'full');
    await sim.waitFor(/listening on (http:\/\/\S+)/);
    const url = /listening on (http:\/\/\S+)/.exec(sim.out.stdout)![1]!;
    // The first request of a season builds it (seconds of CPU); stop the simulator while it does.
    const pending = fetch(`${url}/games?season=2024`, { headers: { authorization: 'Bearer any-key' } }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const { code, ms } = await sim.stop('SIGTERM');
    await pending;
    expect(ms).toBeLessThan(8_000); // "a few seconds", with room for a loaded CI machine
    expect(code).toBe(143); // stopped by the signal itself: the simulator keeps nothing to close
  }, 60_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('cbbd schedule stops on %s', async (signal) => {
    const { env } = project();
    const scheduler = cbbd(env, 'schedule');
    await scheduler.waitFor(/yearly/);
    const { code, ms } = await scheduler.stop(signal);
    expect(ms).toBeLessThan(STOPS_WITHIN_MS);
    expect([0, 128 + (signal === 'SIGINT' ? 2 : 15)]).toContain(code);
  }, 60_000);

});
