#!/usr/bin/env node
// Writes V8's code cache of the bundled CLI (bin/code-cache.js) by running the commands whose start-up matters most
// (`--help`, `status`, `plan`) on an empty lakehouse in a temporary folder. The container image runs it while
// building: there, its runtime user cannot write into the app's folder, so a cache not written then never is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFileOf } from './code-cache.js';

const root = new URL('../', import.meta.url);
const COMMANDS = [['--help'], ['status'], ['plan', '--season', '2024']];
/** The cache files bin/code-cache.js writes for those commands, run with this environment's NODE_OPTIONS. */
const bundle = fileURLToPath(new URL('dist/cbbd.cjs', root));
const caches = ['help', 'status', 'plan'].map((name) => cacheFileOf(bundle, name, (process.env.NODE_OPTIONS ?? '').trim()));
const dir = mkdtempSync(join(tmpdir(), 'cbbd-warm-'));
try {
  writeFileSync(join(dir, 'config.yaml'), [
    `assets: ${JSON.stringify(fileURLToPath(new URL('assets/index.ts', root)))}`,
    `lakehouse: { root: ${JSON.stringify(join(dir, 'lakehouse'))} }`,
    `runLog: { path: ${JSON.stringify(join(dir, 'runlog.sqlite'))} }`,
    `checkpoints: { path: ${JSON.stringify(join(dir, 'checkpoints.sqlite'))} }`,
  ].join('\n'));
  // NODE_OPTIONS stays: a cache is kept per set of Node flags (bin/code-cache.js), so warm with the runtime's.
  const env = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
  for (const name of ['CBBD_API_KEY', 'BEARER_TOKEN', 'CBBD_API_BASE_URL']) delete env[name];
  for (const command of COMMANDS) {
    const result = spawnSync(process.execPath, [fileURLToPath(new URL('bin/cbbd.js', root)), ...command], { cwd: dir, env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`cbbd ${command.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const missing = caches.filter((cache) => !existsSync(cache));
if (missing.length) {
  process.stderr.write(`warm-code-cache: ${missing.join(', ')} not written (is dist/ writable?)\n`);
  process.exit(1);
}
process.stdout.write(`warm-code-cache: ${caches.join(', ')} written\n`);
