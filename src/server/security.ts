/**
 * Protection of everything that changes state: a POST must come from the page's own origin (no cross-site request
 * can start a run), and when the server listens on anything but loopback it must carry the UI token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

export interface SecurityOptions {
  /** Required on every state-changing request when set (always set when bound beyond loopback). */
  readonly token?: string;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function protectWrites(options: SecurityOptions): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const origin = c.req.header('origin');
    const host = c.req.header('host');
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (!host || originHost !== host) {
        return c.json({ error: `Refused: a request from origin ${origin} cannot change state here; use the page served by this server.` }, 403);
      }
    }
    if (options.token !== undefined) {
      const header = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? c.req.header('x-cbbd-token') ?? '';
      if (!sameToken(header, options.token)) {
        return c.json({ error: 'Refused: this server requires the UI token (CBBD_UI_TOKEN) in an Authorization: Bearer header.' }, 401);
      }
    }
    return next();
  };
}
