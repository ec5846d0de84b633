/** One conformance suite for the checkpoint store, run by the SQLite driver and the DynamoDB driver (on moto). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckpointStore, SourceCheckpoint } from '../../src/core/checkpoints.ts';
import { dynamoCheckpoints } from '../../src/lake/checkpoints/dynamodb.ts';
import { sqliteCheckpoints } from '../../src/lake/checkpoints/sqlite.ts';
import { awsSettings, moto, motoAvailable, uniqueName } from '../aws.ts';
import { tempDir } from '../helpers.ts';

const base: SourceCheckpoint = {
  endpoint: '/plays/date', parameterHash: 'h1', asset: 'raw/plays', partition: '2024|2024-01-15', status: 'succeeded', attempts: 1,
  lastSuccessAt: 1_700_000_000_000, contentHash: 'abc', complete: true, settled: false, sequence: 10,
};

function checkpointConformance(driver: string, make: () => CheckpointStore): void {
  describe(`checkpoint conformance: ${driver}`, () => {
    it('stores and reads back a checkpoint; an unknown one is absent', async () => {
      const store = make();
      expect(await store.get('/plays/date', 'h1')).toBeUndefined();
      expect(await store.put(base)).toBe(true);
      expect(await store.get('/plays/date', 'h1')).toEqual(base);
      await store.close();
    });

    it('never moves backwards: an older sequence is refused and changes nothing', async () => {
      const store = make();
      await store.put(base);
      expect(await store.put({ ...base, sequence: 11, contentHash: 'newer', attempts: 2 })).toBe(true);
      expect(await store.put({ ...base, sequence: 9, contentHash: 'older' })).toBe(false);
      expect(await store.put({ ...base, sequence: 11, contentHash: 'same sequence' })).toBe(false);
      expect(await store.get('/plays/date', 'h1')).toMatchObject({ sequence: 11, contentHash: 'newer', attempts: 2 });
      await store.close();
    });

    it('lists settled partitions by asset, for the planner', async () => {
      const store = make();
      await store.put({ ...base, settled: true });
      await store.put({ ...base, parameterHash: 'h2', partition: '2024|2024-01-16', settled: false });
      await store.put({ ...base, endpoint: '/games', parameterHash: 'g', asset: 'raw/games', partition: '2023', settled: true });
      const settled = await store.settledPartitions(['raw/plays']);
      expect([...settled.keys()]).toEqual(['raw/plays']);
      expect([...settled.get('raw/plays')!]).toEqual(['2024|2024-01-15']);
      await store.close();
    });
  });
}

checkpointConformance('sqlite', () => sqliteCheckpoints(join(tempDir(), 'checkpoints.sqlite')));

describe.skipIf(!motoAvailable)(`DynamoDB on the emulator (${moto})`, () => {
  checkpointConformance('dynamodb', () => dynamoCheckpoints(uniqueName('cbbd_checkpoints'), awsSettings));
});
