/**
 * Dead letters: a request that failed after every retry (a body that is not JSON, an empty body, 5xx, 429, timeouts)
 * never leaves anything in the data. It is kept, with its request (never the key), the reason and the start of the body, so a
 * person can see what the API said and `cbbd deadletter replay` can ask again. Which asset partitions the request
 * was for comes from the fetch scope, set around each compute by the CLI.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface DeadLetter {
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly attempts: number;
  readonly at: string;
  /** The first few kilobytes of the last unusable body received ('' when the failures had no body to keep). */
  readonly body: string;
  /** The asset and partitions being computed when the request failed. */
  readonly asset?: string;
  readonly partitions?: readonly string[];
}

export type DeadLetterSink = (letter: DeadLetter) => Promise<void>;

/** Told of every request that succeeded, so a letter kept for an earlier failure of the same request goes away. */
export type DeadLetterResolver = (request: Pick<DeadLetter, 'path' | 'params'>) => Promise<void>;

export interface FetchScope {
  readonly asset: string;
  readonly partitions: readonly string[];
}

/** What is being computed while a request is made; read when a dead letter is written. */
export const fetchScope = new AsyncLocalStorage<FetchScope>();

export const DEAD_LETTER_BODY_CHARS = 4_096;
