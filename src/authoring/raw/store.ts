/**
 * Reading back what a raw partition stored: its manifest, its responses and its records, from the gzipped parts.
 * The raw layer's layout (a `_partition.json` manifest beside `part-N.json.gz` bodies) is known here and in
 * `inputs.ts`, nowhere in the assets.
 */
import { gunzipSync } from 'node:zlib';
import { PermanentError } from '../../core/errors.ts';
import type { ObjectStorage } from '../../lake/storage/storage.ts';

/** A stored body as the response it was (the same shape as the source's responses). */
export interface StoredResponse<T> {
  readonly data: T;
  readonly raw: string;
  readonly request: { readonly path: string; readonly params: Readonly<Record<string, string>> };
  readonly fetchedAt: string;
}

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
export async function readStoredResponse<T>(storage: ObjectStorage, prefix: string, part: RawPart): Promise<StoredResponse<T[]>> {
  const body = await storage.get(`${prefix}/${part.name}`);
  if (!body) throw new PermanentError(`${prefix}/${part.name} is listed in the manifest but missing: re-run with --force to fetch the partition again.`);
  const raw = gunzipSync(body).toString('utf8');
  return { data: JSON.parse(raw) as T[], raw, request: { path: part.path, params: part.params }, fetchedAt: part.fetchedAt };
}

/**
 * Parsed partitions kept for reuse, up to a budget of records: a season's games are read once per run by every game
 * day of plays, while a day of plays (tens of thousands of records, read once by bronze) must not pile up here.
 */
const cache = new Map<string, unknown[]>();
const CACHE_RECORDS = 50_000;

/** Every record of a raw partition; small partitions are cached by their data version. */
export async function readRecords<T>(storage: ObjectStorage, prefix: string): Promise<T[]> {
  const manifest = await readManifest(storage, prefix);
  if (!manifest) throw new PermanentError(`${prefix} has not been materialized: materialize it first (select "+" the asset that reads it).`);
  const key = `${storage.location}|${prefix}|${manifest.dataVersion}`;
  const cached = cache.get(key);
  if (cached) return cached as T[];
  const records: unknown[] = [];
  for (const part of manifest.parts) {
    for (const record of (await readStoredResponse(storage, prefix, part)).data) records.push(record);
  }
  if (records.length <= CACHE_RECORDS) {
    let held = records.length;
    for (const r of cache.values()) held += r.length;
    if (held > CACHE_RECORDS * 4) cache.clear();
    cache.set(key, records);
  }
  return records as T[];
}
