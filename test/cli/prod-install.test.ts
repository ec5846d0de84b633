/**
 * What the container image does, without building an image: a production-only install (`npm ci --omit=dev`, no
 * lifecycle script of ours: dist/ comes from the build), the files the Dockerfile copies (bin, dist, ui, package
 * files) and a config of its shape (the assets module named as a source that is not shipped), then the compiled
 * `cbbd`. A runtime import of a dev dependency, a file the image does not copy, or a path that only resolves in a
 * checkout fails here.
 *
 * The installed tree is kept in the temporary folder under a key of package-lock.json, Node and the platform, since
 * the same lock file installs the same tree: the first run pays the install (better-sqlite3 compiles from source
 * on a platform its package ships no binary for), later runs reuse it.
 * CBBD_PROD_INSTALL_FRESH=1 installs again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.ts';
import { containerConfig } from '../../scripts/container-config.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr.slice(-3000)}`);
  return result;
}

/** node_modules of `npm ci --omit=dev` for this lock file, installed once per lock file, Node and platform. */
function productionModules(): string {
  const lock = readFileSync(join(ROOT, 'package-lock.json'));
  const key = createHash('sha256').update(lock).update(process.version).update(`${process.platform}-${process.arch}`).digest('hex').slice(0, 16);
  // Named node_modules: a package finds its own dependencies as siblings in the folder of that name.
  const cache = join(tmpdir(), 'cbbd-prod-install', key, 'node_modules');
  if (process.env.CBBD_PROD_INSTALL_FRESH === '1') rmSync(cache, { recursive: true, force: true });
  if (existsSync(cache)) return cache;
  const staging = mkdtempSync(join(tmpdir(), 'cbbd-prod-install-'));
  try {
    cpSync(join(ROOT, 'package.json'), join(staging, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(staging, 'package-lock.json'));
    // As in the Dockerfile: "prepare" builds from the sources, which a production install does not have.
    run(NPM, ['pkg', 'delete', 'scripts.prepare'], staging);
    const started = Date.now();
    run(NPM, ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], staging);
    console.log(`production install: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    mkdirSync(join(cache, '..'), { recursive: true });
    renameSync(join(staging, 'node_modules'), cache);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return cache;
}

describe('a production install, as in the container image', () => {
  let app: string;
  let data: string;
  let env: NodeJS.ProcessEnv;
  const cbbd = (...args: string[]) => spawnSync(process.execPath, [join(app, 'bin/cbbd.js'), ...args], { cwd: data, env, encoding: 'utf8' });

  beforeAll(async () => {
    await build();
    const modules = productionModules();
    app = mkdtempSync(join(tmpdir(), 'cbbd-app-'));
    data = join(app, 'data');
    // What the Dockerfile's runtime stage copies, and nothing else (no src/, no assets/ sources, no scripts/).
    for (const entry of ['bin', 'dist', 'ui', 'package.json', 'package-lock.json']) cpSync(join(ROOT, entry), join(app, entry), { recursive: true });
    symlinkSync(modules, join(app, 'node_modules'));
    mkdirSync(data);
    // The image's config, made the same way: the project's, paths absolute, the assets module named as its
    // (unshipped) source.
    writeFileSync(join(app, 'config.yaml'), containerConfig(readFileSync(join(ROOT, 'config.yaml'), 'utf8'), { app, data }));
    env = { ...process.env, CBBD_CONFIG: join(app, 'config.yaml'), NODE_ENV: 'production' };
    for (const name of ['CBBD_API_KEY', 'BEARER_TOKEN', 'CBBD_API_BASE_URL', 'NODE_OPTIONS']) delete env[name];
  }, 40 * 60_000);

  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('has no dev dependency and no sources to fall back on', () => {
    const installed = readdirSync(join(app, 'node_modules'));
    for (const dev of ['typescript', 'vitest', 'eslint', 'es-module-lexer', 'fast-check', 'playwright-core']) expect(installed).not.toContain(dev);
    expect(existsSync(join(app, 'src'))).toBe(false);
  });

  it('runs the compiled cbbd --help', () => {
    const help = cbbd('--help');
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: cbbd[\s\S]*materialize[\s\S]*status/);
  });

  it('materializes from the built-in simulator: raw and bronze teams (DuckDB), a day of plays (the body worker threads)', () => {
    const teams = cbbd('materialize', '+bronze/teams', '--season', '2024');
    expect(teams.stderr).not.toMatch(/unexpected error|Cannot find (package|module)/);
    expect(teams.status).toBe(0);
    const plays = cbbd('materialize', '+raw/plays', '--date', '2023-12-02');
    expect(plays.stderr).not.toMatch(/unexpected error|Cannot find (package|module)/);
    expect(plays.status).toBe(0);

    const parquet = readdirSync(join(data, 'lakehouse/bronze/teams'), { recursive: true }).map(String).filter((f) => f.endsWith('.parquet'));
    expect(parquet.length).toBeGreaterThan(0);
    expect(existsSync(join(data, 'lakehouse/raw/plays/season=2024/date=2023-12-02/part-0.json.gz'))).toBe(true);
    const query = cbbd('query', 'select count(*) as n from bronze.teams', '--format', 'json');
    expect(query.status).toBe(0);
    expect(Number((JSON.parse(query.stdout) as { n: string }[])[0]!.n)).toBeGreaterThan(0);
  }, 5 * 60_000);
});
