/**
 * The AWS emulator for a benchmark: the tests' moto server (test/moto-setup.ts: the project's `.venv-moto`, a free
 * loopback port), stopped by its own pid. Undefined, with the reason, when it is missing.
 */
import { existsSync } from 'node:fs';
import { SERVER, startMotoServer } from '../test/moto-setup.ts';

export interface Moto {
  readonly url: string;
  stop(): void;
}

export async function startMoto(): Promise<Moto | string> {
  if (!existsSync(SERVER)) return `${SERVER} is missing: run the tests once (npx vitest run test/lake) to create .venv-moto, which needs Python 3`;
  try {
    const { url, child } = await startMotoServer();
    return { url, stop: () => child.kill() };
  } catch (error) {
    return (error as Error).message;
  }
}
