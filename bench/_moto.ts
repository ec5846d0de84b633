/**
 * The AWS emulator for a benchmark: moto's server from the project's `.venv-moto` (the tests create it; see
 * test/moto-setup.ts) on a free loopback port, stopped by its own pid. Undefined, with the reason, when it is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface Moto {
  readonly url: string;
  stop(): void;
}

export async function startMoto(): Promise<Moto | string> {
  const server = resolve('.venv-moto', 'bin', 'moto_server');
  if (!existsSync(server)) return `${server} is missing: run the tests once (npx vitest run test/lake) to create .venv-moto, which needs Python 3`;
  const port = await new Promise<number>((ok, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => ok(p));
    }).on('error', fail);
  });
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(server, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid);
  };
  for (let waited = 0; waited < 60_000; waited += 200) {
    if (child.exitCode !== null) return `moto_server exited with code ${child.exitCode}`;
    if ((await fetch(`${url}/moto-api/`).catch(() => undefined))?.ok) return { url, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  return 'moto_server did not answer within 60 s';
}
