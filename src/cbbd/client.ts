/**
 * The polite CBBD client: the official `cbbd` package's endpoint functions, given our fetch, which adds a rate limit
 * (requests per second and at most N in flight, async-sema), timeouts, retries with exponential backoff and full
 * jitter on 429/5xx/network errors/timeouts/unparseable bodies (honouring Retry-After), fail-fast on 401/403, and
 * per-endpoint call accounting. The raw body of each response is kept, so the raw layer stores exactly what the
 * API returned.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createClient, type Client } from '@hey-api/client-fetch';
import { RateLimit, Sema } from 'async-sema';
import { SourceError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { CallAccounting } from './call-accounting.ts';
import { callLimitRemaining, isQuotaExhausted, QuotaExhaustedError, QuotaWatch, type SourceCallSink } from './call-quota.ts';
import { DEAD_LETTER_BODY_CHARS, fetchScope, type DeadLetterResolver, type DeadLetterSink } from './dead-letters.ts';

export interface CbbdClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly requestsPerSecond: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly log?: Logger;
  /** Where a response that stayed unusable after every retry is kept (never written as data). */
  readonly deadLetters?: DeadLetterSink;
  /** Told of each request that succeeded (its earlier dead letter, if any, is then obsolete). */
  readonly deadLetterResolved?: DeadLetterResolver;
  /** Told of every call made (each attempt counts against the month's quota): the run log's ledger. */
  readonly calls?: SourceCallSink;
}

/** What one call returned: the parsed body and the exact text, with the request (never the key). */
export interface SourceResponse<T> {
  readonly data: T;
  readonly raw: string;
  readonly request: { readonly path: string; readonly params: Readonly<Record<string, string>> };
  readonly fetchedAt: string;
}

/** What `callPrepared` returns: the request and what the preparation made of the body, not the body itself. */
export interface PreparedResponse<P> {
  readonly prepared: P;
  readonly request: SourceResponse<unknown>['request'];
  readonly fetchedAt: string;
}

/**
 * Turns the bytes of a 200 response into what the caller keeps, or says why the body is unusable (then it is
 * retried like a truncated body, and kept as a dead letter if it stays unusable). The bytes are the caller's to move.
 */
export type BodyPreparation<P> = (bytes: ArrayBuffer) => Promise<{ readonly ok: true; readonly value: P } | { readonly ok: false; readonly problem: string; readonly head: string }>;

type CbbdCall<T> = (options: { client: Client; throwOnError: false }) => Promise<{ data?: T; error?: unknown; response: Response }>;

export class CbbdClient {
  readonly client: Client;
  readonly calls = new CallAccounting();
  /** The month's quota as the API reports it on each answer. */
  readonly quota = new QuotaWatch();
  private readonly options: Required<Omit<CbbdClientOptions, 'log' | 'deadLetters' | 'deadLetterResolved' | 'calls'>>;
  private readonly ledger: SourceCallSink | undefined;
  private readonly deadLetters: DeadLetterSink | undefined;
  private readonly deadLetterResolved: DeadLetterResolver | undefined;
  private readonly log: Logger;
  private readonly rateLimit: () => Promise<void>;
  private readonly inFlight: Sema;
  /** The exact text and the parsed value of each good response, keyed by the Response handed to the package. */
  private readonly bodies = new WeakMap<Response, { text: string; parsed: unknown } | { prepared: unknown }>();
  /** The preparation of the call in progress, for the fetch the package makes on its behalf. */
  private readonly preparation = new AsyncLocalStorage<BodyPreparation<unknown>>();

  constructor(options: CbbdClientOptions) {
    this.options = { minBackoffMs: 250, maxBackoffMs: 15_000, ...options };
    this.log = options.log ?? silentLogger();
    this.deadLetters = options.deadLetters;
    this.deadLetterResolved = options.deadLetterResolved;
    this.ledger = options.calls;
    this.rateLimit = RateLimit(options.requestsPerSecond, { uniformDistribution: true });
    this.inFlight = new Sema(options.maxInFlight);
    this.client = createClient({ baseUrl: options.baseUrl, auth: () => options.apiKey, fetch: (request) => this.fetch(request) });
  }

  /** Call one endpoint function of the `cbbd` package, e.g. `client.call(getGames, { query: { season: 2024 } })`. */
  async call<T, O extends object>(fn: (options: O & { client: Client; throwOnError: false }) => ReturnType<CbbdCall<T>>, options: O): Promise<SourceResponse<T>> {
    const fetchedAt = new Date().toISOString();
    const result = await fn({ ...options, client: this.client, throwOnError: false });
    const request = this.requestOf(result.response);
    if (!result.response.ok) {
      // Our fetch already threw for every failing status; this is a status the package treats as an error anyway.
      throw new SourceError(`GET ${request.path} answered HTTP ${result.response.status}.`);
    }
    const body = this.bodies.get(result.response);
    if (body && 'prepared' in body) throw new Error('a prepared body reached call()');
    return { data: (body ? body.parsed : result.data) as T, raw: body?.text ?? JSON.stringify(result.data), request, fetchedAt };
  }

  /**
   * Call one endpoint function and hand the bytes of its body to `prepare` instead of parsing them here: for bulk
   * bodies the caller does not need as values on this thread (a day of plays, prepared in a worker).
   */
  async callPrepared<P, O extends object>(
    fn: (options: O & { client: Client; throwOnError: false }) => ReturnType<CbbdCall<unknown>>,
    options: O,
    prepare: BodyPreparation<P>,
  ): Promise<PreparedResponse<P>> {
    const fetchedAt = new Date().toISOString();
    const result = await this.preparation.run(prepare as BodyPreparation<unknown>, () => fn({ ...options, client: this.client, throwOnError: false }));
    const request = this.requestOf(result.response);
    const body = this.bodies.get(result.response);
    if (!result.response.ok || !body || !('prepared' in body)) throw new SourceError(`GET ${request.path} answered HTTP ${result.response.status}.`);
    return { prepared: body.prepared as P, request, fetchedAt };
  }

  /** The request a response answered: path and parameters (the key travels in a header, never here). */
  private requestOf(response: Response): SourceResponse<unknown>['request'] {
    const url = new URL(response.url || this.options.baseUrl);
    return { path: url.pathname, params: Object.fromEntries(url.searchParams) };
  }

  /** The fetch given to the `cbbd` package. Throws SourceError when the request cannot succeed. */
  private async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const endpoint = CallAccounting.endpointOf(url.pathname);
    const asset = fetchScope.getStore()?.asset;
    const what = `GET ${url.pathname}${url.search}`;
    const attempts = this.options.retries + 1;
    let lastProblem = '';
    let lastBody: string | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.rateLimit();
      await this.inFlight.acquire();
      const started = performance.now();
      const answered: { status?: number } = {};
      let outcome: Problem | Response;
      try {
        outcome = await this.attempt(request, what, answered);
      } catch (error) {
        if (error instanceof SourceError) {
          this.calls.recordAttempt(endpoint, attempt, performance.now() - started, 0, asset);
          this.calls.recordFailure(endpoint);
          throw error;
        }
        // No answer came (a timeout, a refused connection): the ledger still counts the call, once.
        if (!answered.status) this.record(endpoint, asset, null, undefined);
        const timedOut = (error as Error).name === 'TimeoutError';
        outcome = { problem: timedOut ? `timed out after ${this.options.timeoutMs} ms` : `network error: ${(error as Error).message}` };
      } finally {
        this.inFlight.release();
      }
      const ms = performance.now() - started;
      if (outcome instanceof Response) {
        this.calls.recordAttempt(endpoint, attempt, ms, Number(outcome.headers.get('content-length') ?? 0), asset);
        await this.deadLetterResolved?.({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
        return outcome;
      }
      this.calls.recordAttempt(endpoint, attempt, ms, 0, asset);
      lastProblem = outcome.problem;
      lastBody = outcome.body;
      if (attempt === attempts) break;
      const backoff = Math.random() * Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** (attempt - 1));
      const delay = outcome.retryAfterMs ?? backoff;
      this.log.warn({ endpoint, attempt, delayMs: Math.round(delay) }, `${what}: ${outcome.problem}; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
    this.calls.recordFailure(endpoint);
    let kept = '';
    if (this.deadLetters) {
      // What the API answered (an unusable body, or only errors) is kept as a dead letter, never as data, so the
      // request can be replayed once the API behaves. A 4xx is our request's fault and is not kept.
      await this.deadLetters({
        path: url.pathname, params: Object.fromEntries(url.searchParams), reason: lastProblem, attempts, at: new Date().toISOString(),
        body: (lastBody ?? '').slice(0, DEAD_LETTER_BODY_CHARS), ...fetchScope.getStore(),
      });
      kept = ' The response was kept in deadletter/; `cbbd deadletter replay` asks again.';
    }
    throw new SourceError(`${what} failed after ${attempts} attempt(s): ${lastProblem}.${kept}`, { retryable: true });
  }

  /** One HTTP attempt: a good Response, a retryable problem, or a thrown SourceError for what retrying cannot fix. */
  private async attempt(request: Request, what: string, answered: { status?: number }): Promise<Response | Problem> {
    const response = await fetch(request.clone(), { signal: AbortSignal.timeout(this.options.timeoutMs) });
    answered.status = response.status;
    this.record(CallAccounting.endpointOf(new URL(request.url).pathname), fetchScope.getStore()?.asset, response.status, callLimitRemaining(response.headers));
    const prepare = this.preparation.getStore();
    if (prepare && response.status === 200) {
      const bytes = await response.arrayBuffer();
      const length = bytes.byteLength;
      const outcome = await prepare(bytes);
      if (!outcome.ok) return { problem: outcome.problem, body: outcome.head };
      return this.standIn(request, response.status, length, { prepared: outcome.value });
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new SourceError(`CBBD_API_KEY is missing or invalid (HTTP ${response.status} from ${what}). Set a valid key, or unset it to use the built-in simulator.`);
    }
    if (response.status === 429 && isQuotaExhausted(text, response.headers)) {
      this.quota.markExhausted();
      throw new QuotaExhaustedError(what, text);
    }
    if (response.status === 429) return { retryAfterMs: retryAfterMs(response.headers.get('retry-after')), problem: 'HTTP 429 Too Many Requests' };
    if (response.status >= 500) return { problem: `HTTP ${response.status}` };
    if (!response.ok) throw new SourceError(`${what} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    if (text.trim() === '') return { problem: 'empty body', body: text };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { problem: `body is not valid JSON (${text.length} bytes)`, body: text };
    }
    return this.standIn(request, response.status, Buffer.byteLength(text), { text, parsed });
  }

  /** One call, for the quota watch and the ledger; the ledger's trouble never fails a fetch. */
  private record(endpoint: string, asset: string | undefined, status: number | null, remaining: number | undefined): void {
    this.quota.observe(remaining);
    try {
      this.ledger?.({ endpoint, asset: asset ?? null, status, remaining: remaining ?? null });
    } catch (error) {
      this.log.warn({ err: error, endpoint }, 'could not record the call in the ledger');
    }
  }

  /**
   * The body is parsed (or prepared) once, in `attempt`: a day of plays is tens of megabytes. The package gets a
   * stand-in body to parse (`call` returns the value kept here), with the real length for the call accounting.
   */
  private standIn(request: Request, status: number, length: number, kept: { text: string; parsed: unknown } | { prepared: unknown }): Response {
    const body = new Response('null', { status, headers: { 'content-type': 'application/json', 'content-length': String(length) } });
    Object.defineProperty(body, 'url', { value: request.url });
    this.bodies.set(body, kept);
    return body;
  }
}

/** Why an attempt can be retried; `body` when the API answered 200 with something unusable. */
interface Problem {
  readonly problem: string;
  readonly retryAfterMs?: number;
  readonly body?: string;
}

/** Retry-After in seconds or as an HTTP date, capped at a minute. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(0, ms)) : undefined;
}
