/**
 * Writing a raw partition: each API response exactly as returned, gzipped, one object per request window, with a
 * sidecar holding the request (path and parameters, never the key) and the fetch time. The data version is a hash
 * of the bodies alone, so an identical re-fetch keeps its version and leaves the stored objects untouched.
 */
import { createHash } from 'node:crypto';
import type { PartitionOutput } from '../../core/asset.ts';
import type { CheckpointStore } from '../../core/checkpoints.ts';
import type { FieldType } from '../../lake/schema/field-types.ts';
import { mergeRecordChecks } from '../../lake/schema/record-check.ts';
import type { ObjectStorage } from '../../lake/storage/storage.ts';
import { parsedPart, type RawPart } from './body.ts';
import { checkpointsOf, type SettlingClock } from './checkpoints.ts';
import type { StoredResponse } from './store.ts';

/** What writing a raw partition needs: where to store it, where its checkpoints go, and when it settles. */
export interface RawLake extends SettlingClock {
  readonly storage: ObjectStorage;
  readonly checkpoints: CheckpointStore;
}

const MANIFEST = '_partition.json';

interface Manifest {
  [fact: string]: unknown;
  dataVersion: string;
  records: number;
  parts: { name: string; path: string; params: Readonly<Record<string, string>>; fetchedAt: string; records: number }[];
}

export async function rawPartitionOutput(
  resources: RawLake,
  /** The raw asset's declared record type: every record is checked against it once, here (or in the worker). */
  recordType: FieldType,
  partition: string,
  prefix: string,
  /** Responses the client parsed, or parts prepared from bulk bodies in a worker. */
  responses: readonly (StoredResponse<readonly unknown[]> | RawPart)[],
  extra: Partial<PartitionOutput> = {},
  /** Facts about the partition kept in its manifest (games without plays, gaps fetched). */
  facts: Readonly<Record<string, unknown>> = {},
): Promise<PartitionOutput> {
  const { storage } = resources;
  const asset = prefix.split('/').slice(0, 2).join('/');
  // Every body was parsed once already: its records were checked against the bronze table's declared type then, so
  // bronze can trust the stored parts without parsing them again (a season of plays is gigabytes of JSON).
  const parts = responses.map((r) => ('raw' in r ? parsedPart(r, recordType) : r));
  // Each part's hash is its checkpoint's content hash, and the partition's version is the hash of those.
  const dataVersion = createHash('sha256').update(parts.map((p) => p.contentHash).join('\n')).digest('hex').slice(0, 16);
  const records = parts.reduce((n, p) => n + p.records, 0);
  const bytes = parts.reduce((n, p) => n + p.bytes, 0);
  const previous = await storage.get(`${prefix}/${MANIFEST}`);
  const unchanged = previous !== undefined && (JSON.parse(Buffer.from(previous).toString('utf8')) as Manifest).dataVersion === dataVersion;
  const manifest: Manifest = {
    ...facts,
    checked: mergeRecordChecks(recordType, parts.map((p) => p.check)),
    dataVersion,
    records,
    parts: parts.map((p, i) => ({ name: `part-${i}.json.gz`, path: p.request.path, params: p.request.params, fetchedAt: p.fetchedAt, records: p.records })),
  };
  // Compress now and keep only the compressed bodies: a batch of game days must not hold every parsed day until commit.
  const stored = unchanged ? [] : await Promise.all(parts.map(async (p, i) => ({ name: `part-${i}.json.gz`, body: await p.gzipped() })));
  const checkpoints = checkpointsOf(resources, asset, partition, parts, facts);
  return {
    partition,
    dataVersion,
    rowCount: records,
    bytes,
    apiCalls: parts.length,
    metadata: { prefix, parts: parts.length, unchanged, ...facts },
    commit: async () => {
      if (!unchanged) await storage.replacePartition(prefix, [...stored, { name: MANIFEST, body: JSON.stringify(manifest, null, 2) }]);
      for (const checkpoint of checkpoints) await resources.checkpoints.put(checkpoint);
    },
    ...extra,
  };
}
