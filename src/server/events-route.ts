/**
 * `GET /api/events[?after=<event id>]`: live progress, every new run-log event as server-sent events, from `after`
 * (or from now). Each stream polls the run log, so their number is bounded: a client opening a thousand would
 * otherwise saturate a core; one more than `maxEventStreams` is refused with 429. Read-only.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { RunLogReader } from '../store/run-log.ts';

export interface EventsRouteDeps {
  readonly runLog: Pick<RunLogReader, 'lastEventId' | 'eventsAfter'>;
  /** Streams open at once (default 32). */
  readonly maxEventStreams?: number;
}

export function eventsRoutes(deps: EventsRouteDeps): Hono {
  const app = new Hono();
  const maxEventStreams = deps.maxEventStreams ?? 32;
  let eventStreams = 0;
  app.get('/api/events', (c) => {
    // Hono answers HEAD with this handler and drops the body unread: a stream opened for it would never be closed.
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream' });
    if (eventStreams >= maxEventStreams) {
      return c.json({ error: `Too many live-progress streams open (${maxEventStreams}); close a page or try again later.` }, 429, { 'Retry-After': '5' });
    }
    eventStreams++;
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      try {
        const after = Number(c.req.query('after') ?? NaN);
        let last = Number.isSafeInteger(after) ? after : deps.runLog.lastEventId();
        for (await stream.sleep(0); open; await stream.sleep(250)) {
          for (const e of await deps.runLog.eventsAfter(last)) {
            last = e.id;
            await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify({ runId: e.runId, at: e.at, ...e.payload }) });
          }
        }
      } catch {
        // The client went away mid-write, or the run log closed under a server shutting down: the stream just ends.
      } finally {
        eventStreams--;
      }
    });
  });
  return app;
}
