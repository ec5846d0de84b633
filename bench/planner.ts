/**
 * Planner benchmark: a graph shaped like ours (35 raw, 35 bronze, 25 silver, 7 gold) over N seasons of game days,
 * a run log of one million materializations, then a full-graph plan and `status`, timed, with memory.
 * Run: npm run bench -- planner [--seasons 17] [--materializations 1000000]
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAssetGraph, type AssetGraph } from '../src/core/graph.ts';
import { PartitionUniverse } from '../src/core/planner.ts';
import type { SeasonWindow } from '../src/core/partitions.ts';
import { seasonDates } from '../src/core/partitions.ts';
import { RunLog } from '../src/store/run-log.ts';
import { encodeInputs, hashInputs, inputFingerprint, type PartitionRecord, type PlannerState } from '../src/core/state.ts';
import { benchAssets } from './planner-graph.ts';

function version(...parts: string[]): string {
  return createHash('sha1').update(parts.join('|')).digest('hex').slice(0, 16);
}

/** Game days of a season: about 150 of the window's 181, as in a real season. */
function gameDays(season: number, window: SeasonWindow): string[] {
  return seasonDates(season, window).filter((d, i) => i >= 5 && i < 160 && !(d.endsWith('-25') && d.slice(5, 7) === '12'));
}

interface Fixture {
  dir: string;
  runLog: RunLog;
  graph: AssetGraph;
  window: SeasonWindow;
  partitions: number;
  materializations: number;
  seedMs: number;
}

export async function seed(seasons: number, materializations: number, now: Date): Promise<Fixture> {
  const started = performance.now();
  const window: SeasonWindow = { firstSeason: 2026 - seasons + 1, lastSeason: 2026, start: '11-01', end: '04-30' };
  const graph = buildAssetGraph(benchAssets());
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-bench-'));
  const runLog = await RunLog.open(join(dir, 'runlog.sqlite'));
  const calendars = new Map([['raw/schedule', new Map<number, readonly string[]>()]]);
  for (let s = window.firstSeason; s <= window.lastSeason; s++) calendars.get('raw/schedule')!.set(s, gameDays(s, window));
  const records = new Map<string, Map<string, PartitionRecord>>();
  const state: PlannerState = { now, records, calendars, settled: new Map() };
  const universe = new PartitionUniverse(graph, state, window);
  const builtAt = now.getTime() - 2 * 86_400_000;
  const texts = new Map<string, string>();
  // Every partition built once from the current upstream versions: a realistic, mostly fresh lakehouse.
  for (const key of graph.order) {
    const map = new Map<string, PartitionRecord>();
    records.set(key, map);
    for (const p of universe.of(key).keys) {
      const inputs = encodeInputs(graph.upstream(key).map((e) => [e.key, inputFingerprint(e.mapping, p, universe.of(e.key), records.get(e.key))] as const));
      texts.set(`${key} ${p}`, inputs);
      map.set(p, { status: 'succeeded', dataVersion: version(key, p), codeVersion: '1', inputsHash: hashInputs(inputs), lastSuccessAt: builtAt, lastAttemptAt: builtAt, error: null });
    }
  }
  const all = [...records].flatMap(([asset, map]) => [...map].map(([p, r]) => ({ asset, p, r })));
  // Seeded through a handle of its own: a hundred thousand rows in one transaction, not through the run log's API.
  const db = new Database(runLog.path);
  const runId = 'rbench';
  db.prepare(`INSERT INTO runs (id, selection, filter, status, started_at, ended_at, heartbeat_at, pid, host, partitions_total) VALUES (?, '*', '{}', 'succeeded', ?, ?, ?, 0, 'bench', ?)`)
    .run(runId, builtAt, builtAt, builtAt, all.length);
  const insertM = db.prepare(`INSERT INTO materializations (run_id, asset_key, partition, status, attempt, data_version, code_version, inputs, row_count, bytes, started_at, ended_at) VALUES (?, ?, ?, ?, 1, ?, '1', ?, 100, 1000, ?, ?)`);
  const insertS = db.prepare(`INSERT INTO partition_state (asset_key, partition, status, data_version, code_version, inputs, inputs_hash, row_count, last_success_at, last_attempt_at, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, 100, ?, ?, ?)`);
  db.transaction(() => {
    // History: older attempts (some failed) then the latest, up to the requested number of rows.
    let written = 0;
    for (let round = 0; written < materializations; round++) {
      for (const { asset, p, r } of all) {
        if (written >= materializations) break;
        insertM.run(runId, asset, p, round % 5 === 4 ? 'failed' : 'succeeded', r.dataVersion, texts.get(`${asset} ${p}`), builtAt, builtAt);
        written++;
      }
    }
    let i = 0;
    for (const { asset, p, r } of all) {
      // A little staleness of every kind: 0.5% failed, one asset's code changed (below), recent days volatile.
      const failed = i++ % 200 === 0;
      insertS.run(asset, p, failed ? 'failed' : 'succeeded', r.dataVersion, r.codeVersion, texts.get(`${asset} ${p}`), r.inputsHash, r.lastSuccessAt, r.lastAttemptAt, runId);
    }
    db.prepare(`UPDATE partition_state SET code_version = '0' WHERE asset_key = 'silver/fct_3'`).run();
    const cal = db.prepare(`INSERT INTO calendars (asset_key, season, dates) VALUES ('raw/schedule', ?, ?)`);
    for (const [season, dates] of calendars.get('raw/schedule')!) cal.run(season, JSON.stringify(dates));
  })();
  db.close();
  return { dir, runLog, graph, window, partitions: all.length, materializations, seedMs: performance.now() - started };
}

/** What the probe process reports. */
interface ProbeResult {
  loadMs: number[];
  planMs: number[];
  statusMs: number;
  stale: number;
  steps: number;
  reasons: Record<string, number>;
  maxRssMb: number;
  coldMaxRssMb: number;
  heapMb: number;
}

export async function plannerBench(args: string[]): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const seasons = arg('seasons', 17);
  const materializations = arg('materializations', 1_000_000);
  const now = new Date('2026-02-15T12:00:00Z'); // mid-season: the rolling window and the season in progress count
  console.log(`planner benchmark: ${seasons} seasons, ${materializations.toLocaleString()} materializations, graph of ${benchAssets().length} assets`);
  for (const n of [...new Set([Math.max(1, Math.floor(seasons / 4)), Math.max(1, Math.floor(seasons / 2)), seasons])]) {
    const f = await seed(n, Math.round((materializations * n) / seasons), now);
    await f.runLog.close();
    // Measure in a fresh process, so the figures are the planner's and not the seeding's.
    const probe = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./planner-probe.ts', import.meta.url)),
      join(f.dir, 'runlog.sqlite'), String(n), now.toISOString()], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`probe failed: ${probe.stderr}`);
    const r = JSON.parse(probe.stdout) as ProbeResult;
    const best = Math.min(...r.loadMs.map((l, i) => l + r.planMs[i]!));
    // The real command, start-up included (`now` is today's date there, so its staleness differs).
    const config = join(f.dir, 'config.yaml');
    writeFileSync(config, `assets: ${fileURLToPath(new URL('./planner-graph.ts', import.meta.url))}\nseasons: { first: ${f.window.firstSeason}, last: 2026 }\nrunLog: { path: ${join(f.dir, 'runlog.sqlite')} }\n`);
    const cli = (command: string) => {
      const t0 = performance.now();
      const out = spawnSync(process.execPath, [fileURLToPath(new URL('../bin/cbbd.js', import.meta.url)), '--config', config, command, '*', '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (out.status !== 0) throw new Error(`cbbd ${command} failed: ${out.stderr}`);
      return performance.now() - t0;
    };
    const planWall = cli('plan');
    const statusWall = cli('status');
    console.log(
      `  ${n} season(s): ${f.partitions.toLocaleString()} partitions, ${f.materializations.toLocaleString()} materializations (seeded in ${(f.seedMs / 1000).toFixed(1)} s)\n` +
        `    full-graph plan: first ${(r.loadMs[0]! + r.planMs[0]!).toFixed(0)} ms, best ${best.toFixed(0)} ms (load run log ${Math.min(...r.loadMs).toFixed(0)} ms + plan ${Math.min(...r.planMs).toFixed(0)} ms), ` +
        `${((best * 1000) / f.partitions).toFixed(2)} µs per partition\n` +
        `    status: ${r.statusMs.toFixed(0)} ms in process\n` +
        `    cbbd plan '*' --json: ${planWall.toFixed(0)} ms wall; cbbd status: ${statusWall.toFixed(0)} ms wall (process start-up included)\n` +
        `    stale: ${r.stale.toLocaleString()} partitions in ${r.steps.toLocaleString()} steps (${Object.entries(r.reasons).map(([k, v]) => `${k} ${v}`).join(', ')})\n` +
        `    memory of the planning process: peak RSS ${r.coldMaxRssMb} MB after one plan (${r.maxRssMb} MB after 3 plans and status), heap at the end ${r.heapMb} MB`,
    );
    rmSync(f.dir, { recursive: true, force: true });
  }
}
