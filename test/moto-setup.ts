/**
 * Vitest global setup: the AWS emulator. Starts moto's server mode on a free loopback port from the project-local
 * venv `.venv-moto` (creating it from the pinned test/python/requirements.txt when Python is there and it is not), and provides
 * its URL to the tests as `inject('moto')`. Without Python the AWS tests skip with a message naming what is missing;
 * with CBBD_REQUIRE_MOTO=1 (set by .ci/run) a missing emulator fails the run instead.
 * The same venv has pyarrow (pinned in the same file), for the test that reads every table as a data scientist
 * would; its python is provided as `inject('pyarrow')`, or `unavailable: <why>`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The moto server's URL, or `unavailable: <why>`. */
    moto: string;
    /** The venv's python, which imports pyarrow, or `unavailable: <why>`. */
    pyarrow: string;
  }
}

const VENV = resolve('.venv-moto');
export const SERVER = resolve(VENV, 'bin', 'moto_server');

/** The pinned test dependencies (versions and hashes): moto, boto3/botocore, pyarrow. .ci/run installs the same. */
const PINS = resolve('test/python/requirements.txt');

/** `pip install` of the pinned set into the venv, made first if needed; undefined when it worked, else why not. */
function installPins(): string | undefined {
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.status !== 0) return 'python3 is not installed, so the moto AWS emulator cannot run';
  if (!existsSync(resolve(VENV, 'bin', 'pip'))) {
    const venv = spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    if (venv.status !== 0) return 'python3 -m venv failed (is the venv module installed?)';
  }
  console.log(`[moto] pip install --require-hashes -r ${PINS} into .venv-moto (once)`);
  const pip = spawnSync(resolve(VENV, 'bin', 'pip'), ['install', '-q', '--require-hashes', '--no-deps', '-r', PINS], { stdio: 'inherit' });
  return pip.status === 0 ? undefined : `pip install -r ${PINS} failed`;
}

function ensureMoto(): string | undefined {
  if (existsSync(SERVER)) return undefined;
  return installPins() ?? (existsSync(SERVER) ? undefined : 'moto_server is missing from .venv-moto after the install');
}

const PYTHON = resolve(VENV, 'bin', 'python');

/** The venv's python once it imports pyarrow (installed into the venv when missing), or why it cannot. */
function ensurePyarrow(): string {
  if (!existsSync(PYTHON)) return 'unavailable: python3 is not installed (or .venv-moto could not be created), so pyarrow cannot run';
  const imports = () => spawnSync(PYTHON, ['-c', 'import pyarrow'], { stdio: 'ignore' }).status === 0;
  if (imports()) return PYTHON;
  installPins();
  return imports() ? PYTHON : 'unavailable: pyarrow is missing from .venv-moto after installing test/python/requirements.txt';
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('moto_server did not answer within 60 s');
}

/** moto's server from the venv on a free loopback port, once it answers; stop it by killing `child` (its own pid). */
export async function startMotoServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    await waitUntilUp(url, server);
  } catch (error) {
    server.kill();
    throw error;
  }
  return { url, child: server };
}

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  const missing = ensureMoto();
  project.provide('pyarrow', ensurePyarrow());
  if (missing) {
    if (process.env.CBBD_REQUIRE_MOTO === '1') throw new Error(`The AWS emulator is required here (CBBD_REQUIRE_MOTO=1) but ${missing}.`);
    console.warn(`\n!!! AWS driver tests SKIPPED: ${missing}. Install Python 3 to run them.\n`);
    project.provide('moto', `unavailable: ${missing}`);
    return () => {};
  }
  const started = await startMotoServer();
  child = started.child;
  project.provide('moto', started.url);
  return () => {
    child?.kill();
  };
}
