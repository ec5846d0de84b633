/**
 * Dead letters in the lakehouse: one JSON object per failed request under `deadletter/<endpoint>/<hash>.json`,
 * named by the request, so the same failure seen again replaces its letter instead of piling up.
 */
import { createHash } from 'node:crypto';
import type { DeadLetter, DeadLetterResolver, DeadLetterSink } from './dead-letters.ts';
import { redactDeep } from '../core/redact.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';

export const DEAD_LETTER_PREFIX = 'deadletter';

export interface StoredDeadLetter {
  readonly key: string;
  readonly letter: DeadLetter;
}

export class DeadLetterStore {
  /** The letters in storage, listed once on the first successful request, then kept up to date here. */
  private known: Promise<Set<string>> | undefined;

  constructor(private readonly storage: ObjectStorage) {}

  static keyOf(letter: Pick<DeadLetter, 'path' | 'params'>): string {
    const endpoint = letter.path.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '_') || 'root';
    const params = Object.entries(letter.params).sort(([a], [b]) => a.localeCompare(b));
    const hash = createHash('sha256').update(letter.path).update(JSON.stringify(params)).digest('hex').slice(0, 16);
    return `${DEAD_LETTER_PREFIX}/${endpoint}/${hash}.json`;
  }

  readonly sink: DeadLetterSink = async (letter) => {
    const key = DeadLetterStore.keyOf(letter);
    await this.storage.put(key, JSON.stringify(redactDeep(letter), null, 2));
    (await this.known)?.add(key);
  };

  /**
   * A request succeeded: its letter from an earlier failure, if any, no longer says anything true. Bookkeeping only:
   * if storage fails here the letter stays (for `cbbd deadletter replay`); the fetch that succeeded never fails.
   */
  readonly resolved: DeadLetterResolver = async (request) => {
    try {
      this.known ??= this.storage.list(DEAD_LETTER_PREFIX).then((keys) => new Set(keys));
      const known = await this.known;
      const key = DeadLetterStore.keyOf(request);
      if (!known.has(key)) return;
      known.delete(key);
      await this.storage.delete(key);
    } catch {
      this.known = undefined; // listed again on the next success; the letter stays until then or until replay
    }
  };

  async list(): Promise<StoredDeadLetter[]> {
    const keys = (await this.storage.list(DEAD_LETTER_PREFIX)).filter((k) => k.endsWith('.json'));
    const out: StoredDeadLetter[] = [];
    for (const key of keys) {
      const body = await this.storage.get(key);
      if (body) out.push({ key, letter: JSON.parse(Buffer.from(body).toString('utf8')) as DeadLetter });
    }
    return out;
  }

  async remove(key: string): Promise<void> {
    (await this.known)?.delete(key);
    await this.storage.delete(key);
  }
}
