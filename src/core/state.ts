/**
 * What the planner knows about the world: the latest state of every partition (from the run log), the settled
 * source partitions (from the checkpoints) and the season calendars. Loaded in a few bulk reads, then pure data.
 */
import { createHash } from 'node:crypto';
import type { PartitionIndex, PartitionMapping } from './mappings.ts';
import { upstreamPartitionsOf } from './mappings.ts';
import type { Calendars } from './partitions.ts';

export type PartitionStatus = 'succeeded' | 'failed' | 'running';

/** The latest known state of one partition of one asset. */
export interface PartitionRecord {
  readonly status: PartitionStatus;
  /** Of the last successful materialization; null when there was none. */
  readonly dataVersion: string | null;
  readonly codeVersion: string | null;
  /**
   * `hashInputs(encodeInputs(...))` of the input fingerprints at the last success: a number, so loading a hundred
   * thousand records creates no strings for it, and staleness is one comparison.
   */
  readonly inputsHash: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastAttemptAt: number;
  readonly error: string | null;
}

export type PartitionRecords = ReadonlyMap<string, PartitionRecord>;

export interface PlannerState {
  readonly now: Date;
  /** Records by asset key, then partition key. An asset never materialized has no entry. */
  readonly records: ReadonlyMap<string, PartitionRecords>;
  /** Source partitions whose checkpoint says the API will not change them again, by asset key. */
  readonly settled: ReadonlyMap<string, ReadonlySet<string>>;
  readonly calendars: Calendars;
  /** The encoded inputs a partition was built from, fetched only to explain which upstream changed. */
  readonly builtInputs?: (asset: string, partition: string) => string | null;
}

/**
 * A short string that changes exactly when the data a downstream partition reads from one dependency changes:
 * the upstream data version itself for a one-to-one mapping, a hash of all of them for a many-to-one mapping.
 * The materializer records it at build time and the planner compares it, so an identical re-fetch upstream leaves
 * the downstream fresh.
 */
export function inputFingerprint(
  mapping: PartitionMapping,
  partition: string,
  upstream: PartitionIndex,
  records: PartitionRecords | undefined,
): string {
  const keys = upstreamPartitionsOf(mapping, partition, upstream);
  if (keys.length === 1) return records?.get(keys[0]!)?.dataVersion ?? '';
  const hash = createHash('sha1');
  for (const key of keys) hash.update(`${key}=${records?.get(key)?.dataVersion ?? ''}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Encode each dependency's input fingerprint, in the graph's dependency order. The materializer stores this text
 * and the planner builds the same text from the current versions: one string comparison per partition, no parsing.
 */
const PLAIN = /^[\w./|:+=-]*$/;

export function encodeInputs(entries: readonly (readonly [string, string])[]): string {
  let text = '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, fingerprint] = entries[i]!;
    // Keys are validated asset keys; fingerprints are nearly always hex. Quote by hand when JSON needs no escaping.
    text += `${i ? ',' : ''}"${key}":${PLAIN.test(fingerprint) ? `"${fingerprint}"` : JSON.stringify(fingerprint)}`;
  }
  return `${text}}`;
}

export function decodeInputs(text: string | null): Record<string, string> {
  return text ? (JSON.parse(text) as Record<string, string>) : {};
}

/** A 53-bit hash (cyrb53) of encoded inputs: fast, and a collision between two builds' inputs is 1 in 2^53. */
export function hashInputs(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
