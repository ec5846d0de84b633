/**
 * The web app (Hono): the lineage page and its JSON API, built by a factory from the asset graph and a read-only
 * run-log reader; what it checks on every request (`security.ts`). Only `cbbd serve` binds a port.
 *
 * May import: src/core, src/store (the run log, read only).
 */
export { createServerApp, type ServerDeps, type StartRunRequest } from './app.ts';
export { allowedHostsFor, isLoopback } from './security.ts';
