/**
 * The CLI end to end: real processes, a real SQLite run log, the small graph of test/fixtures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownStamp } from '../../src/core/process-alive.ts';
import { stagingEntry } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');
const FIXTURE = resolve('test/fixtures/small-graph.ts');
const KEY = 'cbbd-test-key-9f8e7d6c5b4a';

function project(configExtra = ''): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('cbbd-cli-');
  writeFileSync(join(dir, 'config.yaml'), `assets: ${FIXTURE}\nseasons: { first: 2023, last: 2024 }\nmaterialize: { concurrency: 2, retries: 0 }\n${configExtra}`);
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_TEST_OUT: join(dir, 'out'), CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_API_KEY: KEY };
  delete env.CBBD_TEST_FAIL;
  delete env.CBBD_TEST_SLEEP_MS;
  return { dir, env };
}

function cbbd(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  return new Promise((ok, fail) => {
    const tick = () => {
      if (predicate()) return ok();
      if (Date.now() - started > timeoutMs) return fail(new Error('timed out waiting'));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('cbbd CLI', () => {
  it('plans, materializes everything stale, reports status, and a second run does nothing', () => {
    const { env } = project();
    // Every configured season (without a filter, plan covers the seasons with data and the one in progress).
    const plan = cbbd(env, 'plan', '*', '--seasons', '2023-2024');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Plan for "\*" \(seasons 2023-2024\): \d+ stale partition\(s\) in 7 of 7 asset\(s\)/);
    expect(plan.stdout).toContain('raw/games 2023|2022-11-01: missing (never materialized)');

    const run = cbbd(env, 'materialize', '*');
    expect(run.code).toBe(0);
    // Calendars ran first, so only the 4 game days per season were built, not every day of the window.
    expect(run.stdout).toMatch(/^Run r\S+ succeeded in .+: 30 partition\(s\) materialized, 0 unchanged after upstream re-check, 0 failed, 0 skipped\.$/m);
    expect(run.stderr).toContain('"type":"run_finished"'); // JSON progress events when not on a terminal

    const status = cbbd(env, 'status', '--json');
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout) as { asset: string; partitions: number; fresh: number; stale: number }[];
    expect(rows.find((r) => r.asset === 'silver/fct_games')).toMatchObject({ partitions: 8, fresh: 8, stale: 0 });
    expect(rows.every((r) => r.fresh === r.partitions)).toBe(true);

    const again = cbbd(env, 'materialize', '*');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Everything selected is fresh: nothing to materialize.');

    const json = JSON.parse(cbbd(env, 'plan', 'gold/team_power_rankings', '--season', '2024', '--force', '--json').stdout);
    expect(json.steps).toHaveLength(1);
    expect(json.steps[0].partitions).toEqual([{ key: '2024', reason: { kind: 'forced' } }]);
  });

  it('exits 2 with a helpful message on usage errors', () => {
    const { env } = project();
    const misspelt = cbbd(env, 'plan', 'gold/team_power_ranking');
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toBe(
      'Source: the CBBD API at https://api.collegebasketballdata.com (key from the environment).\n' +
        'cbbd: Unknown asset "gold/team_power_ranking" in the selection. Did you mean "gold/team_power_rankings"?\n',
    );
    const season = cbbd(env, 'materialize', '*', '--season', '2031');
    expect(season.code).toBe(2);
    expect(season.stderr).toContain('Season 2031 is outside the configured range 2023-2024');
    expect(cbbd(env, 'materialize').code).toBe(2); // missing selection
    expect(cbbd(env, 'plan', '--seasn', '2024').code).toBe(2);
  });

  it('says first which source it uses: the simulator without a key, the API with one', () => {
    const { env } = project();
    const withoutKey = { ...env };
    delete withoutKey.CBBD_API_KEY;
    delete withoutKey.BEARER_TOKEN;
    delete withoutKey.CBBD_API_BASE_URL;
    expect(cbbd(withoutKey, 'status').stderr.split('\n')[0]).toBe(
      'Source: the built-in CBBD simulator (demo scale, seed 2024); no CBBD_API_KEY is set, so no real API is called.',
    );
    const withKey = cbbd(env, 'status');
    expect(withKey.stderr.split('\n')[0]).toBe('Source: the CBBD API at https://api.collegebasketballdata.com (key from the environment).');
    expect(withKey.stderr).not.toContain(KEY);
  });

  it('cbbd sim serves over HTTP the same world the in-process simulator uses by default', async () => {
    const { env } = project();
    const sim = spawn(process.execPath, [BIN, 'sim', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        sim.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) ok(m[1]!);
        });
        sim.once('exit', (code) => fail(new Error(`cbbd sim exited ${code}`)));
      });
      const headers = { Authorization: 'Bearer any-key' };
      expect((await fetch(`${url}/teams`)).status).toBe(401);
      const served = await (await fetch(`${url}/games?season=2024`, { headers })).text();
      const { createSimApp, DEFAULT_SIM } = await import('../../src/sim/app.ts');
      const inProcess = createSimApp({ ...DEFAULT_SIM }).app;
      expect(served).toBe(await (await inProcess.request('/games?season=2024', { headers })).text());
    } finally {
      sim.kill('SIGTERM');
    }
  });

  it('refuses a CBBD_UI_TOKEN shorter than 16 characters, on loopback and beyond (see serve-token.e2e.test.ts)', () => {
    const { env } = project();
    for (const host of ['0.0.0.0', '127.0.0.1']) {
      const r = cbbd({ ...env, CBBD_UI_TOKEN: 'x' }, 'serve', '--host', host, '--port', '0');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('CBBD_UI_TOKEN is 1 character(s); use at least 16');
    }
  });

  it('exits 2 on a bad configuration, naming the file and the field', () => {
    const { dir, env } = project('drivers: { storage: ftp }\n');
    const r = cbbd(env, 'status');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'config.yaml')}: drivers.storage:`);
  });

  it.each([
    ['a run log that is not SQLite', (dir: string) => (writeFileSync(join(dir, 'notes.txt'), 'my notes'), 'runLog: { path: ./notes.txt }\n'), /runLog\.path: .*notes\.txt exists but is not a SQLite database/],
    ['a run log on /proc', () => 'runLog: { path: /proc/self/status }\n', /runLog\.path: \/proc\/self\/status is on a kernel file system/],
    ['a run log linked into /proc', (dir: string) => (symlinkSync('/proc/self/status', join(dir, 'link.sqlite')), 'runLog: { path: ./link.sqlite }\n'), /runLog\.path: .*link\.sqlite is on a kernel file system/],
    ['a run log whose folder is a file', (dir: string) => (writeFileSync(join(dir, 'afile'), ''), 'runLog: { path: ./afile/runlog.sqlite }\n'), /runLog\.path: .*afile is a file, not a folder/],
    ['a lakehouse root that is a file', (dir: string) => (writeFileSync(join(dir, 'lake'), ''), 'lakehouse: { root: ./lake }\n'), /lakehouse\.root: .*lake is a file, not a folder/],
    ['a timeout beyond what a timer can wait', () => 'source: { timeoutMs: 3000000000 }\n', /source\.timeoutMs: Too big: expected number to be <=2147483647/],
  ])('exits 2 at start-up, before any work, on %s', (_what, extra, message) => {
    const { dir, env } = project();
    writeFileSync(join(dir, 'config.yaml'), `assets: ${FIXTURE}\nseasons: { first: 2023, last: 2024 }\n${extra(dir)}`);
    const r = cbbd(env, 'status');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
  });

  it('exits 2 with one line for an assets module that is not a module, a key with a control character, and a host that is no address', () => {
    const { dir, env } = project();
    writeFileSync(join(dir, 'not-a-module.ts'), 'this is not TypeScript at all {{{\n');
    const assets = cbbd(env, '--assets', join(dir, 'not-a-module.ts'), 'status');
    expect(assets.code).toBe(2);
    expect(assets.stderr).toMatch(/not-a-module\.ts could not be loaded as the assets module \(.+\)\. Point "assets" in config\.yaml or --assets at/);
    expect(assets.stderr).not.toMatch(/this is not TypeScript|\n\s+at /);
    const key = cbbd({ ...env, CBBD_API_KEY: 'abc\u0007def' }, 'status');
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/^cbbd: CBBD_API_KEY contains a space, a control character or a non-ASCII character/m);
    expect(key.stderr).not.toContain('abc\u0007def');
    const host = cbbd(env, 'serve', '--host', 'my host', '--port', '0');
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(/--host my host is not an IP address/);
  });

  it('serves on [::1] given with brackets, and stops on SIGTERM', async () => {
    const { env } = project();
    const server = spawn(process.execPath, [BIN, 'serve', '--host', '[::1]', '--port', '0', '--no-schedules'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout!.on('data', (d) => (out += d));
    await waitFor(() => /Lineage page on http:\/\/\[::1\]:\d+\//.test(out));
    const url = /(http:\/\/\[::1\]:\d+)\//.exec(out)![1]!;
    expect((await fetch(`${url}/api/runs`)).status).toBe(200);
    server.kill('SIGTERM');
    expect(await new Promise((r) => server.once('exit', r))).toBe(0);
  });

  it('a query error is one line with exit 2, never a stack', () => {
    const { env } = project();
    const bad = cbbd(env, 'query', 'select nope from nowhere');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').slice(1)).toEqual([expect.stringMatching(/^cbbd: query failed: Catalog Error: Table with name nowhere does not exist!/)]);
    const write = cbbd(env, 'query', '/* select */ create table pwned as select 1');
    expect(write.code).toBe(2);
    expect(write.stderr).toMatch(/cbbd: cbbd query runs one read-only statement .*DuckDB reads this one as CREATE/);
  });

  it('removes staging left in tmp/ by a writer that died, at the next start of a command that writes', () => {
    const { dir, env } = project();
    const tmp = join(dir, 'lakehouse', 'tmp');
    const dead = stagingEntry({ ...ownStamp(), pid: 999_999_999 }); // a pid that is not running, of this host
    const live = stagingEntry(); // a live writer's (this test's process), kept
    const elsewhere = stagingEntry({ ...ownStamp(), pid: 999_999_999, where: '00000000' }); // another host's: kept
    mkdirSync(join(tmp, dead, 'season=2024'), { recursive: true });
    writeFileSync(join(tmp, dead, 'season=2024', 'part-0.parquet'), 'half written');
    mkdirSync(join(tmp, live));
    mkdirSync(join(tmp, elsewhere));
    mkdirSync(join(tmp, `${process.pid}-ba9876543210`)); // a live pid but a day old (an older version's name): a leftover all the same
    utimesSync(join(tmp, `${process.pid}-ba9876543210`), new Date(Date.now() - 86_400_000), new Date(Date.now() - 86_400_000));
    writeFileSync(join(dir, 'config.yaml'), `assets: ${FIXTURE}\nseasons: { first: 2023, last: 2024 }\nlakehouse: { root: ./lakehouse }\n`);
    expect(cbbd(env, 'status').code).toBe(0);
    expect(readdirSync(tmp)).toHaveLength(4); // a read-only command leaves tmp/ alone
    expect(cbbd(env, 'materialize', 'raw/teams').code).toBe(0);
    expect(readdirSync(tmp).sort()).toEqual([live, elsewhere].sort());
  });

  it('exits 1 when a partition fails, skips what depends on it, and never prints the API key', () => {
    const { env } = project();
    const r = cbbd({ ...env, CBBD_TEST_FAIL: 'raw/games:2024|2023-11-07' }, 'materialize', '*', '--season', '2024');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Run r\S+ failed/);
    expect(r.stdout).toContain('failed: raw/games#');
    expect(r.stdout).toMatch(/skipped: bronze\/games#\d+ \(bronze\/games, 1 partition\(s\)\): skipped: upstream step raw\/games#\d+ did not succeed/);
    expect(r.stdout + r.stderr).toContain('[REDACTED]');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    const plan = cbbd(env, 'plan', '*', '--season', '2024');
    expect(plan.stdout).toMatch(/raw\/games 2024\|2023-11-0\d: failed last time: injected failure/);
    expect(plan.stdout).not.toContain(KEY);
  });

  it('after kill -9, the orphaned run is marked failed, its partitions are stale, and the next run repairs them', async () => {
    const { dir, env } = project();
    const child = spawn(process.execPath, [BIN, 'materialize', '*', '--season', '2024'], {
      env: { ...env, CBBD_TEST_SLEEP_MS: '400' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await waitFor(() => (stderr.match(/"type":"step_finished"/g) ?? []).length >= 3);
    await new Promise((r) => setTimeout(r, 150)); // mid-way through the next steps' 400 ms
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const status = JSON.parse(cbbd(env, 'status', '--json').stdout) as { asset: string; fresh: number; partitions: number; failed: number }[];
    expect(status.filter((r) => r.failed > 0), JSON.stringify(status)).not.toEqual([]);
    expect(status.some((r) => r.fresh < r.partitions)).toBe(true);
    // The repair run rebuilds what the killed run left unfinished.
    const repair = cbbd(env, 'materialize', '*', '--season', '2024');
    expect(repair.code).toBe(0);
    const after = JSON.parse(cbbd(env, 'plan', '*', '--season', '2024', '--json').stdout) as { stalePartitions: number };
    expect(after.stalePartitions).toBe(0);
    expect(existsSync(join(dir, 'out'))).toBe(true);
    expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(16);
  });

  it('refuses a second concurrent run over the same partitions, with who holds them', async () => {
    const { env } = project();
    const first = spawn(process.execPath, [BIN, 'materialize', 'raw/teams,silver/dim_teams'], {
      env: { ...env, CBBD_TEST_SLEEP_MS: '3000' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    first.stderr.on('data', (d) => (stderr += d));
    await waitFor(() => stderr.includes('"type":"run_started"'));
    const second = cbbd(env, 'materialize', 'silver/dim_teams');
    expect(second.code).toBe(75); // EX_TEMPFAIL: refused, try again later
    // raw/teams is not built yet, so the second run plans it too: the first overlap it meets is named.
    expect(second.stderr).toMatch(/^cbbd refused: (raw\/teams|silver\/dim_teams) - is being materialized by run r\S+ \(pid \d+ on .+, selection "raw\/teams,silver\/dim_teams", since .+\)\. Wait for it to finish/m);
    const code = await new Promise((r) => first.once('exit', r));
    expect(code).toBe(0);
  });
});
