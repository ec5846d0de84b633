/** Reading back what a raw partition stored: its manifest, its responses and its records, from the gzipped parts. */
import { gunzipSync } from 'node:zlib';
import type { SourceResponse } from '../../src/cbbd/client.ts';
import type { ObjectStorage } from '../../src/lake/storage/storage.ts';

export interface RawPart {
  readonly name: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly fetchedAt: string;
  readonly records: number;
}

export interface RawManifest {
  readonly dataVersion: string;
  readonly records: number;
  readonly parts: readonly RawPart[];
  readonly [fact: string]: unknown;
}

export async function readManifest(storage: ObjectStorage, prefix: string): Promise<RawManifest | undefined> {
  const body = await storage.get(`${prefix}/_partition.json`);
  return body && (JSON.parse(Buffer.from(body).toString('utf8')) as RawManifest);
}

/** One stored part as the response it was: the exact body, parsed, with its request and fetch time. */
export async function readStoredResponse<T>(storage: ObjectStorage, prefix: string, part: RawPart): Promise<SourceResponse<T[]>> {
  const body = await storage.get(`${prefix}/${part.name}`);
  if (!body) throw new Error(`${prefix}/${part.name} is listed in the manifest but missing: re-run with --force to fetch the partition again.`);
  const raw = gunzipSync(body).toString('utf8');
  return { data: JSON.parse(raw) as T[], raw, request: { path: part.path, params: part.params }, fetchedAt: part.fetchedAt };
}

const cache = new Map<string, unknown[]>();

/** Every record of a raw partition, cached by its data version (a season's games are read once per run). */
export async function readRecords<T>(storage: ObjectStorage, prefix: string): Promise<T[]> {
  const manifest = await readManifest(storage, prefix);
  if (!manifest) throw new Error(`${prefix} has not been materialized: materialize it first (select "+" the asset that reads it).`);
  const key = `${storage.location}|${prefix}|${manifest.dataVersion}`;
  let records = cache.get(key);
  if (!records) {
    records = [];
    for (const part of manifest.parts) records.push(...(await readStoredResponse(storage, prefix, part)).data);
    if (cache.size > 64) cache.clear();
    cache.set(key, records);
  }
  return records as T[];
}
