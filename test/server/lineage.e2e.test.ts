/**
 * The lineage page in real headless Chromium (Debian's package, driven by playwright-core) against `cbbd serve`
 * over a lakehouse built from the simulator. Screenshots go to test-artifacts/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BIN = resolve('bin/cbbd.js');
const ARTIFACTS = resolve('test-artifacts');
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs Debian's chromium package.`);
  console.warn(`\n*** SKIPPING the lineage page's browser test: no Chromium at ${CHROMIUM} (apt-get install chromium) ***\n`);
}

describe.skipIf(!available)('the lineage page in Chromium', () => {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    const dir = tempDir('cbbd-lineage-');
    const config = (seed: number) => writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${resolve('test/fixtures/project-plus.ts')}`,
      'seasons: { first: 2023, last: 2024 }',
      `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
      `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
      `simulator: { seed: ${seed}, scale: demo }`,
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;
    delete env.CBBD_API_BASE_URL;
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cbbd ${args.join(' ')}: ${r.stderr}`);
    };
    config(1);
    cli('materialize', '+silver/test_games_per_season', '--season', '2024');
    // The API "corrects" its games: a re-fetch from another world changes raw/games, so the silver asset is stale.
    config(2);
    cli('materialize', 'raw/games', '--season', '2024', '--force');
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((ok, fail) => {
      let out = '';
      server!.stdout!.on('data', (d) => {
        out += d;
        const m = /Lineage page on (http:\/\/\S+\/)/.exec(out);
        if (m) ok(m[1]!);
      });
      server!.once('exit', (code) => fail(new Error(`cbbd serve exited ${code}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('renders every asset, shows the stale one with its reason, opens its grid, and turns it fresh after "Materialize stale"', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?season=2024`);
    await page.waitForSelector('body[data-ready="true"]');
    // The season filter lists the configured window's seasons and keeps the one in the address.
    expect(await page.$$eval('#season option', (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['', '2024', '2023']);
    expect(await page.$eval('#season', (s) => (s as HTMLSelectElement).value)).toBe('2024');

    const keys = await page.$$eval('.node', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.key));
    const api = (await (await fetch(`${url}api/assets`)).json()) as { assets: { key: string; deps: string[] }[] };
    expect(api.assets.length).toBeGreaterThan(8);
    expect(keys.sort()).toEqual(api.assets.map((a) => a.key).sort());
    expect(keys).toContain('silver/test_games_per_season');
    const stale = page.locator('.node[data-key="silver/test_games_per_season"]');
    expect(await stale.getAttribute('data-state')).toBe('stale');
    expect(await stale.locator('.label').textContent()).toBe('stale');
    expect(await page.locator('.node[data-key="raw/games"]').getAttribute('data-state')).toBe('fresh');
    expect(await page.locator('#edges path').count()).toBe(api.assets.reduce((n, a) => n + a.deps.length, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'lineage-page.png'), fullPage: true });

    await stale.click();
    await page.waitForSelector('#panel .grid .cell');
    expect(await page.locator('#panel .cell[data-partition="2024"]').getAttribute('data-state')).toBe('stale');
    expect(await page.locator('#panel .reason').first().textContent()).toBe('2024 upstream changed (raw/games)');
    await page.locator('#panel').screenshot({ path: join(ARTIFACTS, 'lineage-asset-panel.png') });

    // Narrow the selection as a user would, then run what is stale in it. The page must update in place: a marker
    // on window survives only if there is no reload.
    await page.fill('#selection', '+silver/test_games_per_season');
    await page.click('#filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('.node').length === 2);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.click('#materialize');
    await page.waitForSelector('.node[data-key="silver/test_games_per_season"][data-state="fresh"]', { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.waitForSelector('#panel .cell[data-partition="2024"][data-state="fresh"]');
    expect(await page.locator('#message').textContent()).toMatch(/^Run r\S+ (started\.|succeeded: \d+ materialized)/);
    await page.screenshot({ path: join(ARTIFACTS, 'lineage-page-after-run.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
