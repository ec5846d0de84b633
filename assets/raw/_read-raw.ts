/** Reading back what a raw partition stored: its manifest and its records, parsed from the gzipped parts. */
import { gunzipSync } from 'node:zlib';
import type { ObjectStorage } from '../../src/lake/storage/storage.ts';

export interface RawManifest {
  readonly dataVersion: string;
  readonly records: number;
  readonly parts: readonly { readonly name: string; readonly records: number }[];
  readonly [extra: string]: unknown;
}

export async function readManifest(storage: ObjectStorage, prefix: string): Promise<RawManifest | undefined> {
  const body = await storage.get(`${prefix}/_partition.json`);
  return body && (JSON.parse(Buffer.from(body).toString('utf8')) as RawManifest);
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
    for (const part of manifest.parts) {
      const body = await storage.get(`${prefix}/${part.name}`);
      if (!body) throw new Error(`${prefix}/${part.name} is listed in the manifest but missing`);
      records.push(...(JSON.parse(gunzipSync(body).toString('utf8')) as unknown[]));
    }
    if (cache.size > 64) cache.clear();
    cache.set(key, records);
  }
  return records as T[];
}
