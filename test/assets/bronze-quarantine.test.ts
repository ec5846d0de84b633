/**
 * Bronze keeps the declared types: a raw record that does not fit is quarantined with its reason (and the partition's
 * check says so), never coerced into the Parquet file; the records that fit are written with their declared types.
 * The partition's season lives in its `season=` folder only: the files leave it out, and a record that says another
 * season than its folder is quarantined rather than silently given the folder's.
 */
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { AssetDefinition } from '../../src/core/asset.ts';
import { describe, expect, it } from 'vitest';
import { createAssets } from '../../assets/index.ts';
import { recordTypeOf } from '../../assets/raw/record-types.ts';
import { typeHashOf } from '../../src/lake/schema/record-check.ts';
import { SimWorld } from '../../src/sim/world.ts';
import { noCheckpoints } from '../../src/core/checkpoints.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { duckConnection } from '../../src/lake/duckdb.ts';
import { localStorage } from '../../src/lake/storage/local.ts';
import { tempDir, window } from '../helpers.ts';

/** A bronze compute run on its own, outside a run: each partition reads the raw partition of the same key. */
function computeAlone(asset: AssetDefinition, partitions: string[]) {
  return asset.compute({
    asset, partitions, reasons: new Map(), runId: 'r', log: silentLogger(), signal: new AbortController().signal,
    inputPartitions: (_dependency, partition) => (partition === undefined ? partitions : [partition]),
  });
}

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
    const [output] = await computeAlone(bronze, ['-']);
    expect(output!.rowCount).toBe(1);
    expect(output!.quarantine).toEqual({ records: 1, firstProblem: 'id should be an integer, got "twelve"' });
    expect(await bronze.checks![0]!.run({ asset: bronze, output: output! })).toMatchObject({ passed: false });
    await output!.commit!();

    const quarantined = JSON.parse(Buffer.from((await storage.get('deadletter/quarantine/bronze/conferences/records.json'))!).toString()) as { reason: string; record: { id: unknown } }[];
    expect(quarantined).toEqual([{ reason: 'id should be an integer, got "twelve"', record: expect.objectContaining({ id: 'twelve' }) }]);
    const connection = await duckConnection();
    const rows = (await connection.runAndReadAll(`select id, typeof(id) as t from '${join(root, 'bronze/conferences/part-0.parquet')}'`)).getRowObjectsJson();
    connection.closeSync();
    expect(rows).toEqual([{ id: String(first!.id), t: 'BIGINT' }]);
  });

  describe('a season partition', () => {
    const srs = (season: number, teamId: number) => ({ season, teamId, team: `Team ${teamId}`, conference: 'East', rating: 1.5 });
    async function bronzeSrs(records: unknown[]) {
      const root = tempDir();
      const storage = localStorage(root);
      // As raw leaves it: every record already checked against the declared type, so bronze takes the fast path.
      const checked = { type: typeHashOf(recordTypeOf('raw/ratings_srs')), misfits: 0, unlisted: [] };
      await storage.replacePartition('raw/ratings_srs/season=2024', [
        { name: 'part-0.json.gz', body: gzipSync(JSON.stringify(records)) },
        { name: '_partition.json', body: JSON.stringify({ dataVersion: 'v1', records: records.length, checked, parts: [{ name: 'part-0.json.gz', path: '/ratings/srs', params: { season: 2024 }, fetchedAt: '2024-05-01T00:00:00Z', records: records.length }] }) },
      ]);
      const assets = createAssets({ source: {} as never, storage, window, gameCap: 3_000, now: () => new Date(), rollingDays: 3, checkpoints: noCheckpoints });
      const bronze = assets.find((a) => a.key === 'bronze/ratings_srs')!;
      const [output] = await computeAlone(bronze, ['2024']);
      await output!.commit!();
      const connection = await duckConnection();
      const file = join(root, 'bronze/ratings_srs/season=2024/part-0.parquet');
      const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)).getRowObjects().map((r) => String(r.column_name));
      const seasons = (await connection.runAndReadAll(`SELECT DISTINCT season, typeof(season) AS t FROM read_parquet('${file}', hive_partitioning = true)`)).getRowObjectsJson();
      connection.closeSync();
      return { output: output!, columns, seasons, storage };
    }

    it('leaves the season out of the file: readers take it from the season= folder', async () => {
      const { output, columns, seasons } = await bronzeSrs([srs(2024, 1), srs(2024, 2)]);
      expect(output.rowCount).toBe(2);
      expect(output.quarantine).toEqual({ records: 0 });
      expect(columns).toEqual(['teamId', 'team', 'conference', 'rating']);
      expect(seasons).toEqual([{ season: '2024', t: 'BIGINT' }]);
    });

    it('quarantines a record whose season is not its folder\'s, with the reason, and writes the others', async () => {
      const { output, columns, storage } = await bronzeSrs([srs(2024, 1), srs(2023, 2)]);
      expect(output.rowCount).toBe(1);
      expect(output.quarantine).toEqual({ records: 1, firstProblem: 'season is 2023 but the record sits in season=2024; the path holds the table\'s season' });
      expect(columns).toEqual(['teamId', 'team', 'conference', 'rating']);
      const quarantined = JSON.parse(Buffer.from((await storage.get('deadletter/quarantine/bronze/ratings_srs/season=2024/records.json'))!).toString()) as { record: { teamId: number } }[];
      expect(quarantined.map((q) => q.record.teamId)).toEqual([2]);
    });
  });
});
