/**
 * Writing a raw partition: each API response exactly as returned, gzipped, one object per request window, with a
 * sidecar holding the request (path and parameters, never the key) and the fetch time. The data version is a hash
 * of the bodies alone, so an identical re-fetch keeps its version and leaves the stored objects untouched.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PartitionOutput } from '../../src/core/asset.ts';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import type { ProjectResources } from '../resources.ts';
import { checkRecords, recordTypeOf } from '../bronze/record-types.ts';
import { checkpointsOf } from './_checkpoints.ts';

const gzipAsync = promisify(gzip);

const MANIFEST = '_partition.json';

interface Manifest {
  [fact: string]: unknown;
  dataVersion: string;
  records: number;
  parts: { name: string; path: string; params: Readonly<Record<string, string>>; fetchedAt: string; records: number }[];
}

export async function rawPartitionOutput(
  resources: ProjectResources,
  partition: string,
  prefix: string,
  responses: readonly SourceResponse<readonly unknown[]>[],
  extra: Partial<PartitionOutput> = {},
  /** Facts about the partition kept in its manifest (games without plays, gaps fetched). */
  facts: Readonly<Record<string, unknown>> = {},
): Promise<PartitionOutput> {
  const { storage } = resources;
  // One pass over the bodies: each part's hash is its checkpoint's content hash, and the partition's version is the
  // hash of those.
  const contentHashes = responses.map((r) => createHash('sha256').update(r.raw).digest('hex').slice(0, 16));
  const dataVersion = createHash('sha256').update(contentHashes.join('\n')).digest('hex').slice(0, 16);
  const records = responses.reduce((n, r) => n + r.data.length, 0);
  const bytes = responses.reduce((n, r) => n + Buffer.byteLength(r.raw), 0);
  const previous = await storage.get(`${prefix}/${MANIFEST}`);
  const unchanged = previous !== undefined && (JSON.parse(Buffer.from(previous).toString('utf8')) as Manifest).dataVersion === dataVersion;
  // Every body was just parsed: check its records against the bronze table's declared type now, so bronze can trust
  // the stored parts without parsing them again (a season of plays is gigabytes of JSON).
  const asset = prefix.split('/').slice(0, 2).join('/');
  const type = recordTypeOf(asset);
  const checked = checkRecords((function* () { for (const r of responses) yield* r.data; })(), type);
  const manifest: Manifest = {
    ...facts,
    checked,
    dataVersion,
    records,
    parts: responses.map((r, i) => ({ name: `part-${i}.json.gz`, path: r.request.path, params: r.request.params, fetchedAt: r.fetchedAt, records: r.data.length })),
  };
  // Compress now and keep only the compressed bodies: a batch of game days must not hold every parsed day until commit.
  const parts = unchanged ? [] : await Promise.all(responses.map(async (r, i) => ({ name: `part-${i}.json.gz`, body: await gzipAsync(r.raw, { level: 1 }) })));
  const checkpoints = checkpointsOf(resources, asset, partition, responses, contentHashes, facts);
  return {
    partition,
    dataVersion,
    rowCount: records,
    bytes,
    metadata: { prefix, parts: responses.length, apiCalls: responses.length, unchanged, ...facts },
    commit: async () => {
      if (!unchanged) await storage.replacePartition(prefix, [...parts, { name: MANIFEST, body: JSON.stringify(manifest, null, 2) }]);
      for (const checkpoint of checkpoints) await resources.checkpoints.put(checkpoint);
    },
    ...extra,
  };
}
