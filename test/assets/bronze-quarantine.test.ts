/**
 * Bronze keeps the declared types: a raw record that does not fit is quarantined with its reason (and the partition's
 * check says so), never coerced into the Parquet file; the records that fit are written with their declared types.
 */
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { SimWorld } from '../../src/cbbd/sim/world.ts';
import { noCheckpoints } from '../../src/core/checkpoints.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { duckConnection } from '../../src/lake/duckdb.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir, window } from '../helpers.ts';

describe('bronze quarantine', () => {
  it('quarantines a misfit record with the reason and writes the others typed', async () => {
    const root = tempDir();
    const storage = localStorage(root);
    const [first, second] = new SimWorld({ seed: 1, scale: 'demo', now: () => new Date() }).conferences;
    const records = [first, { ...second, id: 'twelve' }];
    const raw = JSON.stringify(records);
    await storage.replacePartition('raw/conferences/asof=2024-01-01', [
      { name: 'part-0.json.gz', body: gzipSync(raw) },
      { name: '_partition.json', body: JSON.stringify({ dataVersion: 'v1', records: 2, parts: [{ name: 'part-0.json.gz', path: '/conferences', params: {}, fetchedAt: '2024-01-01T00:00:00Z', records: 2 }] }) },
    ]);
    const assets = createAssets({ source: {} as never, storage, window, gameCap: 3_000, now: () => new Date(), rollingDays: 3, checkpoints: noCheckpoints });
    const bronze = assets.find((a) => a.key === 'bronze/conferences')!;
    const [output] = await bronze.compute({ asset: bronze, partitions: ['-'], reasons: new Map(), runId: 'r', log: silentLogger(), signal: new AbortController().signal });
    expect(output!.rowCount).toBe(1);
    expect(output!.metadata).toMatchObject({ quarantined: 1, firstProblem: 'id should be an integer, got "twelve"' });
    expect(await bronze.checks![0]!.run({ asset: bronze, output: output! })).toMatchObject({ passed: false });
    await output!.commit!();

    const quarantined = JSON.parse(Buffer.from((await storage.get('deadletter/quarantine/bronze/conferences/records.json'))!).toString()) as { reason: string; record: { id: unknown } }[];
    expect(quarantined).toEqual([{ reason: 'id should be an integer, got "twelve"', record: expect.objectContaining({ id: 'twelve' }) }]);
    const connection = await duckConnection();
    const rows = (await connection.runAndReadAll(`select id, typeof(id) as t from '${join(root, 'bronze/conferences/part-0.parquet')}'`)).getRowObjectsJson();
    connection.closeSync();
    expect(rows).toEqual([{ id: String(first!.id), t: 'BIGINT' }]);
  });
});
