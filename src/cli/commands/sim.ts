/** `cbbd sim`: serve the built-in CBBD simulator over HTTP, the same world the in-process source uses by default. */
import { startSimulator } from '../../sim/serve.ts';
import type { SimScale } from '../../sim/world.ts';
import { UsageError } from '../../core/errors.ts';
import { loadConfig } from '../../config/config.ts';
import { withThousands } from '../../core/thousands.ts';
import { registerSecret } from '../../core/redact.ts';
import { isBindableHost, unbracket } from '../../core/request-guards.ts';
import { MIN_TOKEN_LENGTH } from '../ui-token.ts';

export interface SimCommandOptions {
  port?: string;
  host?: string;
  scale?: string;
  seed?: string;
  config?: string;
  memoize?: boolean;
  quota?: string;
}

export async function simCommand(options: SimCommandOptions): Promise<number> {
  const config = loadConfig(options.config);
  const port = Number(options.port ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${options.port} is not a port number (0-65535).`);
  const scale = (options.scale ?? config.simulator.scale) as SimScale;
  if (scale !== 'demo' && scale !== 'full') throw new UsageError(`--scale ${options.scale} is not a scale: use demo or full.`);
  const seed = Number(options.seed ?? config.simulator.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed ${options.seed} is not a whole number.`);
  const monthlyCallQuota = Number(options.quota ?? config.simulator.monthlyCallQuota);
  if (!Number.isInteger(monthlyCallQuota) || monthlyCallQuota < 0) throw new UsageError(`--quota ${options.quota} is not a whole number of calls per month.`);
  const host = unbracket(options.host ?? '127.0.0.1');
  if (!isBindableHost(host)) throw new UsageError(`--host ${options.host} is not an IP address: use 127.0.0.1 (the default), ::1, or an address of this machine.`);
  const adminToken = process.env.CBBD_SIM_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(`CBBD_SIM_ADMIN_TOKEN is ${adminToken.length} character(s); use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 16), or unset it for a random one.`);
  }
  const sim = await startSimulator({
    ...config.simulator, seed, scale, monthlyCallQuota, memoize: options.memoize ?? false, ...(adminToken && { adminToken }),
  }, port, host);
  registerSecret(sim.adminToken);
  process.stdout.write(
    `CBBD simulator (${scale} scale, seed ${seed}) listening on ${sim.url}\n` +
      `Point cbbd at it with CBBD_API_BASE_URL=${sim.url}; any non-empty key is accepted, with ${withThousands(monthlyCallQuota)} calls a month. Ctrl-C stops it.\n` +
      // Shown once, here: PUT /_sim/quota changes the month's quota for every key, so it is this terminal's to do.
      (adminToken ? 'PUT /_sim/quota takes the admin token of CBBD_SIM_ADMIN_TOKEN.\n' : `PUT /_sim/quota takes this admin token: Authorization: Bearer ${sim.adminToken}\n`),
  );
  // No handler for SIGTERM or SIGINT: the simulator keeps nothing worth a graceful close, and building a full-scale
  // season for a request holds the event loop for seconds, so a handler would run only after it. The signal's default
  // action stops the process at once, whatever it is doing.
  return new Promise<number>(() => {});
}
