/**
 * The lineage page in real headless Chromium (Debian's package, driven by playwright-core) against `cbbd serve`
 * over a lakehouse built from the simulator. Screenshots go to test-artifacts/.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { BIN, chromiumAvailable, launchChromium, requireChromium, startServe } from './_browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATING_DATES, TEAMS, writeGoldLakehouse } from '../fixtures/gold-preview.ts';
import { tempDir } from '../helpers.ts';

const ARTIFACTS = resolve('test-artifacts');
const available = chromiumAvailable;
requireChromium("the lineage page's browser test");



describe.skipIf(!available)('the lineage page in Chromium', () => {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url = '';
  let token: string | undefined;

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
    ({ server, url, token } = await startServe(env));
    browser = await launchChromium(ARTIFACTS);
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('renders every asset, shows the stale one with its reason, opens its grid, and turns it fresh after "Materialize stale"', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?season=2024#token=${token}`); // the UI token, as cbbd serve's address carries it
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
    await page.waitForSelector('#heatmap[data-loaded="true"] .hm');
    expect(await page.locator('#heatmap .hm[data-partition="2024"]').getAttribute('data-state')).toBe('stale');
    expect(await page.locator('#panel .reason').first().textContent()).toBe('2024 upstream changed (raw/games)');
    await page.locator('#panel').screenshot({ path: join(ARTIFACTS, 'lineage-asset-panel.png') });

    // Narrow the selection as a user would, then run what is stale in it. The page must update in place: a marker
    // on window survives only if there is no reload.
    await page.fill('#selection', '+silver/test_games_per_season');
    await page.click('#filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('.node').length === 2);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    // The plan first (a small one: no confirmation needed), then "Run".
    await page.click('#materialize');
    await page.waitForSelector('#plan-dialog[open] #plan-run:not([disabled])');
    await page.click('#plan-run');
    await page.waitForSelector('.node[data-key="silver/test_games_per_season"][data-state="fresh"]', { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.waitForSelector('#heatmap .hm[data-partition="2024"][data-state="fresh"]');
    expect(await page.locator('#message').textContent()).toMatch(/^Run r\S+ (started\.|succeeded: \d+ materialized)/);
    await page.screenshot({ path: join(ARTIFACTS, 'lineage-page-after-run.png'), fullPage: true });

    // A newcomer's first look, with no season in the address: the filter starts on the season built, where
    // everything is fresh; "all" shows the never-built season as missing (○), not stale.
    const first = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    first.on('pageerror', (e) => errors.push(e.message));
    await first.goto(url);
    await first.waitForSelector('body[data-ready="true"]');
    expect(await first.$eval('#season', (s) => (s as HTMLSelectElement).value)).toBe('2024');
    expect(await first.$eval('#season option:checked', (o) => o.textContent)).toBe('2024 · built');
    expect(await first.$$eval('.node[data-state="stale"]', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.key))).toEqual([]);
    await first.selectOption('#season', '');
    await first.click('#filters button[type="submit"]');
    await first.waitForSelector('.node[data-key="raw/games"][data-state="missing"]');
    expect(await first.locator('.node[data-key="raw/games"] .label').textContent()).toBe('missing');
    expect(new URL(first.url()).searchParams.get('season')).toBe('all');
    expect(errors).toEqual([]);
  });
});

/**
 * The data preview and the adjusted-margin chart, over gold tables written as real Parquet files in the real layout
 * (test/fixtures/gold-preview.ts), served by `cbbd serve` and read through the same function as `cbbd show`.
 */
describe.skipIf(!available)('the data preview and the rating chart in Chromium', () => {
  // Not tempDir(): that is removed after each test, and the server reads this one for the whole describe.
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-gold-page-'));
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    await writeGoldLakehouse(join(dir, 'lakehouse'));
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${resolve('test/fixtures/gold-preview.ts')}`,
      'seasons: { first: 2023, last: 2024 }',
      `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
      `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
      `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;
    delete env.CBBD_API_BASE_URL;
    ({ server, url } = await startServe(env));
    browser = await launchChromium(ARTIFACTS);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it("charts the ten best teams' adj_margin, adds a team searched by name, and previews the power rankings by composite_rank", async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // A CSP violation is logged to the console: the chart must draw without inline styles or scripts.
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    // Nothing built in the run log: the filter starts on the configured last season.
    expect(await page.$eval('#season', (s) => (s as HTMLSelectElement).value)).toBe('2024');

    await page.click('.node[data-key="gold/team_adjusted_efficiencies"]');
    await page.waitForSelector('#rating-chart[data-loaded="true"] svg');
    const chart = page.locator('#rating-chart');
    expect(await chart.locator('path.series').count()).toBe(10);
    expect(await chart.locator('path.series').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-team')))).toEqual(TEAMS.slice(0, 10));
    // Each line has a point per rating date.
    const points = await chart.locator('path.series').first().getAttribute('d');
    expect(points!.split(/[ML]/).filter((p) => p.trim()).length).toBe(RATING_DATES.length);

    await chart.locator('input[type="search"]').fill('Quillfield');
    await chart.locator('input[type="search"]').press('Enter');
    await page.waitForSelector('#rating-chart path.series[data-team="Quillfield"]');
    expect(await page.locator('#rating-chart path.series').count()).toBe(11);
    expect(await page.locator('#rating-chart .chart-legend li').last().textContent()).toMatch(/^Quillfield -?\d+\.\d/);
    await page.locator('#panel').screenshot({ path: join(ARTIFACTS, 'rating-chart.png') });

    await page.click('.node[data-key="gold/team_power_rankings"]');
    // The previous asset's preview (a table too) may still be on the page for a moment: wait for this asset's rows.
    await page.waitForFunction(() => {
      const preview = document.querySelector('#preview');
      return preview?.getAttribute('data-loaded') === 'true' && /by composite_rank/.test(preview.textContent ?? '') && preview.querySelectorAll('table.preview tr').length > 1;
    }, undefined, { timeout: 20_000 });
    const rows = page.locator('#preview table.preview tr');
    expect(await rows.count()).toBe(26); // the header and 25 rows, as cbbd show prints them
    const header = await rows.first().locator('th').allTextContents();
    const rank = header.indexOf('composite_rank');
    const ranks = await rows.evaluateAll((trs, i) => trs.slice(1).map((tr) => tr.children[i as number]!.textContent), rank);
    expect(ranks).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(await rows.nth(1).locator('td').nth(header.indexOf('team')).textContent()).toBe('Aldermoor');
    expect(await page.locator('#preview .muted').first().textContent()).toMatch(/^2024: 25 of 30 rows, by composite_rank/);
    await page.locator('#panel').screenshot({ path: join(ARTIFACTS, 'data-preview.png') });
    // Not an adjusted-efficiency table: no chart, and nothing stray in its place.
    expect(await page.locator('#rating-chart').count()).toBe(0);
    expect(await page.locator('#panel').textContent()).not.toMatch(/false|undefined/);

    // An asset never materialized says what to run, in place of rows.
    await page.click('.node[data-key="gold/team_adjusted_efficiencies_no_garbage"]');
    // The previous asset's preview may still be on the page for a moment: wait for this asset's answer.
    const hint = 'run `cbbd materialize gold/team_adjusted_efficiencies_no_garbage --season 2024` first';
    await page.waitForFunction((text) => document.querySelector('#preview')?.textContent?.includes(text), hint, { timeout: 20_000 });
    expect(await page.locator('#preview').textContent()).toContain(hint);
    expect(problems.filter((p) => !/404 \(Not Found\)/.test(p))).toEqual([]);
  });
});
