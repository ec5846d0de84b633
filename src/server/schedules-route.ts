/**
 * `GET /api/schedules`: each schedule of `config.yaml` with its cron, time zone, command, whether it is enabled, its
 * next tick and its recent ticks from the run log (what `cbbd schedule --list --json` prints), which process runs the
 * schedules, and what this server's own scheduler is doing. For the page's panel (`ui/schedules-panel.js`).
 * Read-only; the security guard in front of it is the app's (beyond loopback it needs the token, as every API read).
 */
import { Hono } from 'hono';

export interface SchedulesRouteDeps {
  /**
   * The schedules and their ticks, built by the caller from the configuration and the run log (the server imports
   * neither the schedule code nor the config): `{ scheduler, schedules: [...] }`, plus this server's own scheduler,
   * `thisServer: { state: "active" | "standby" | "off", ... }`.
   */
  readonly schedules: () => object;
}

export function schedulesRoutes(deps: SchedulesRouteDeps): Hono {
  return new Hono().get('/api/schedules', (c) => c.json(deps.schedules()));
}
