/**
 * Source drift, as the API's answers move away from its spec: the real assets fetch from the simulator over HTTP,
 * with one path's records rewritten. A field the spec does not list is kept in raw, reported, and fails nothing; a
 * field whose type changed quarantines those records and fails the partition with what to do; a record without its
 * key is quarantined and never written with a null key; nothing is coerced on the way to Parquet.
 */
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { startSimulator, type RunningSim } from '../../src/sim/serve.ts';
import type { SimDrift } from '../../src/sim/app.ts';
import { cbbdSource, type CbbdSource } from '../../src/cbbd/source.ts';
import { buildAssetGraph } from '../../src/core/graph.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { runSelection } from '../../src/core/run-selection.ts';
import { RunLog } from '../../src/store/run-log.ts';
import { sqliteCheckpoints } from '../../src/lake/checkpoints/sqlite.ts';
import { duckConnection } from '../../src/lake/duckdb.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir } from '../helpers.ts';

const window = { firstSeason: 2024, lastSeason: 2024, start: '11-01', end: '04-30' };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** Fetch raw/conferences and build bronze (and silver's dimension) from a simulator whose answers drifted. */
async function runWithDrift(drift: SimDrift, selection = '+bronze/conferences') {
  const dir = tempDir('cbbd-drift-');
  const sim: RunningSim = await startSimulator({ seed: 3, scale: 'demo', drift });
  open.push(sim);
  const source: CbbdSource = cbbdSource({
    apiKey: 'drift-test-key', baseUrl: sim.url, baseUrlOverridden: true, requestsPerSecond: 1_000, maxInFlight: 2, timeoutMs: 30_000, retries: 0,
  }, silentLogger());
  open.push(source);
  const root = join(dir, 'lakehouse');
  const storage = localStorage(root);
  const checkpoints = sqliteCheckpoints(join(dir, 'checkpoints.sqlite'));
  open.push(checkpoints);
  const graph = buildAssetGraph(createAssets({ source, storage, window, gameCap: 3_000, now: () => new Date('2024-01-20T10:00:00Z'), rollingDays: 3, checkpoints }));
  const runLog = await RunLog.open(join(dir, 'runlog.sqlite'));
  open.push(runLog);
  const result = await runSelection({ graph, runLog, checkpoints, window, rollingDays: 3, materialize: { concurrency: 1, retries: 0 } }, { selection });
  const materializations = await runLog.materializationsOf(result.runId);
  const stepOf = (asset: string) => result.steps.find((s) => s.asset === asset);
  const files = (prefix: string) => {
    const out: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else out.push(join(d, e.name));
      }
    };
    try {
      walk(join(root, prefix));
    } catch {
      // no folder: nothing written
    }
    return out;
  };
  const rawRecords = () => files('raw/conferences').filter((f) => f.endsWith('.json.gz')).flatMap((f) => JSON.parse(gunzipSync(readFileSync(f)).toString()) as Record<string, unknown>[]);
  const quarantined = () => {
    const file = files('deadletter/quarantine/bronze/conferences').find((f) => f.endsWith('records.json'));
    return file ? (JSON.parse(readFileSync(file, 'utf8')) as { reason: string; record: Record<string, unknown> }[]) : [];
  };
  const parquet = async (prefix: string, sql: (file: string) => string) => {
    const file = files(prefix).find((f) => f.endsWith('.parquet'));
    if (!file) return undefined;
    const connection = await duckConnection();
    try {
      return (await connection.runAndReadAll(sql(`read_parquet('${file}')`))).getRowObjectsJson();
    } finally {
      connection.closeSync();
    }
  };
  return { sim, result, materializations, stepOf, rawRecords, quarantined, parquet, files };
}

describe('source drift', () => {
  it('a field the spec does not list is kept in raw, reported in the run log, and fails nothing', async () => {
    const run = await runWithDrift({ '/conferences': (r) => ({ ...r, foundedYear: 1906 }) });
    expect(run.result.status).toBe('succeeded');
    expect(run.rawRecords().every((r) => r.foundedYear === 1906)).toBe(true);
    const bronze = run.materializations.find((m) => m.asset === 'bronze/conferences' && m.status === 'succeeded');
    expect(bronze?.metadata).toMatchObject({ unlistedFields: ['foundedYear'] });
    const columns = await run.parquet('bronze/conferences', (f) => `DESCRIBE SELECT * FROM ${f}`);
    expect(columns!.map((c) => c.column_name)).not.toContain('foundedYear');
    expect(run.quarantined()).toEqual([]);
  });

  it('a field whose type changed (number to string) quarantines those records and fails the partition, saying what to do', async () => {
    const run = await runWithDrift({ '/conferences': (r, i) => (i < 2 ? { ...r, id: String(r.id) } : r) });
    expect(run.result.status).toBe('failed');
    expect(run.stepOf('raw/conferences')?.status).toBe('succeeded'); // raw keeps the body as the API sent it
    expect(typeof run.rawRecords()[0]!.id).toBe('string');
    const step = run.stepOf('bronze/conferences')!;
    expect(step.status).toBe('failed');
    expect(step.error).toMatch(/blocking check "field_types_unchanged" \(the API changed a field's type: 2 record\(s\) quarantined in deadletter\/quarantine\/bronze\/conferences\/records\.json, first: id should be an integer, got "\d+"\..*declare it \(assets\/raw\/schemas\.gen\.ts/);
    const quarantined = run.quarantined();
    expect(quarantined).toHaveLength(2);
    expect(quarantined[0]!.reason).toMatch(/^id should be an integer, got "\d+"$/);
    // Nothing of the partition was written: no file with the ids coerced back to numbers, nor without the two.
    expect(run.files('bronze/conferences')).toEqual([]);
  });

  it('a record without its key is quarantined and never written with a null key; the others are', async () => {
    const run = await runWithDrift({ '/conferences': (r, i) => (i === 0 ? { ...r, id: undefined } : r) }, '+silver/dim_conferences');
    const sent = run.rawRecords();
    expect(sent.filter((r) => r.id === undefined)).toHaveLength(1);
    const quarantined = run.quarantined();
    expect(quarantined.map((q) => q.reason)).toEqual(['id is null but the schema says it never is']);
    const bronze = await run.parquet('bronze/conferences', (f) => `SELECT count(*) AS n, count(id) AS ids FROM ${f}`);
    expect(bronze).toEqual([{ n: String(sent.length - 1), ids: String(sent.length - 1) }]);
    const silver = await run.parquet('silver/dim_conferences', (f) => `SELECT count(*) AS n FROM ${f} WHERE id IS NULL`);
    expect(silver).toEqual([{ n: '0' }]);
    // The misfit is reported by the non-blocking check, not hidden.
    const checks = run.materializations.find((m) => m.asset === 'bronze/conferences')?.quarantine;
    expect(checks).toEqual({ records: 1, firstProblem: 'id is null but the schema says it never is' });
  });

  it('a float where an integer is declared is quarantined, not truncated', async () => {
    const run = await runWithDrift({ '/conferences': (r, i) => (i === 0 ? { ...r, id: Number(r.id) + 0.5 } : r) });
    expect(run.stepOf('bronze/conferences')?.status).toBe('failed');
    expect(run.quarantined()[0]!.reason).toMatch(/^id should be an integer, got \d+\.5$/);
  });
});
