/**
 * What the page's browser tests share: Debian's headless Chromium (driven by playwright-core, flags that keep it off
 * the network), and `cbbd serve` on a free port with the page's address once it says it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BIN = resolve('bin/cbbd.js');
export const chromiumAvailable = existsSync(CHROMIUM);

/** Fails the run in CI, warns elsewhere, when Chromium is not installed. */
export function requireChromium(what: string): void {
  if (chromiumAvailable) return;
  if (process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs Debian's chromium package.`);
  console.warn(`\n*** SKIPPING ${what}: no Chromium at ${CHROMIUM} (apt-get install chromium) ***\n`);
}

/**
 * `cbbd serve` on a free port, once it says it listens: the page's address (`url`, without the token), the address it
 * printed (`address`: with `#token=` when it carried the UI token, which it does on a project's first start), and the
 * token it carried.
 */
export async function startServe(env: NodeJS.ProcessEnv): Promise<{ server: ChildProcess; url: string; address: string; token: string | undefined }> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-schedules'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const [url, token] = await new Promise<[string, string | undefined]>((ok, fail) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /Lineage page on (http:\/\/\S+\/)(?:#token=(\S+))? \(Ctrl-C/.exec(out);
      if (m) ok([m[1]!, m[2]]);
    });
    server.once('exit', (code) => fail(new Error(`cbbd serve exited ${code}`)));
  });
  return { server, url, address: token === undefined ? url : `${url}#token=${token}`, token };
}

/** Debian's headless Chromium, with the folder its screenshots go to made first. */
export async function launchChromium(screenshots: string): Promise<Browser> {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
