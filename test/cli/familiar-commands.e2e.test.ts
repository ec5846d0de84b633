/**
 * The familiar commands end to end: real `cbbd` processes against a simulator over HTTP, the project's raw layer
 * (test/fixtures/raw-only.ts, so a demo season is fetched in seconds), a real SQLite run log and a local lakehouse.
 * A backfill killed with SIGKILL goes on where it stopped without fetching again what it had committed; every run
 * leaves its summary in meta/runs/ (without the API key); `cbbd runs`, `validate`, `fetch` and `gaps` behave as the
 * README says.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';

const BIN = resolve('bin/cbbd.js');
const KEY = 'cbbd-canary-key-5e4d3c2b1a09';
let sim: RunningSim;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, scale: 'demo' });
  // One project for the whole file (the tests go on from each other's state), removed after the last one.
  dir = mkdtempSync(join(tmpdir(), 'cbbd-familiar-'));
  writeFileSync(join(dir, 'config.yaml'), [
    `assets: ${resolve('test/fixtures/raw-only.ts')}`,
    'seasons: { first: 2023, last: 2024 }',
    `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
    `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
    `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
    'source: { requestsPerSecond: 200, retries: 1 }',
    'materialize: { concurrency: 2, retries: 0 }',
    '',
  ].join('\n'));
  env = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_API_BASE_URL: sim.url, CBBD_API_KEY: KEY };
  delete env.BEARER_TOKEN;
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Run the CLI without blocking this process: the simulator answers from its event loop. */
function cbbd(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) => {
      done({ code: child.exitCode, stdout, stderr });
    });
  });
}

function runLog<T>(query: (db: Database.Database) => T): T {
  const db = new Database(join(dir, 'runlog.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

describe('the familiar commands', () => {
  it('backfill: newest season first; killed half-way, the same command resumes without fetching again what was committed', async () => {
    const child = spawn(process.execPath, [BIN, 'backfill'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = `${stderr}${chunk.toString()}`.slice(-4000);
    });
    // Kill it once season 2024 is done and season 2023 has committed some raw partitions.
    const killedRun = await new Promise<string>((ok, fail) => {
      const started = Date.now();
      const tick = setInterval(() => {
        if (Date.now() - started > 180_000) {
          clearInterval(tick);
          fail(new Error(`the backfill never reached season 2023: ${stderr}`));
        }
        if (!existsSync(join(dir, 'runlog.sqlite'))) return;
        let running: { id: string; built: number } | undefined;
        try {
          running = runLog((db) => db.prepare(`SELECT r.id, (SELECT count(*) FROM materializations m WHERE m.run_id = r.id AND m.status = 'succeeded') AS built
          FROM runs r WHERE r.status = 'running' AND r.filter LIKE '%2023%'`).get() as { id: string; built: number } | undefined);
        } catch {
          return; // the run log is being created and migrated
        }
        if (running && running.built >= 3) {
          clearInterval(tick);
          child.kill('SIGKILL');
          ok(running.id);
        }
      }, 100);
    });
    await new Promise((r) => child.once('exit', r));
    const committed = runLog((db) => db.prepare(`SELECT asset_key || ' ' || partition AS p FROM materializations WHERE run_id = ? AND status = 'succeeded'`).all(killedRun) as { p: string }[]).map((r) => r.p);
    expect(committed.length).toBeGreaterThanOrEqual(3);
    const callsBefore = runLog((db) => (db.prepare('SELECT count(*) AS n FROM api_calls').get() as { n: number }).n);

    const resumed = await cbbd('backfill');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Season 2024 \(1 of 2\): already complete, nothing stale\./);
    expect(resumed.stdout).toMatch(/Season 2023 \(2 of 2\): (up to )?\d+ stale partition/);
    expect(resumed.stdout).toContain('Backfill complete: 2 season(s).');
    // The killed run is closed as failed, and nothing it committed was computed (fetched) again.
    expect(runLog((db) => (db.prepare('SELECT status FROM runs WHERE id = ?').get(killedRun) as { status: string }).status)).toBe('failed');
    const again = runLog((db) => db.prepare(`SELECT m.asset_key || ' ' || m.partition AS p FROM materializations m JOIN runs r ON r.id = m.run_id
      WHERE r.started_at > (SELECT started_at FROM runs WHERE id = ?)`).all(killedRun) as { p: string }[]).map((r) => r.p);
    expect(again.length).toBeGreaterThan(0);
    expect(again.filter((p) => committed.includes(p))).toEqual([]);
    // The calls after the kill are only the rest of season 2023: fewer than a whole season's.
    const seasonCalls = runLog((db) => db.prepare(`SELECT r.id, (SELECT count(*) FROM api_calls a WHERE a.at BETWEEN r.started_at AND r.ended_at) AS n FROM runs r WHERE r.filter LIKE '%2024%'`).get() as { n: number }).n;
    const callsAfter = runLog((db) => (db.prepare('SELECT count(*) AS n FROM api_calls').get() as { n: number }).n) - callsBefore;
    expect(callsAfter).toBeGreaterThan(0);
    expect(callsAfter).toBeLessThan(seasonCalls);

    // A third backfill has nothing to do and makes no call.
    const third = await cbbd('backfill', '--seasons', '2023-2024');
    expect(third.code).toBe(0);
    expect(runLog((db) => (db.prepare('SELECT count(*) AS n FROM api_calls').get() as { n: number }).n)).toBe(callsBefore + callsAfter);

    // Every finished run left its summary in meta/runs/, and none holds the API key.
    const summaries = readdirSync(join(dir, 'lakehouse/meta/runs'));
    const finished = runLog((db) => db.prepare(`SELECT id FROM runs WHERE id != ?`).all(killedRun) as { id: string }[]).map((r) => `${r.id}.json`);
    expect(summaries.sort()).toEqual(finished.sort());
    for (const file of summaries) expect(readFileSync(join(dir, 'lakehouse/meta/runs', file), 'utf8')).not.toContain(KEY);
  }, 420_000);

  it('runs lists the runs and runs show prints one run\'s summary, the same as its meta/runs JSON', async () => {
    const list = await cbbd('runs', '--json');
    expect(list.code, list.stderr).toBe(0);
    const runs = JSON.parse(list.stdout) as { id: string; status: string; apiCalls: number; selection: string }[];
    const season2024 = runs.find((r) => r.status === 'succeeded' && r.apiCalls > 0)!;
    expect(season2024.selection).toBe('*');

    const show = await cbbd('runs', 'show', season2024.id);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^Run ${season2024.id}: succeeded`));
    expect(show.stdout).toMatch(/partitions {2}\d+ planned: \d+ succeeded, 0 unchanged, 0 failed, 0 skipped/);
    expect(show.stdout).toMatch(/API calls {3}\d+.*\/plays\/date \d+/);
    expect(show.stdout).toMatch(/raw\/plays\s+\d+\s+0\s+0/);
    const json = JSON.parse((await cbbd('runs', 'show', season2024.id, '--json')).stdout) as { apiCalls: { total: number }; rows: number };
    const stored = JSON.parse(readFileSync(join(dir, 'lakehouse/meta/runs', `${season2024.id}.json`), 'utf8')) as { apiCalls: { total: number }; rows: number };
    expect(stored.apiCalls.total).toBe(json.apiCalls.total);
    expect(stored.rows).toBe(json.rows);
    expect(stored.apiCalls.total).toBe(season2024.apiCalls);

    const bad = await cbbd('runs', 'show', '../../etc/passwd');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a run id .*`cbbd runs` lists them/);
    expect((await cbbd('runs', 'show', 'r20990101-000000-abcdef')).code).toBe(2);
  }, 120_000);

  it('validate re-checks every stored partition, fails on a missing raw body, and cbbd status shows it', async () => {
    const ok = await cbbd('validate', '--season', '2024');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/raw\/plays\s+\d+\s+\d+\s+0/);
    expect(ok.stdout).toMatch(/Validation r\S+: \d+ stored partition\(s\) of \d+ asset\(s\) checked in .+: \d+ check\(s\) passed, 0 failed/);

    // Lose one stored body of a game day of plays.
    const day = readdirSync(join(dir, 'lakehouse/raw/plays/season=2024')).sort()[3]!;
    const body = readdirSync(join(dir, 'lakehouse/raw/plays/season=2024', day)).find((f) => f.endsWith('.json.gz'))!;
    rmSync(join(dir, 'lakehouse/raw/plays/season=2024', day, body));
    const failed = await cbbd('validate', 'raw/plays', '--season', '2024');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`raw/plays 2024|${day.slice('date='.length)}: raw_parts_present: 1 body/bodies listed in raw/plays/season=2024/${day}/_partition.json are missing (${body})`);

    const status = await cbbd('status', 'raw/plays', '--json');
    const row = (JSON.parse(status.stdout) as { asset: string; checks: { failed: { name: string; partition: string }[] } }[])[0]!;
    expect(row.checks.failed).toEqual([expect.objectContaining({ name: 'raw_parts_present', partition: `2024|${day.slice('date='.length)}` })]);

    expect((await cbbd('validate', 'raw/plays', '--season', '1990')).code).toBe(2);
    // Validations are runs of their own kind; a selection that names nothing records none.
    const runsBefore = (JSON.parse((await cbbd('runs', '--json', '--limit', '1000')).stdout) as { kind: string; selection: string; status: string }[]);
    expect(runsBefore.slice(0, 2)).toEqual([
      expect.objectContaining({ kind: 'validate', selection: 'validate raw/plays', status: 'failed' }),
      expect.objectContaining({ kind: 'validate', selection: 'validate *', status: 'succeeded' }),
    ]);
    expect(runsBefore.some((r) => r.kind === 'materialize')).toBe(true);
    expect((await cbbd('validate', 'raw/nosuch')).code).toBe(2);
    expect((JSON.parse((await cbbd('runs', '--json', '--limit', '1000')).stdout) as unknown[]).length).toBe(runsBefore.length);
  }, 240_000);

  it('fetch makes one call and writes nothing; gaps says what the raw layer knows without calling', async () => {
    const before = readdirSync(join(dir, 'lakehouse'), { recursive: true }).length;
    const calls = () => runLog((db) => (db.prepare('SELECT count(*) AS n FROM api_calls').get() as { n: number }).n);
    const n0 = calls();
    const fetched = await cbbd('fetch', '/teams', '--params', '{"season": 2024}', '--summary');
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toMatch(/^GET \/teams\?season=2024: [\d,]+ bytes\n\d+ record\(s\)\nfields: .*school/);
    expect(calls()).toBe(n0 + 1); // it spends quota, so the ledger has it
    const json = await cbbd('fetch', 'getConferences');
    expect(JSON.parse(json.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ id: expect.any(Number) })]));
    expect(readdirSync(join(dir, 'lakehouse'), { recursive: true }).length).toBe(before);

    const unknown = await cbbd('fetch', '/gamez');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown endpoint "\/gamez".*Endpoints: .*\/games,/);
    const badJson = await cbbd('fetch', '/games', '--params', '{season: 2024}');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr.trim().split('\n').at(-1)).toMatch(/^cbbd: --params is not valid JSON .*e\.g\. --params/);
    expect((await cbbd('fetch', '/plays/game/{gameId}')).stderr).toContain('needs "gameId" in --params');

    const n1 = calls();
    const gaps = await cbbd('gaps', '--season', '2024', '--json');
    expect(gaps.code).toBe(0);
    const report = JSON.parse(gaps.stdout) as { seasons: { season: number; finalGames: number }[]; gaps: { kind: string; api: string }[] };
    expect(report.seasons[0]!.finalGames).toBeGreaterThan(100);
    // The raw-only project has no silver, so plays and substitutions are not judged; lineups are, from raw.
    expect(report.gaps.every((g) => g.kind === 'lineups')).toBe(true);
    expect(calls()).toBe(n1); // no call without --check
  }, 120_000);
});
