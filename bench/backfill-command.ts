/**
 * `cbbd backfill` measured end to end (raw to gold) over several seasons, the way a user runs it: the simulator in its
 * own process (`cbbd sim`, stopped by its pid), the backfill in another (`cbbd backfill --seasons A-B`, whose peak RSS
 * is sampled from /proc). Half-way through (once half the seasons are done and the next one has committed some raw
 * partitions) the backfill is killed with SIGKILL and started again; the run log then shows that no raw partition
 * committed before the kill was fetched again. Prints API calls and wall time per season, peak RSS, the lakehouse's
 * size per layer, and the resume check.
 * Run: npm run bench -- backfill --seasons 2020-2024 --scale full [--seed 2024] [--no-kill] [--rows-out before.json]
 *      [--rows-against before.json]
 * `--rows-out` writes each table's row count and a hash of its rows (every column, order-free) to a file; a later run
 * with `--rows-against` compares its lakehouse with that file table by table, so a change that makes fewer API calls
 * can show it lost no row. Columns that record when or by which run a row was written are left out of the hash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SimStats } from '../src/sim/app.ts';
import { RunLog } from '../src/store/run-log.ts';

const BIN = resolve('bin/cbbd.js');

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Start `cbbd sim` in its own process; resolves with its URL once it listens. */
async function startSimProcess(scale: string, seed: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'sim', '--scale', scale, '--seed', seed, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`cbbd sim exited with ${code}`)));
  });
  return { url, child };
}

/** The peak resident set of a live process so far (VmHWM), in bytes; 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface BackfillProcess {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; peakRss: number; stdout: string }>;
}

function startBackfill(env: NodeJS.ProcessEnv, seasons: string, cwd: string): BackfillProcess {
  const child = spawn(process.execPath, [BIN, 'backfill', '--seasons', seasons], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk.toString().split('\n').filter((l) => l.startsWith('Season ')).map((l) => `    ${l}\n`).join(''));
  });
  child.stderr!.resume();
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid!));
  }, 500);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; peakRss: number; stdout: string }>((ok) => {
    child.once('exit', (code, signal) => {
      clearInterval(sampler);
      ok({ code, signal, peakRss: peak, stdout });
    });
  });
  return { child, done };
}

async function folderBytes(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Columns whose values say when or by which run a row was written, not what the API said. */
const RUN_COLUMNS = /^(fetched_?at|ingested_?at|loaded_?at|run_?id|computed_?at|built_?at|_.*)$/i;

/** Row count and an order-free hash of every bronze, silver and gold table's rows (all partitions). */
async function tableRows(root: string): Promise<Record<string, { rows: number; hash: string }>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const out: Record<string, { rows: number; hash: string }> = {};
  try {
    for (const layer of ['bronze', 'silver', 'gold']) {
      if (!existsSync(join(root, layer))) continue;
      for (const table of (await readdir(join(root, layer))).sort()) {
        const glob = join(root, layer, table, '**', '*.parquet').replaceAll("'", "''");
        const source = `read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`;
        const columns = (await (await conn.run(`describe select * from ${source}`)).getRowObjects()).map((r) => String(r.column_name)).filter((c) => !RUN_COLUMNS.test(c));
        const row = `struct_pack(${columns.map((c) => `"${c.replaceAll('"', '""')}" := "${c.replaceAll('"', '""')}"`).join(', ')})`;
        const [result] = await (await conn.run(`select count(*)::bigint as n, coalesce(bit_xor(hash(${row})), 0)::ubigint::varchar as h from ${source}`)).getRowObjects();
        out[`${layer}/${table}`] = { rows: Number(result!.n), hash: String(result!.h) };
      }
    }
  } finally {
    conn.closeSync();
  }
  return out;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export async function backfillCommandBench(args: string[]): Promise<void> {
  const seasons = arg(args, '--seasons') ?? '2020-2024';
  const scale = arg(args, '--scale') ?? 'full';
  const seed = arg(args, '--seed') ?? '2024';
  const kill = !args.includes('--no-kill');
  const m = /^(\d{4})-(\d{4})$/.exec(seasons);
  if (!m) throw new Error(`--seasons ${seasons}: use FROM-TO, e.g. 2020-2024`);
  const [first, last] = [Number(m[1]), Number(m[2])];
  const count = last - first + 1;
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-backfill-cmd-'));
  const sim = await startSimProcess(scale, seed);
  const simStats = async () => (await (await fetch(`${sim.url}/_sim/stats`)).json()) as SimStats;
  const runLogPath = join(dir, 'runlog.sqlite');
  writeFileSync(join(dir, 'config.yaml'), [
    `assets: ${resolve('assets/index.ts')}`,
    `seasons: { first: ${first}, last: ${last} }`,
    `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
    `runLog: { path: ${runLogPath} }`,
    `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
    'source: { requestsPerSecond: 1000, maxInFlight: 8, timeoutMs: 300000, retries: 2 }',
    `simulator: { scale: ${scale}, seed: ${seed} }`,
    '',
  ].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_API_BASE_URL: sim.url, CBBD_LOG_LEVEL: 'warn' };
  delete env.CBBD_API_KEY;
  delete env.BEARER_TOKEN;
  console.log(`backfill command benchmark: seasons ${seasons} (${count}), ${scale} scale, seed ${seed}; simulator in its own process at ${sim.url} (pid ${sim.child.pid})`);

  const started = performance.now();
  const peaks: number[] = [];
  let killedRun: string | undefined;
  try {
    // The first backfill, killed half-way: once half the seasons are done and the next one has committed raw partitions.
    const firstPass = startBackfill(env, seasons, dir);
    if (kill) {
      const half = Math.floor(count / 2);
      const watch = setInterval(() => {
        void (async () => {
          if (!existsSync(runLogPath) || killedRun) return;
          const log = await RunLog.open(runLogPath, { readonly: true });
          try {
            const runs = (await log.listRuns(100)).reverse();
            const finished = runs.filter((r) => r.status !== 'running').length;
            const current = runs.find((r) => r.status === 'running');
            if (current && finished >= half) {
              const committed = (await log.materializationsOf(current.id)).filter((x) => x.asset.startsWith('raw/') && x.status === 'succeeded').length;
              if (committed >= 20) {
                killedRun = current.id;
                firstPass.child.kill('SIGKILL');
                console.log(`    SIGKILL the backfill (pid ${firstPass.child.pid}) during run ${current.id}, after ${committed} raw partitions of it were committed`);
              }
            }
          } finally {
            await log.close();
          }
        })();
      }, 1000);
      firstPass.done.finally(() => clearInterval(watch)).catch(() => {});
    }
    const one = await firstPass.done;
    peaks.push(one.peakRss);
    if (one.signal !== 'SIGKILL') console.log(`    the first backfill ended by itself (exit ${one.code}) before it could be killed`);
    if (one.signal === 'SIGKILL') {
      console.log('    resuming: the same command again');
      const two = await startBackfill(env, seasons, dir).done;
      peaks.push(two.peakRss);
      if (two.code !== 0) console.log(`    the resumed backfill exited ${two.code}:\n${two.stdout}`);
    }
    const wall = performance.now() - started;

    const log = await RunLog.open(runLogPath, { readonly: true });
    try {
      const runs = (await log.listRuns(1000)).reverse();
      console.log(`  ${runs.length} run(s), ${((wall) / 1000).toFixed(0)} s wall in all; peak RSS of the backfill process: ${peaks.map(mb).join(', then ')}`);
      console.log('  season  runs  partitions built  API calls  wall time');
      const bySeason = new Map<number, { runs: number; built: number; calls: number; ms: number }>();
      for (const run of runs) {
        const season = (run.filter as { seasonFrom?: number }).seasonFrom ?? 0;
        const s = bySeason.get(season) ?? { runs: 0, built: 0, calls: 0, ms: 0 };
        s.runs++;
        s.built += (await log.materializationsOf(run.id)).filter((x) => x.status === 'succeeded').length;
        s.calls += log.apiCallsBetween(run.startedAt, run.endedAt ?? Date.now()).reduce((n, c) => n + c.calls, 0);
        s.ms += (run.endedAt ?? run.startedAt) - run.startedAt;
        bySeason.set(season, s);
      }
      for (const [season, s] of [...bySeason].sort(([a], [b]) => b - a)) {
        console.log(`  ${season}  ${String(s.runs).padStart(4)}  ${String(s.built).padStart(16)}  ${String(s.calls).padStart(9)}  ${(s.ms / 1000).toFixed(0).padStart(7)} s`);
      }
      // Calls per endpoint and season: where a season's calls go, and what a change to the fetching saved.
      const perEndpoint = new Map<string, Map<number, number>>();
      for (const run of runs) {
        const season = (run.filter as { seasonFrom?: number }).seasonFrom ?? 0;
        for (const c of log.apiCallsBetween(run.startedAt, run.endedAt ?? Date.now())) {
          const m = perEndpoint.get(c.endpoint) ?? new Map<number, number>();
          m.set(season, (m.get(season) ?? 0) + c.calls);
          perEndpoint.set(c.endpoint, m);
        }
      }
      const seasonsDone = [...bySeason.keys()].sort((a, b) => b - a);
      console.log(`  calls per endpoint:  ${seasonsDone.map((s) => String(s).padStart(6)).join('')}`);
      for (const [endpoint, m] of [...perEndpoint].sort(([a], [b]) => a.localeCompare(b))) {
        console.log(`    ${endpoint.padEnd(24)}${seasonsDone.map((s) => String(m.get(s) ?? 0).padStart(6)).join('')}`);
      }
      const total = [...bySeason.values()].reduce((n, s) => n + s.calls, 0);
      console.log(`  API calls in all: ${total} (simulator's count: ${(await simStats()).total}; simulator building responses: ${((await simStats()).serveMs / 1000).toFixed(0)} s)`);
      if (killedRun) {
        // Raw partitions the killed run committed, and whether any later run computed (fetched) them again.
        const committed = new Set((await log.materializationsOf(killedRun)).filter((x) => x.asset.startsWith('raw/') && x.status === 'succeeded').map((x) => `${x.asset} ${x.partition}`));
        const later = runs.slice(runs.findIndex((r) => r.id === killedRun) + 1);
        let refetched = 0;
        for (const run of later) refetched += (await log.materializationsOf(run.id)).filter((x) => committed.has(`${x.asset} ${x.partition}`)).length;
        const killed = runs.find((r) => r.id === killedRun)!;
        console.log(`  kill and resume: run ${killedRun} was ${killed.status} after the kill (${killed.error ?? 'no error recorded'}); ${committed.size} raw partition(s) it had committed, ${refetched} fetched again by the resumed backfill`);
      }
    } finally {
      await log.close();
    }
    const root = join(dir, 'lakehouse');
    const rowsOut = arg(args, '--rows-out');
    const rowsAgainst = arg(args, '--rows-against');
    if (rowsOut || rowsAgainst) {
      const rows = await tableRows(root);
      const total = Object.values(rows).reduce((n, t) => n + t.rows, 0);
      console.log(`  tables: ${Object.keys(rows).length}, ${total} rows in all (bronze, silver, gold)`);
      if (rowsOut) writeFileSync(rowsOut, `${JSON.stringify(rows, null, 2)}\n`);
      if (rowsAgainst) {
        const before = JSON.parse(readFileSync(rowsAgainst, 'utf8')) as Record<string, { rows: number; hash: string }>;
        const keys = [...new Set([...Object.keys(before), ...Object.keys(rows)])].sort();
        const differ = keys.filter((k) => before[k]?.rows !== rows[k]?.rows || before[k]?.hash !== rows[k]?.hash);
        console.log(differ.length
          ? `  rows against ${rowsAgainst}: ${differ.length} of ${keys.length} table(s) differ:\n${differ.map((k) => `    ${k}: ${before[k]?.rows ?? 'absent'} rows before, ${rows[k]?.rows ?? 'absent'} now${before[k]?.rows === rows[k]?.rows ? ' (same count, other values)' : ''}`).join('\n')}`
          : `  rows against ${rowsAgainst}: all ${keys.length} tables hold the same rows (count and hash of every column)`);
      }
    }
    const layers = await Promise.all(['raw', 'bronze', 'silver', 'gold', 'meta'].map(async (l) => [l, await folderBytes(join(root, l))] as const));
    console.log(`  lakehouse: ${mb(layers.reduce((n, [, b]) => n + b, 0))} (${layers.map(([l, b]) => `${l} ${mb(b)}`).join(', ')})`);
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    console.log(`  the benchmark failed; its project is kept in ${dir}`);
    throw error;
  } finally {
    sim.child.kill('SIGTERM');
  }
}
