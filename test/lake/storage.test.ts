/**
 * One conformance suite for the storage interface, run by every driver: the local folder and S3 (on the moto
 * emulator). What a user relies on: a partition replaced whole under deterministic names, nothing left in tmp/,
 * missing keys read as absent, unsafe keys refused.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { localStorage } from '../../src/lake/storage/local.ts';
import { s3Storage } from '../../src/lake/storage/s3.ts';
import { STAGING_MAX_AGE_MS, type ObjectStorage } from '../../src/lake/storage/storage.ts';
import { awsSettings, motoAvailable, moto, uniqueName } from '../aws.ts';
import { tempDir } from '../helpers.ts';

const text = async (storage: ObjectStorage, key: string) => {
  const body = await storage.get(key);
  return body && Buffer.from(body).toString('utf8');
};

function storageConformance(driver: string, make: () => Promise<ObjectStorage>): void {
  describe(`storage conformance: ${driver}`, () => {
    it('replaces a partition whole: new names in, old names out, nothing left in tmp/', async () => {
      const storage = await make();
      await storage.replacePartition('silver/t/season=2024', [{ name: 'date=2024-01-01/part-0.parquet', body: 'a' }, { name: 'date=2024-01-02/part-0.parquet', body: 'b' }]);
      await storage.replacePartition('silver/t/season=2023', [{ name: 'part-0.parquet', body: 'other season' }]);
      await storage.replacePartition('silver/t/season=2024', [{ name: 'date=2024-01-02/part-0.parquet', body: 'b2' }]);
      expect(await storage.list('silver/t/')).toEqual(['silver/t/season=2023/part-0.parquet', 'silver/t/season=2024/date=2024-01-02/part-0.parquet']);
      expect(await text(storage, 'silver/t/season=2024/date=2024-01-02/part-0.parquet')).toBe('b2');
      expect(await storage.list('tmp/')).toEqual([]);
    });

    it('a re-run with the same objects leaves exactly one copy', async () => {
      const storage = await make();
      for (let i = 0; i < 2; i++) await storage.replacePartition('raw/games/season=2024', [{ name: 'part-0.json.gz', body: 'x' }, { name: '_partition.json', body: '{}' }]);
      expect(await storage.list('raw/games/')).toEqual(['raw/games/season=2024/_partition.json', 'raw/games/season=2024/part-0.json.gz']);
    });

    it('puts, gets and deletes single objects; a missing key is absent, not an error', async () => {
      const storage = await make();
      expect(await storage.get('deadletter/x.json')).toBeUndefined();
      await storage.put('deadletter/x.json', '{"a":1}');
      expect(await text(storage, 'deadletter/x.json')).toBe('{"a":1}');
      await storage.delete('deadletter/x.json');
      await storage.delete('deadletter/x.json');
      expect(await storage.get('deadletter/x.json')).toBeUndefined();
      expect(await storage.list('deadletter/')).toEqual([]);
    });

    it('sweeps what a write that died left in tmp/, and nothing else', async () => {
      const storage = await make();
      await storage.replacePartition('silver/t/season=2024', [{ name: 'part-0.parquet', body: 'kept' }]);
      await storage.put('tmp/999999999-0badc0ffee00/season=2024/part-0.parquet', 'half written'); // as a crash leaves it
      const later = Date.now() + 2 * STAGING_MAX_AGE_MS;
      expect(await storage.sweepStaging(later)).toBe(1);
      expect(await storage.list('tmp/')).toEqual([]);
      expect(await storage.list('silver/')).toEqual(['silver/t/season=2024/part-0.parquet']);
      expect(await storage.sweepStaging(later)).toBe(0);
      // A writer still at work elsewhere (another host, or a pid alive here) keeps its staging.
      await storage.put('tmp/4242-0123456789ab-another-machine/part-0.parquet', 'being written');
      expect(await storage.sweepStaging()).toBe(0);
      expect(await storage.list('tmp/')).toEqual(['tmp/4242-0123456789ab-another-machine/part-0.parquet']);
    });

    it('refuses keys that could escape the lakehouse', async () => {
      const storage = await make();
      await expect(storage.get('../etc/passwd')).rejects.toThrow(/unsafe storage key/);
      await expect(storage.put('/abs', 'x')).rejects.toThrow(/unsafe storage key/);
    });
  });
}

storageConformance('local', async () => localStorage(tempDir()));

describe.skipIf(!motoAvailable)(`S3 on the emulator (${moto})`, () => {
  storageConformance('s3', async () => {
    const bucket = uniqueName('lake');
    const storage = s3Storage(bucket, awsSettings);
    await storage.client.send(new CreateBucketCommand({ Bucket: bucket }));
    return storage;
  });
});
