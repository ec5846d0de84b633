/** Binds the simulator to a port (loopback by default): for `cbbd sim` and for the in-process source when no API key is set. */
import { serve, type ServerType } from '@hono/node-server';
import { createSimApp, type RequestTimes, type SimOptions, type SimStats } from './app.ts';
import type { SimQuota } from './quota.ts';
import type { SimWorld } from './world.ts';
import { allowedHostsFor } from '../core/request-guards.ts';

export interface RunningSim {
  readonly url: string;
  readonly world: SimWorld;
  readonly stats: SimStats;
  readonly requestTimes: RequestTimes;
  /** The monthly call quota: `quota.setMonthlyCalls(n)` changes it, `quota.usage()` reads it. */
  readonly quota: SimQuota;
  /** What `PUT /_sim/quota` must carry as `Authorization: Bearer <token>`. */
  readonly adminToken: string;
  close(): Promise<void>;
}

export function startSimulator(options: SimOptions, port = 0, hostname = '127.0.0.1'): Promise<RunningSim> {
  // Answers to the names of the address it is bound to, and to no other (`core/request-guards.ts`).
  const { app, world, stats, requestTimes, quota, adminToken } = createSimApp({ allowedHosts: allowedHostsFor(hostname), ...options });
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, port, hostname }, (info) => {
        resolve({
          url: `http://${hostname}:${info.port}`,
          world,
          stats,
          requestTimes,
          quota,
          adminToken,
          close: () => new Promise((done) => server.close(() => done())),
        });
      });
      server.once('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
