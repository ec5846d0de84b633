/**
 * Dead letters in the lakehouse: one JSON object per failed request under `deadletter/<endpoint>/<hash>.json`,
 * named by the request, so the same failure seen again replaces its letter instead of piling up.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { DeadLetter, DeadLetterResolver, DeadLetterSink } from './dead-letters.ts';
import { redactDeep } from '../core/redact.ts';
import type { ObjectStorage } from '../lake/storage/storage.ts';

export const DEAD_LETTER_PREFIX = 'deadletter';

export interface StoredDeadLetter {
  readonly key: string;
  readonly letter: DeadLetter;
}

/** What `list` found under deadletter/: the letters, and the files named like letters that are not one, with why. */
export interface DeadLetterListing {
  readonly letters: readonly StoredDeadLetter[];
  readonly skipped: readonly { readonly key: string; readonly problem: string }[];
}

/**
 * A letter's key, as `keyOf` names it: `deadletter/<endpoint>/<16 hex>.json`. Nothing else under deadletter/ is a
 * letter (bronze keeps the records it quarantined in `deadletter/quarantine/<table>/.../records.json`).
 */
const LETTER_KEY = /^deadletter\/[A-Za-z0-9_]+\/[0-9a-f]{16}\.json$/;

/** A letter as `sink` writes it; a file that does not parse as one is skipped, never acted on. */
const storedLetter = z.object({
  path: z.string().regex(/^\/[A-Za-z0-9/_.~%-]*$/, 'an API path such as /games'),
  params: z.record(z.string(), z.string()),
  reason: z.string(),
  attempts: z.number().int().min(0),
  at: z.string(),
  body: z.string(),
  asset: z.string().optional(),
  partitions: z.array(z.string()).optional(),
});

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

  /** The letters in storage, each checked; a file that is not a letter is skipped and said why. */
  async list(): Promise<DeadLetterListing> {
    const keys = (await this.storage.list(DEAD_LETTER_PREFIX)).filter((k) => LETTER_KEY.test(k));
    const letters: StoredDeadLetter[] = [];
    const skipped: { key: string; problem: string }[] = [];
    for (const key of keys) {
      const body = await this.storage.get(key);
      if (!body) continue; // removed meanwhile (a replay, a request that succeeded)
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(body).toString('utf8'));
      } catch {
        skipped.push({ key, problem: 'not JSON' });
        continue;
      }
      const parsed = storedLetter.safeParse(json);
      if (parsed.success) letters.push({ key, letter: parsed.data });
      else {
        const issue = parsed.error.issues[0]!;
        skipped.push({ key, problem: `not a dead letter (${issue.path.join('.') || 'the file'}: ${issue.message})` });
      }
    }
    return { letters, skipped };
  }

  async remove(key: string): Promise<void> {
    (await this.known)?.delete(key);
    await this.storage.delete(key);
  }
}
