/**
 * `npm run chaos` (`npm run bench -- chaos [--trials 20] [--kills-per-chain 4] [--selection '*'] [--cloud-trials 4]
 * [--only faults,crash,concurrency,cloud]`):
 * one demo-scale season materialized by the real `cbbd` command, clean, then under faults, SIGKILLs and concurrent
 * runs; each ends compared with the clean run by files, the run log's data versions, row counts and checkpoints.
 * Crash trials come in chains: a run is killed, its re-run is killed again (up to --kills-per-chain times), then a
 * plain re-run completes; after every kill nothing the run log or checkpoints claim may be ahead of the data, and at
 * the end of each chain the lakehouse must equal the clean run's with nothing left in tmp/ and no run "running".
 * The cloud scenario (bench/_chaos-cloud.ts) does the same on S3 + DynamoDB (moto) over a smaller selection.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  claimsAheadOfData, compare, describeDifference, fingerprint, identical, killHard, lab, runCbbd, startCbbd, type Fingerprint, type Lab,
} from '../test/reliability/_chaos-kit.ts';
import { cloudCrash } from './_chaos-cloud.ts';
import { ChainTally, signedSeconds, type Row } from './_chaos-tally.ts';


const FAULTS = 'simulator: { faults: { rates: { "429": 0.3, "500": 0.1, truncated: 0.05, empty: 0.03, slow: 0.02 }, retryAfterSeconds: 1, slowMs: 12000 } }';

export async function chaosBench(args: string[]): Promise<void> {
  const flag = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : fallback; };
  const trials = Number(flag('trials', '20'));
  const perChain = Number(flag('kills-per-chain', '4'));
  const selection = flag('selection', '*');
  const only = new Set(flag('only', 'faults,crash,concurrency,cloud').split(','));
  const work = mkdtempSync(join(tmpdir(), 'cbbd-chaos-'));
  const season = ['--season', '2024'];
  const rows: Row[] = [];
  try {
    console.log(`chaos: materialize '${selection}' --season 2024 at demo scale, in ${work}`);
    const cleanLab = lab(join(work, 'clean'));
    const clean = await runCbbd(cleanLab.env(cleanLab.config('config.yaml')), ['materialize', selection, ...season]);
    if (clean.code !== 0) throw new Error(`the clean run failed:\n${clean.stdout}\n${clean.stderr}`);
    const expected = fingerprint(cleanLab);
    const cleanCalls = calls(cleanLab);
    console.log(`  clean: ${(clean.ms / 1000).toFixed(1)} s, ${cleanCalls} API calls, ${expected.files.size} files, ${expected.versions.size} partitions`);
    rows.push({ scenario: 'clean', faults: 'none', runs: 1, rowsLost: 0, duplicates: 0, recovered: '—', extra: '—' });

    if (only.has('faults')) {
      for (const [name, extra] of [
        ['faults', `source: { timeoutMs: 10000 }\n${FAULTS}`],
        ['faults beyond retries', `source: { timeoutMs: 10000, retries: 1 }\nmaterialize: { retries: 0 }\n${FAULTS}`],
      ] as const) {
        const l = lab(join(work, name.replace(/ /g, '-')));
        const run = await runCbbd(l.env(l.config('config.yaml', extra)), ['materialize', selection, ...season]);
        const letters = (existsSync(join(l.lakehouse, 'deadletter')) ? readdirSync(join(l.lakehouse, 'deadletter'), { recursive: true }) : []).filter((f) => String(f).endsWith('.json') && !String(f).startsWith('quarantine')).length;
        let runs = 1;
        let ms = run.ms;
        if (run.code !== 0) {
          const replay = await runCbbd(l.env(l.config('calm.yaml')), ['deadletter', 'replay']);
          runs++;
          ms += replay.ms;
        }
        const made = calls(l);
        const d = compare(expected, fingerprint(l));
        console.log(`  ${name}: run exit ${run.code}, ${letters} dead letter(s), ${made} calls (${made - cleanCalls} retries), ${describeDifference(d)}`);
        rows.push({
          scenario: name, faults: `429 30%, 5xx 10%, truncated 5%, empty 3%, slow 2%; ${made - cleanCalls} retries, ${letters} dead-lettered`, runs,
          rowsLost: d.rowsLost, duplicates: d.duplicates, recovered: identical(d) ? `yes${runs > 1 ? ' (after replay)' : ''}` : 'NO', extra: signedSeconds(ms - clean.ms),
        });
      }
    }

    if (only.has('crash')) {
      const tally = new ChainTally();
      const aims = ['time', 'commit', 'run log', 'checkpoints'] as const;
      const byAim = new Map<string, number>();
      while (tally.kills < trials) {
        const l = lab(join(work, `crash-${tally.startChain()}`));
        const env = l.env(l.config('config.yaml'));
        mkdirSync(join(l.lakehouse, 'tmp'), { recursive: true });
        mkdirSync(join(l.dir, '.cbbd'), { recursive: true });
        for (let k = 0; k < perChain && tally.kills < trials; k++) {
          const aim = aims[tally.kills % aims.length]!;
          const run = startCbbd(env, ['materialize', selection, ...season]);
          // The kill is armed at a moment drawn over the clean run's duration, then lands at the next event aimed at.
          const armAfter = Math.random() * clean.ms * 0.9;
          let disarm = () => {};
          const arm = setTimeout(() => {
            const kill = () => void killHard(run);
            if (aim === 'time') return kill();
            const watcher = aim === 'commit'
              ? watch(join(l.lakehouse, 'tmp'), kill)
              : watch(join(l.dir, '.cbbd'), (_, f) => f?.startsWith(aim === 'run log' ? 'runlog.sqlite' : 'checkpoints.sqlite') && kill());
            disarm = () => watcher.close();
          }, armAfter);
          const ended = await run.done;
          clearTimeout(arm);
          disarm();
          tally.ran(ended.ms);
          if (ended.signal !== 'SIGKILL') break; // the run finished before the kill: the chain is complete
          tally.kills++;
          byAim.set(aim, (byAim.get(aim) ?? 0) + 1);
          const ahead = claimsAheadOfData(expected, fingerprint(l));
          if (ahead.length) console.log(`  crash ${tally.kills} (${aim}): ${ahead.length} claim(s) ahead of the data: ${ahead.slice(0, 3).join('; ')}`);
        }
        const rerun = await runCbbd(env, ['materialize', selection, ...season]);
        tally.ran(rerun.ms);
        const got = fingerprint(l);
        const d = compare(expected, got);
        tally.chainEnded(d, rerun.code === 0 && identical(d) && got.runsRunning === 0 && got.leases === 0 && !got.tmpLeft.length);
        console.log(`  chain ${tally.chains}: ${tally.kills} kill(s) so far, re-run exit ${rerun.code}, ${describeDifference(d)}, running ${got.runsRunning}, tmp/ ${got.tmpLeft.length}, os tmp ${got.osTmpLeft.length}`);
        rmSync(l.dir, { recursive: true, force: true });
      }
      rows.push(tally.row('crash (SIGKILL)', `${tally.kills} kills (${[...byAim].map(([a, n]) => `${n} at ${a}`).join(', ')}) in ${tally.chains} chains`, clean.ms));
    }

    if (only.has('concurrency')) rows.push(await concurrency(join(work, 'concurrency'), selection, expected, clean.ms));
    if (only.has('cloud')) rows.push(await cloudCrash(join(work, 'cloud'), Number(flag('cloud-trials', '4')), perChain));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\n| scenario | faults injected | runs | rows lost | duplicates | recovered | extra time |\n|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.scenario} | ${r.faults} | ${r.runs} | ${r.rowsLost} | ${r.duplicates} | ${r.recovered} | ${r.extra} |`);
}

/** Two CLI runs at once (one refused, naming the holder), `cbbd serve` polled while a run writes, and a page run refused. */
async function concurrency(dir: string, selection: string, expected: Fingerprint, cleanMs: number): Promise<Row> {
  const l: Lab = lab(dir);
  const env = { ...l.env(l.config('config.yaml')), CBBD_UI_TOKEN: 'chaos-bench-ui-token' };
  const port = 3900 + Math.floor(Math.random() * 900);
  const serve = startCbbd(env, ['serve', '--port', String(port)]);
  const base = `http://127.0.0.1:${port}`;
  try {
    await until(async () => (await fetch(`${base}/api/assets`).catch(() => undefined))?.ok === true);
    const first = startCbbd(env, ['materialize', selection, '--season', '2024']);
    await until(async () => first.output().includes('"run_started"'));
    const second = await runCbbd(env, ['materialize', selection, '--season', '2024']);
    const refusedCli = second.code !== 0 && new RegExp(`Refused: [\\s\\S]*pid ${first.child.pid}\\b`).test(second.stdout + second.stderr);
    const page = await fetch(`${base}/api/materialize`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${env.CBBD_UI_TOKEN}` }, body: JSON.stringify({ selection, season: 2024 }) });
    const pageText = await page.text();
    const refusedPage = page.status === 409 && pageText.includes(`pid ${first.child.pid}`);
    const times: number[] = [];
    while (first.child.exitCode === null) {
      const t = performance.now();
      await (await fetch(`${base}/api/assets`)).arrayBuffer();
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 200));
    }
    const done = await first.done;
    times.sort((a, b) => a - b);
    const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
    const d = compare(expected, fingerprint(l));
    console.log(`  concurrency: second CLI run ${refusedCli ? 'refused naming the holder' : `NOT refused (exit ${second.code})`}, page run ${refusedPage ? 'refused (409) naming the holder' : `answered ${page.status} ${pageText.slice(0, 120)}`}, ` +
      `GET /api/assets p95 ${p95.toFixed(0)} ms over ${times.length} requests during the run, ${describeDifference(d)}`);
    return {
      scenario: 'concurrency', faults: `a 2nd CLI run (${refusedCli ? 'refused' : 'NOT refused'}), a page run (${refusedPage ? '409' : page.status}); /api/assets p95 ${p95.toFixed(0)} ms`, runs: 3,
      rowsLost: d.rowsLost, duplicates: d.duplicates, recovered: identical(d) && done.code === 0 ? 'yes' : 'NO', extra: signedSeconds(done.ms - cleanMs),
    };
  } finally {
    await killHard(serve);
  }
}

/** API calls in the run log's ledger (each attempt of a retried request counts). */
function calls(l: Lab): number {
  const db = new Database(l.runLogPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM api_calls').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function until(ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
}
