/**
 * The CBBD source: the endpoint catalog (and a call a user names, `endpoint-request.ts`), the polite client (rate
 * limit, retries with backoff, Retry-After, call accounting), cap-aware date windows, dead letters (kept in the
 * lakehouse's storage), and which source a run uses (the built-in simulator, src/sim, is handed in by the
 * composition root: this area never imports it).
 *
 * May import: src/core and src/lake (the storage interface, for dead letters). Never the simulator, the server, the
 * CLI or assets.
 */
export { CbbdClient, type SourceResponse } from './client.ts';
export { ENDPOINTS, type EndpointInfo } from './endpoints.ts';
export { findEndpoint, parseEndpointParams } from './endpoint-request.ts';
export { DEAD_LETTER_BODY_CHARS, fetchScope, type DeadLetter } from './dead-letters.ts';
export { DeadLetterStore } from './dead-letter-store.ts';
export { cbbdSource, type CbbdSource } from './source.ts';
