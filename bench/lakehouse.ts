/**
 * Lakehouse benchmark: one full-scale simulated season from raw to silver. The simulator runs in its own process
 * (`cbbd sim --scale full --memoize`), so this process's memory and CPU are the pipeline's alone. Two passes:
 * the first fetches the raw layer into a scratch lakehouse while the simulator builds every response (its time is
 * reported apart); the second, measured, runs the whole pipeline from an empty lakehouse with the simulator
 * answering the same requests from the bodies it kept, so it costs about what a remote API would: the socket.
 * Prints wall and CPU time and peak memory per phase (raw, then bronze and silver), API calls per endpoint, and rows
 * and bytes per silver table.
 * Run: npm run bench -- lakehouse [--season 2024] [--dir DIR]
 * With --dir the measured lakehouse is kept there, and a second run with the same --dir rebuilds bronze and silver
 * from the raw layer already fetched (to measure them alone).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SILVER_TABLES } from '../assets/silver/tables.ts';
import type { SimStats } from '../src/sim/app.ts';
import { catalogTables } from '../src/lake/catalog/catalog.ts';
import { runReadOnlyQuery } from '../src/lake/query/duckdb.ts';
import { benchProject, callsByEndpoint } from './_project.ts';

async function startSimProcess(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [resolve('bin/cbbd.js'), 'sim', '--scale', 'full', '--port', '0', '--memoize'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`cbbd sim exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

export async function lakehouseBench(args: string[]): Promise<void> {
  const i = args.indexOf('--season');
  const season = i >= 0 ? Number(args[i + 1]) : 2024;
  const d = args.indexOf('--dir');
  const keep = d >= 0 ? resolve(args[d + 1]!) : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'cbbd-lakehouse-'));
  const sim = await startSimProcess();
  const simStats = async () => (await (await fetch(`${sim.url}/_sim/stats`)).json()) as SimStats;
  console.log(`lakehouse benchmark: season ${season}, full scale, simulator in its own process at ${sim.url}`);
  const scratch = mkdtempSync(join(tmpdir(), 'cbbd-lakehouse-warm-'));
  const warm = await benchProject({ url: sim.url, dir: scratch, season, scale: 'full' });
  const warmStarted = performance.now();
  const warmResult = await warm.run('raw/*');
  await warm.close();
  rmSync(scratch, { recursive: true, force: true });
  const built = await simStats();
  console.log(`  first pass (simulator builds every response): raw ${warmResult.status} in ${((performance.now() - warmStarted) / 1000).toFixed(1)} s wall, simulator building responses ${(built.serveMs / 1000).toFixed(1)} s for ${built.total} calls`);

  const project = await benchProject({ url: sim.url, dir, season, scale: 'full' });
  const phase = async (selection: string, force = false) => {
    const cpu = process.cpuUsage();
    const simBefore = (await simStats()).serveMs;
    const t = performance.now();
    const result = await project.run(selection, { force });
    const used = process.cpuUsage(cpu);
    return {
      wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6, simSeconds: ((await simStats()).serveMs - simBefore) / 1000,
      partitions: result.counts.succeeded, status: result.status,
    };
  };
  console.log('  measured pass (simulator answers from the bodies it kept):');
  const raw = await phase('raw/*');
  const rssAfterRaw = process.resourceUsage().maxRSS / 1024;
  console.log(`  raw: ${raw.status}, ${raw.partitions} partitions in ${raw.wall.toFixed(1)} s wall (simulator building responses ${raw.simSeconds.toFixed(1)} s of it); pipeline CPU ${raw.cpu.toFixed(1)} s; peak RSS so far ${rssAfterRaw.toFixed(0)} MB`);
  const lake = await phase('bronze/*,silver/*', keep !== undefined);
  console.log(`  bronze + silver: ${lake.status}, ${lake.partitions} partitions in ${lake.wall.toFixed(1)} s wall (no API calls); pipeline CPU ${lake.cpu.toFixed(1)} s (DuckDB threads included)`);
  console.log(`  pipeline total: ${(raw.wall + lake.wall).toFixed(1)} s wall (target: under 90 s); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (target: under 2,048 MB)`);
  const stats = await simStats();
  const byEndpoint = callsByEndpoint(stats.byPath, built.byPath);
  console.log(`  API calls of the measured pass: ${stats.total - built.total} (target: at most 1,000): ${[...byEndpoint].map(([e, n]) => `${e} ${n}`).join(', ')}`);
  const tables = catalogTables(project.definitions);
  const root = project.root;
  const counts = await runReadOnlyQuery(root, tables, SILVER_TABLES.map((t) => `select '${t.name}' as t, count(*) as n from silver.${t.name}`).join(' union all '));
  const sizes = await runReadOnlyQuery(root, tables, `select split_part(filename, '/silver/', 2) as f, size from read_blob('${root}/silver/**/*.parquet') `);
  const bytes = new Map<string, number>();
  for (const r of sizes.rows) bytes.set(String(r.f).split('/')[0]!, (bytes.get(String(r.f).split('/')[0]!) ?? 0) + Number(r.size));
  console.log('  silver tables (rows, Parquet bytes):');
  for (const r of counts.rows) console.log(`    ${String(r.t).padEnd(28)} ${Number(r.n).toLocaleString().padStart(11)}  ${((bytes.get(String(r.t)) ?? 0) / 1e6).toFixed(2).padStart(8)} MB`);
  await project.close();
  sim.stop();
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
