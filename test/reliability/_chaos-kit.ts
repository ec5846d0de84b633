/**
 * What the reliability tests and `npm run chaos` share: a lakehouse in a temporary folder driven by the real
 * `cbbd` command (`node bin/cbbd.js`, each process stopped by its own pid), and a fingerprint of what it holds (files,
 * the run log's data versions and row counts, checkpoints, leftovers) to compare with a clean run's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { partitionPrefix } from '../../src/lake/table-layout.ts';

const BIN = resolve('bin/cbbd.js');
const ASSETS = resolve('assets/index.ts');

export interface Lab {
  readonly dir: string;
  readonly lakehouse: string;
  readonly runLogPath: string;
  readonly checkpointsPath: string;
  /** The child's TMPDIR: what a killed process leaves in the system's temp folder lands here, to be counted. */
  readonly osTmp: string;
  /** Write a config file (extra YAML lines appended) and return its path. */
  config(name: string, extra?: string): string;
  env(config: string, more?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/** A lakehouse, run log and checkpoints under `dir`, one season (2024), demo scale, the in-process simulator. */
export function lab(dir: string): Lab {
  const lakehouse = join(dir, 'lakehouse');
  const runLogPath = join(dir, '.cbbd', 'runlog.sqlite');
  const checkpointsPath = join(dir, '.cbbd', 'checkpoints.sqlite');
  const osTmp = join(dir, 'os-tmp');
  mkdirSync(osTmp, { recursive: true });
  return {
    dir, lakehouse, runLogPath, checkpointsPath, osTmp,
    config(name, extra = '') {
      const file = join(dir, name);
      writeFileSync(file, [
        `assets: ${ASSETS}`, 'seasons: { first: 2024, last: 2024 }', `lakehouse: { root: ${lakehouse} }`,
        `runLog: { path: ${runLogPath} }`, `checkpoints: { path: ${checkpointsPath} }`, extra,
      ].join('\n'));
      return file;
    },
    env(config, more = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: config, TMPDIR: osTmp, CBBD_LOG_LEVEL: 'info', ...more };
      delete env.CBBD_API_KEY;
      delete env.BEARER_TOKEN;
      delete env.CBBD_API_BASE_URL;
      return env;
    },
  };
}

export interface CbbdRun {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  readonly output: () => string;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

/** Start `cbbd <args>` in its own process. */
export function startCbbd(env: NodeJS.ProcessEnv, args: readonly string[]): CbbdRun {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>((ok) => {
    child.on('close', (code, signal) => ok({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return { child, output: () => stdout + stderr, done };
}

export const runCbbd = (env: NodeJS.ProcessEnv, args: readonly string[]) => startCbbd(env, args).done;

/** SIGKILL a process we started, by its pid; resolves when it is gone. */
export async function killHard(run: CbbdRun): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null && run.child.pid !== undefined) process.kill(run.child.pid, 'SIGKILL');
  await run.done;
}

/** What a lakehouse holds, in the terms a user would compare two of them by. */
export interface Fingerprint {
  /** Every data file (raw bodies, Parquet, quarantine) by key, with a hash of its bytes; a raw manifest by its data version. */
  readonly files: ReadonlyMap<string, string>;
  /** Succeeded partitions: `asset partition` → data version and rows, from the run log. */
  readonly versions: ReadonlyMap<string, { readonly dataVersion: string; readonly rows: number }>;
  /** Checkpoints: `asset partition endpoint params` → content hash. */
  readonly checkpoints: ReadonlyMap<string, string>;
  readonly runsRunning: number;
  readonly leases: number;
  /** What is left under the lakehouse's tmp/ and in the processes' own temp folder. */
  readonly tmpLeft: readonly string[];
  readonly osTmpLeft: readonly string[];
}

const listFiles = (root: string): string[] => !existsSync(root) ? [] : readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/')).sort();

/** Whether a lakehouse key holds data to compare (not staging, the run log, or dead letters other than quarantine). */
export const isDataKey = (key: string) =>
  !(key.startsWith('tmp/') || key.startsWith('meta/') || (key.startsWith('deadletter/') && !key.startsWith('deadletter/quarantine/')));

/** What a data file is worth comparing by: a manifest by its data version and parts (it holds fetch times), else a hash. */
export function fileValue(key: string, body: Uint8Array): string {
  return key.endsWith('/_partition.json')
    ? (({ dataVersion, parts }: { dataVersion: string; parts: { name: string }[] }) => `${dataVersion} ${parts.map((p) => p.name).join(',')}`)(JSON.parse(Buffer.from(body).toString('utf8')) as never)
    : createHash('sha256').update(key.endsWith('.gz') ? gunzipSync(body) : body).digest('hex').slice(0, 16);
}

/** The run log's succeeded partitions, runs still "running" and partition leases. */
export function runLogState(path: string): Pick<Fingerprint, 'versions' | 'runsRunning' | 'leases'> {
  const versions = new Map<string, { dataVersion: string; rows: number }>();
  let runsRunning = 0;
  let leases = 0;
  if (existsSync(path)) {
    const db = new Database(path, { readonly: true });
    try {
      for (const r of db.prepare("SELECT asset_key, partition, data_version, row_count FROM partition_state WHERE status = 'succeeded'").all() as { asset_key: string; partition: string; data_version: string; row_count: number }[]) {
        versions.set(`${r.asset_key} ${r.partition}`, { dataVersion: r.data_version, rows: r.row_count ?? 0 });
      }
      runsRunning = (db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'running'").get() as { n: number }).n;
      leases = (db.prepare('SELECT count(*) AS n FROM leases').get() as { n: number }).n;
    } finally {
      db.close();
    }
  }
  return { versions, runsRunning, leases };
}

export function fingerprint(l: Lab): Fingerprint {
  const files = new Map<string, string>();
  for (const key of listFiles(l.lakehouse)) {
    if (isDataKey(key)) files.set(key, fileValue(key, readFileSync(join(l.lakehouse, key))));
  }
  const { versions, runsRunning, leases } = runLogState(l.runLogPath);
  const checkpoints = new Map<string, string>();
  if (existsSync(l.checkpointsPath)) {
    const db = new Database(l.checkpointsPath, { readonly: true });
    try {
      for (const c of db.prepare("SELECT asset, partition_key, endpoint, parameter_hash, content_hash FROM checkpoints WHERE status = 'succeeded' OR content_hash IS NOT NULL").all() as { asset: string; partition_key: string; endpoint: string; parameter_hash: string; content_hash: string }[]) {
        checkpoints.set(`${c.asset} ${c.partition_key} ${c.endpoint} ${c.parameter_hash}`, c.content_hash);
      }
    } finally {
      db.close();
    }
  }
  return {
    files, versions, checkpoints, runsRunning, leases,
    tmpLeft: existsSync(join(l.lakehouse, 'tmp')) ? readdirSync(join(l.lakehouse, 'tmp')) : [],
    osTmpLeft: existsSync(l.osTmp) ? readdirSync(l.osTmp).filter((e) => e.startsWith('cbbd-')) : [],
  };
}

export interface Difference {
  readonly missingFiles: readonly string[];
  readonly extraFiles: readonly string[];
  readonly changedFiles: readonly string[];
  /** Partitions whose data version differs from (or is absent beside) the clean run's. */
  readonly versionDiffs: readonly string[];
  /** Rows the clean run has and this one lacks, and rows beyond the clean run's, by partition (run log row counts). */
  readonly rowsLost: number;
  readonly duplicates: number;
  readonly checkpointDiffs: readonly string[];
}

/** How a lakehouse differs from the clean run's: nothing at all is the goal. */
export function compare(clean: Fingerprint, got: Fingerprint): Difference {
  const missingFiles = [...clean.files.keys()].filter((k) => !got.files.has(k));
  const extraFiles = [...got.files.keys()].filter((k) => !clean.files.has(k));
  const changedFiles = [...clean.files].filter(([k, v]) => got.files.has(k) && got.files.get(k) !== v).map(([k]) => k);
  const keys = new Set([...clean.versions.keys(), ...got.versions.keys()]);
  const versionDiffs = [...keys].filter((k) => clean.versions.get(k)?.dataVersion !== got.versions.get(k)?.dataVersion);
  let rowsLost = 0;
  let duplicates = 0;
  for (const k of keys) {
    if (k.startsWith('raw/')) continue; // raw counts records per request window; the tables count rows
    const d = (got.versions.get(k)?.rows ?? 0) - (clean.versions.get(k)?.rows ?? 0);
    if (d < 0) rowsLost -= d;
    else duplicates += d;
  }
  const cps = new Set([...clean.checkpoints.keys(), ...got.checkpoints.keys()]);
  const checkpointDiffs = [...cps].filter((k) => clean.checkpoints.get(k) !== got.checkpoints.get(k));
  return { missingFiles, extraFiles, changedFiles, versionDiffs, rowsLost, duplicates, checkpointDiffs };
}

export const identical = (d: Difference) =>
  !d.missingFiles.length && !d.extraFiles.length && !d.changedFiles.length && !d.versionDiffs.length && !d.rowsLost && !d.duplicates && !d.checkpointDiffs.length;

/** A difference in one line, for a failing assertion or the benchmark's log. */
export function describeDifference(d: Difference): string {
  const few = (xs: readonly string[]) => `${xs.length}${xs.length ? ` (${xs.slice(0, 3).join('; ')}${xs.length > 3 ? '; …' : ''})` : ''}`;
  return `missing files ${few(d.missingFiles)}, extra files ${few(d.extraFiles)}, changed files ${few(d.changedFiles)}, ` +
    `data versions ${few(d.versionDiffs)}, rows lost ${d.rowsLost}, duplicates ${d.duplicates}, checkpoints ${few(d.checkpointDiffs)}`;
}

/**
 * Right after a crash, before anything repairs it: what the run log or the checkpoints claim that the data does not
 * hold. A succeeded partition whose data version is the clean run's must have the clean run's files (the run log is
 * never ahead of the data), and a checkpoint must describe a raw partition whose manifest is stored.
 */
export function claimsAheadOfData(clean: Fingerprint, got: Fingerprint): string[] {
  const problems: string[] = [];
  const filesUnder = (fp: Fingerprint, prefix: string) => [...fp.files].filter(([k]) => k.startsWith(`${prefix}/`)).map(([k, v]) => `${k}=${v}`).join('\n');
  for (const [key, v] of got.versions) {
    const [asset, partition] = key.split(' ') as [string, string];
    if (clean.versions.get(key)?.dataVersion !== v.dataVersion) continue;
    const prefix = partitionPrefix(asset, partition);
    if (filesUnder(got, prefix) !== filesUnder(clean, prefix)) problems.push(`run log says ${key} is ${v.dataVersion}, but ${prefix}/ does not hold that data`);
  }
  for (const key of got.checkpoints.keys()) {
    const [asset, partition] = key.split(' ') as [string, string];
    const prefix = `${partitionPrefix(asset, partition)}/`;
    if (![...got.files.keys()].some((k) => k.startsWith(prefix) && k.endsWith('/_partition.json'))) problems.push(`checkpoint ${key} describes ${partitionPrefix(asset, partition)}, which holds no committed data`);
  }
  return problems;
}
