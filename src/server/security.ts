/**
 * What the server checks on every request before any route runs, and the headers it puts on every answer.
 *
 * - Host: only the names the server is bound to (and `localhost` on loopback). A page on another site that rebinds
 *   its own name to 127.0.0.1 (DNS rebinding) sends its own name as Host and is refused before it reads or writes.
 * - Fetch metadata: an API request a browser sends for a page of another site (`Sec-Fetch-Site: cross-site` or
 *   `same-site`) is refused, reads included: an `<img>` anywhere could otherwise make the server plan or query.
 * - Origin: a state-changing request that carries an Origin must come from the page this server serves.
 * - Token: there is always one; every state-changing request must carry it, loopback included (anyone on the machine
 *   can reach 127.0.0.1); beyond loopback every API read must too.
 * - Headers: no framing (clickjacking), no referrer, no sniffing, no caching, a CSP on pages and API answers alike.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { fetchedFromElsewhere, hostNameOf } from '../core/request-guards.ts';

export { allowedHostsFor, hostNameOf, isBindableHost, isLoopback, LOOPBACK_HOSTS, unbracket } from '../core/request-guards.ts';

export interface SecurityOptions {
  /** Host names (without port) a request may be addressed to. */
  readonly allowedHosts: readonly string[];
  /** Required on every state-changing request (and, with readsNeedToken, every API read); at least 16 characters. */
  readonly token: string;
  /** Whether API reads need the token too (beyond loopback: the run log is nobody else's business). */
  readonly readsNeedToken?: boolean;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Host, origin and token checks, in that order, for every request. */
export function guardRequests(options: SecurityOptions): MiddlewareHandler {
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  return async (c, next) => {
    // The Host header; without one (HTTP/1.0, or a request built in a test) the URL's host, which the Node adapter
    // builds from the Host header or the bound address.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const name = hostNameOf(host);
    if (name === undefined || !allowed.has(name)) {
      return c.json({ error: `Refused: this server answers to ${[...allowed].join(', ')}, not to "${host}". Open the page by one of those names (set CBBD_UI_ALLOWED_HOSTS for a DNS name in front of it).` }, 403);
    }
    const api = c.req.path.startsWith('/api/');
    // Before any route runs: a page elsewhere may not make this server read, plan or start anything, even unseen.
    if (api && fetchedFromElsewhere(c.req.header('sec-fetch-site'))) {
      return c.json({ error: `Refused: the browser says this request comes from another site (Sec-Fetch-Site: ${c.req.header('sec-fetch-site')}); the API answers only this server's own page.` }, 403);
    }
    const writes = !READ_METHODS.has(c.req.method);
    if (writes) {
      const origin = c.req.header('origin');
      if (origin !== undefined) {
        let originHost: string | undefined;
        try {
          originHost = new URL(origin).host;
        } catch {
          originHost = undefined;
        }
        if (originHost !== host) {
          return c.json({ error: `Refused: a request from origin ${origin} cannot change state here; use the page served by this server.` }, 403);
        }
      }
    }
    if (writes || (api && options.readsNeedToken)) {
      const header = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? c.req.header('x-cbbd-token') ?? '';
      if (!sameToken(header, options.token)) {
        return c.json({ error: 'Refused: this server requires its UI token (CBBD_UI_TOKEN, or the one in the ui-token file beside the run log) in an Authorization: Bearer header; open the page by the address cbbd serve printed.' }, 401);
      }
    }
    return next();
  };
}

/** The page's own policy: its scripts, styles and images come from this server only. */
export const PAGE_CSP = "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/** Answers that are data, not pages: nothing in them may load or run anything, nor be framed. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers every answer carries, the page's CSP where a route set none. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', API_CSP);
};
