/** Binds the simulator to a loopback port: for `cbbd sim` and for the in-process source when no API key is set. */
import { serve, type ServerType } from '@hono/node-server';
import { createSimApp, type RequestTimes, type SimOptions, type SimStats } from './app.ts';
import type { SimQuota } from './quota.ts';
import type { SimWorld } from './world.ts';

export interface RunningSim {
  readonly url: string;
  readonly world: SimWorld;
  readonly stats: SimStats;
  readonly requestTimes: RequestTimes;
  /** The monthly call quota: `quota.setMonthlyCalls(n)` changes it, `quota.usage()` reads it. */
  readonly quota: SimQuota;
  close(): Promise<void>;
}

export function startSimulator(options: SimOptions, port = 0, hostname = '127.0.0.1'): Promise<RunningSim> {
  const { app, world, stats, requestTimes, quota } = createSimApp(options);
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
          close: () => new Promise((done) => server.close(() => done())),
        });
      });
      server.once('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
