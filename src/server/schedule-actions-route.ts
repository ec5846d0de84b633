/**
 * `POST /api/schedules/:name/run`: tick a schedule now (when this server runs the schedules).
 * `POST /api/schedules/:name/enabled` `{"enabled": false}`: turn a schedule off (or on) from the page. The switch is
 * persisted in the run log, so `cbbd schedule`, `cbbd schedule --list` and every `cbbd serve` of the run log agree
 * (see `store/run-controls.ts`). Behind the app's guard (host, origin, token), as every state change.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';

export interface ScheduleActionsDeps {
  /** False when there is no such schedule in config.yaml. */
  readonly switchSchedule: (name: string, enabled: boolean, by: string) => boolean;
  /** Tick a schedule now, if this server runs the schedules; refused with why otherwise. */
  readonly runNow?: (name: string, why: string) => { readonly started: true } | { readonly refused: string };
}

const switchBody = z.object({ enabled: z.boolean() }).strict();

export function scheduleActionsRoutes(deps: ScheduleActionsDeps): Hono {
  const app = new Hono();
  app.post('/api/schedules/:name/enabled', bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: 'The request body is larger than 1 KB.' }, 413) }), async (c) => {
    const name = c.req.param('name');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) return c.json({ error: `"${name}" is not a schedule name.` }, 400);
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) return c.json({ error: 'Send {"enabled": true|false} as Content-Type: application/json.' }, 415);
    let parsed;
    try {
      parsed = switchBody.safeParse(JSON.parse(await c.req.text()));
    } catch {
      return c.json({ error: 'The request body is not JSON; send {"enabled": true} or {"enabled": false}.' }, 400);
    }
    if (!parsed.success) return c.json({ error: 'Send {"enabled": true} or {"enabled": false}.' }, 400);
    if (!deps.switchSchedule(name, parsed.data.enabled, 'the page')) return c.json({ error: `No schedule "${name}" in config.yaml (schedules:).` }, 404);
    return c.json({ schedule: name, enabled: parsed.data.enabled });
  });
  // "Run now": no body. A tick planned now, recorded with its outcome in the tick history.
  app.post('/api/schedules/:name/run', bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: 'The request body is larger than 1 KB.' }, 413) }), (c) => {
    const name = c.req.param('name');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) return c.json({ error: `"${name}" is not a schedule name.` }, 400);
    if (!deps.runNow) return c.json({ error: 'This server cannot run schedules.' }, 405);
    const answer = deps.runNow(name, 'run now from the page');
    if ('refused' in answer) return c.json({ error: answer.refused }, /^No schedule/.test(answer.refused) ? 404 : 409);
    return c.json({ schedule: name, started: true }, 202);
  });
  return app;
}
