/**
 * A response body made ready to store: its record count, content hash, the check of its records against the bronze
 * table's declared type, and its gzipped bytes. A bulk body (a day of plays is about 19 MB of JSON) is prepared in
 * a worker thread straight from the bytes the API sent (`body-pool.ts`), so parsing and checking it neither stalls
 * the main thread nor fills its heap; a body the client already parsed is prepared here from the parsed value.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { FieldType } from '../../lake/schema/field-types.ts';
import { checkRecords, type RecordCheck } from '../../lake/schema/record-check.ts';
import type { StoredResponse } from './store.ts';

const gzipAsync = promisify(gzip);
/** Level 1: raw bodies are stored once and read once by bronze; speed matters more than the last few percent. */
const GZIP = { level: 1 };

/** What a worker returns for one body. */
export interface PreparedBody {
  readonly records: number;
  readonly bytes: number;
  readonly contentHash: string;
  readonly check: RecordCheck;
  readonly gzipped: Uint8Array;
  /** The distinct values of the field asked for (e.g. the game ids in a day of plays). */
  readonly distinct: readonly unknown[];
}

/** A body prepared, or why it cannot be used (the client retries it, then keeps it as a dead letter). */
export type Preparation = { readonly ok: true; readonly value: PreparedBody } | { readonly ok: false; readonly problem: string; readonly head: string };

/** One stored request of a raw partition, ready to commit. */
export interface RawPart {
  readonly request: StoredResponse<unknown>['request'];
  readonly fetchedAt: string;
  readonly records: number;
  readonly bytes: number;
  readonly contentHash: string;
  readonly check: RecordCheck;
  /** Compressed only when asked: an unchanged partition is not written again. */
  gzipped(): Promise<Uint8Array>;
}

function contentHash(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** How to prepare a body: the record type to check it against, a field whose distinct values to return, and how much of an unusable body to keep (for its dead letter). */
export interface BodyTask {
  readonly type: FieldType;
  readonly distinct?: string;
  readonly headChars: number;
}

/** Prepare the bytes of a body (in a worker): parse, check against the raw asset's record type, hash, compress. */
export function prepareBody(bytes: Uint8Array, task: BodyTask): Preparation {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const head = text.slice(0, task.headChars);
  const distinctField = task.distinct;
  if (text.trim() === '') return { ok: false, problem: 'empty body', head };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: `body is not valid JSON (${bytes.byteLength} bytes)`, head };
  }
  if (!Array.isArray(data)) return { ok: false, problem: 'body is not a JSON list of records', head };
  const distinct = distinctField === undefined ? [] : [...new Set(data.map((r) => (r as Record<string, unknown> | null)?.[distinctField]))];
  return {
    ok: true,
    value: { records: data.length, bytes: bytes.byteLength, contentHash: contentHash(bytes), check: checkRecords(data, task.type), gzipped: gzipSync(bytes, GZIP), distinct },
  };
}

/** A part from a body prepared by a worker. */
export function preparedPart(response: { request: RawPart['request']; fetchedAt: string; prepared: PreparedBody }): RawPart {
  const { prepared } = response;
  return { request: response.request, fetchedAt: response.fetchedAt, ...prepared, gzipped: () => Promise.resolve(prepared.gzipped) };
}

/** A part from a body the client parsed already (the small endpoints, whose values the assets read). */
export function parsedPart(response: StoredResponse<readonly unknown[]>, type: FieldType): RawPart {
  return {
    request: response.request, fetchedAt: response.fetchedAt, records: response.data.length, bytes: Buffer.byteLength(response.raw),
    contentHash: contentHash(response.raw), check: checkRecords(response.data, type), gzipped: () => gzipAsync(response.raw, GZIP),
  };
}
