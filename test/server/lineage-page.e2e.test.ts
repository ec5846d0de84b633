/**
 * The lineage page as a lineage view, in real headless Chromium (Debian's package, driven by playwright-core)
 * against `cbbd serve`: geometry (every drawn edge starts and ends on its nodes' borders, within 2 px, after a click,
 * a panel toggle, a resize and a zoom; the side sheet inside the viewport; no label broken inside a word; at 1280×720
 * and 1920×1080), and the flows (search, focus upstream, the partitions heatmap, a range materialized after its plan
 * and confirmation, the run page updating, cancel from the page and from `cbbd runs cancel`, re-run failed, a
 * schedule switched off and `cbbd schedule --list` agreeing). Screenshots go to docs/img/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BIN, chromiumAvailable, launchChromium, requireChromium, startServe } from './_browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SHOTS = resolve('docs/img');
const available = chromiumAvailable;
requireChromium("the lineage page's browser tests");

function environment(dir: string, assets: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  writeFileSync(join(dir, 'config.yaml'), [
    `assets: ${resolve(assets)}`,
    'seasons: { first: 2023, last: 2024 }',
    `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
    `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
    'simulator: { seed: 1, scale: demo }',
  ].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), ...extra };
  delete env.CBBD_API_KEY;
  delete env.BEARER_TOKEN;
  delete env.CBBD_API_BASE_URL;
  return env;
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cbbd ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Geometry {
  edges: number;
  detached: string[];
  panel: { left: number; top: number; right: number; bottom: number } | null;
  viewport: { width: number; height: number };
  broken: string[];
}

/** Every drawn edge's two ends against its nodes' borders, the side sheet's box, and words split over two lines. */
function geometry(page: Page): Promise<Geometry> {
  return page.evaluate(() => {
    const boxes = new Map([...document.querySelectorAll<HTMLElement>('#nodes .node')].map((n) => [n.dataset.key!, n.getBoundingClientRect()]));
    // Distance from a point to the border of a rectangle (0 on it; inside or outside alike).
    const toBorder = (p: DOMPoint, r: DOMRect) => {
      const dx = Math.max(r.left - p.x, 0, p.x - r.right);
      const dy = Math.max(r.top - p.y, 0, p.y - r.bottom);
      const outside = Math.hypot(dx, dy);
      return outside > 0 ? outside : Math.min(p.x - r.left, r.right - p.x, p.y - r.top, r.bottom - p.y);
    };
    const detached: string[] = [];
    const paths = [...document.querySelectorAll<SVGPathElement>('#edges path')];
    for (const p of paths) {
      const m = p.getScreenCTM()!;
      const a = p.getPointAtLength(0).matrixTransform(m);
      const b = p.getPointAtLength(p.getTotalLength()).matrixTransform(m);
      const from = boxes.get(p.dataset.from!);
      const to = boxes.get(p.dataset.to!);
      if (!from || !to || toBorder(a, from) > 2 || toBorder(b, to) > 2) {
        detached.push(`${p.dataset.from} -> ${p.dataset.to}: (${a.x.toFixed(1)},${a.y.toFixed(1)}) on ${from ? `${from.left.toFixed(1)}..${from.right.toFixed(1)}` : 'no node'}; (${b.x.toFixed(1)},${b.y.toFixed(1)}) on ${to ? `${to.left.toFixed(1)}..${to.right.toFixed(1)}` : 'no node'}`);
      }
    }
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const t = walker.currentNode as Text;
      const parent = t.parentElement;
      if (!parent || parent.closest('[hidden], dialog:not([open]), script, style') || !parent.getClientRects().length) continue;
      for (const m of t.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(t, m.index);
        range.setEnd(t, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
    const panel = document.querySelector<HTMLElement>('#panel');
    const pr = panel && !panel.hidden ? panel.getBoundingClientRect() : null;
    return {
      edges: paths.length, detached, broken,
      panel: pr && { left: pr.left, top: pr.top, right: pr.right, bottom: pr.bottom },
      viewport: { width: innerWidth, height: innerHeight },
    };
  });
}

function expectAttached(g: Geometry, when: string, minEdges = 10): void {
  expect(g.edges, when).toBeGreaterThanOrEqual(minEdges);
  expect(g.detached, when).toEqual([]);
  expect(g.broken, when).toEqual([]);
  if (g.panel) {
    expect(g.panel.left, when).toBeGreaterThanOrEqual(0);
    expect(g.panel.top, when).toBeGreaterThanOrEqual(0);
    expect(g.panel.right, when).toBeLessThanOrEqual(g.viewport.width + 0.5);
    expect(g.panel.bottom, when).toBeLessThanOrEqual(g.viewport.height + 0.5);
  }
}

/**
 * A project in a folder of its own for one describe: its config (`environment`), what `prepare` builds first, then
 * `cbbd serve` on it and a Chromium, stopped with the folder after the describe's tests. Its fields are set before
 * the first test; a test reads them once it starts.
 */
function servedProject(name: string, assets: string, extra: (dir: string) => Record<string, string>, prepare: (env: NodeJS.ProcessEnv) => void) {
  const dir = mkdtempSync(join(tmpdir(), `cbbd-${name}-`));
  const project = {
    dir, env: {} as NodeJS.ProcessEnv, url: '', address: '', token: undefined as string | undefined,
    server: undefined as ChildProcess | undefined, browser: undefined as Browser | undefined,
  };
  beforeAll(async () => {
    project.env = environment(dir, assets, extra(dir));
    prepare(project.env);
    Object.assign(project, await startServe(project.env));
    project.browser = await launchChromium(SHOTS);
  }, 120_000);
  afterAll(async () => {
    await project.browser?.close();
    project.server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  return project;
}

/** heavy-work.ts's knobs: where its computes write, a minute of CPU, a query of 1,000 rows. */
const heavyWork = (dir: string) => ({ CBBD_TEST_OUT: join(dir, 'out'), CBBD_TEST_CPU_MS: '60000', CBBD_TEST_QUERY_ROWS: '1000' });

describe.skipIf(!available)('the lineage graph in Chromium', () => {
  // A threshold of 3 partitions: the range below needs the explicit confirmation.
  const served = servedProject('lineage-page', 'test/fixtures/project-plus.ts', () => ({ CBBD_UI_CONFIRM_ABOVE: '3' }), (env) => {
    cli(env, 'materialize', '+silver/test_games_per_season', '--season', '2024');
    // Two weeks of game days of a season × game-day asset, for the heatmap.
    cli(env, 'materialize', 'raw/plays', '--season', '2024', '--from', '2023-11-06', '--to', '2023-11-20');
  });

  for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
    it(`keeps every edge on its nodes through a click, a panel toggle, a resize and a zoom at ${width}×${height}`, async () => {
      const { browser, url } = served;
      const page = await browser!.newPage({ viewport: { width, height } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}?season=2024`);
      await page.waitForSelector('body[data-ready="true"]');
      const api = (await (await fetch(`${url}api/assets`)).json()) as { assets: { key: string; deps: string[] }[] };
      expect(await page.locator('#nodes .node').count()).toBe(api.assets.length);
      expect(await page.locator('#edges path').count()).toBe(api.assets.reduce((n, a) => n + a.deps.length, 0));
      expectAttached(await geometry(page), 'on load');
      if (width === 1920) {
        // The quota line arrives after the graph and makes the header taller: the graph is fitted again.
        await page.waitForSelector('#quota');
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SHOTS, 'lineage-graph.png') });
      }

      // A node low on the graph: the panel opens inside the viewport, the node is brought into view.
      const low = api.assets.filter((a) => a.key.startsWith('gold/')).at(-1)!.key;
      await page.locator(`.node[data-key="${low}"]`).click({ force: true });
      await page.waitForSelector('#panel:not([hidden]) h2');
      expectAttached(await geometry(page), 'after a click');
      const node = await page.locator(`.node[data-key="${low}"]`).boundingBox();
      const panel = await page.locator('#panel').boundingBox();
      expect(node!.x + node!.width).toBeLessThanOrEqual(panel!.x + 1);
      expect(node!.y).toBeGreaterThanOrEqual(0);
      expect(node!.y + node!.height).toBeLessThanOrEqual(height);
      // Upstream and downstream light up; the rest fades.
      expect(await page.locator('.node.selected').count()).toBe(1);
      expect(await page.locator('.node.upstream').count()).toBeGreaterThan(0);
      expect(await page.locator('#edges path.hot').count()).toBeGreaterThan(0);
      if (width === 1920) await page.screenshot({ path: join(SHOTS, 'lineage-selected.png') });

      await page.click('#panel-close');
      await page.waitForSelector('#panel', { state: 'hidden' });
      expectAttached(await geometry(page), 'after closing the panel');
      await page.locator(`.node[data-key="${low}"]`).click({ force: true });
      await page.waitForSelector('#panel:not([hidden]) h2');
      expectAttached(await geometry(page), 'after opening it again');

      await page.setViewportSize({ width: width - 300, height: height - 100 });
      await page.waitForTimeout(100);
      expectAttached(await geometry(page), 'after a resize');

      // Scroll: the wheel zooms around the pointer; shift-scroll pans.
      const before = Number(await page.getAttribute('#graph', 'data-zoom'));
      await page.mouse.move(300, 400);
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(50);
      expect(Number(await page.getAttribute('#graph', 'data-zoom'))).toBeGreaterThan(before);
      expectAttached(await geometry(page), 'after zooming in with the wheel');
      await page.keyboard.down('Shift');
      await page.mouse.wheel(0, 300);
      await page.keyboard.up('Shift');
      expectAttached(await geometry(page), 'after panning with the wheel');
      await page.click('#fit');
      expectAttached(await geometry(page), 'after fit');

      // A layer collapsed into one node and expanded again: its edges attach to the group's node.
      await page.click('.group[data-layer="bronze"] .group-toggle');
      await page.waitForSelector('.node[data-group="group:bronze"]');
      expect((await geometry(page)).detached).toEqual([]);
      await page.click('.node[data-group="group:bronze"]');
      await page.waitForSelector('.node[data-key="bronze/games"]');
      expectAttached(await geometry(page), 'after a group collapsed and expanded');

      // Names are elided in the node, never broken; the full key is on hover.
      const key = page.locator('.node[data-key="raw/conference_history"] .key');
      expect(await key.evaluate((e) => getComputedStyle(e).whiteSpace)).toBe('nowrap');
      expect(await page.locator('.node[data-key="raw/conference_history"]').getAttribute('title')).toMatch(/^raw\/conference_history/);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('lays out a graph of 600 assets in a worker, every edge still on its nodes', async () => {
    const { browser, url } = served;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Four layers of 150, each asset reading one or two of the layer before (and some of its own layer).
    const layers = ['raw', 'bronze', 'silver', 'gold'];
    const assets = layers.flatMap((layer, li) => Array.from({ length: 150 }, (_, i) => ({
      key: `${layer}/asset_${String(i).padStart(3, '0')}`, layer, description: null, partitioning: 'season', state: 'fresh', counts: { fresh: 1 },
      deps: li === 0 ? [] : [...new Set([`${layers[li - 1]}/asset_${String(i).padStart(3, '0')}`, `${layers[li - 1]}/asset_${String((i * 7) % 150).padStart(3, '0')}`, ...(i % 5 === 4 ? [`${layer}/asset_${String(i - 1).padStart(3, '0')}`] : [])])],
    })));
    await page.route('**/api/assets?*', (route) => route.fulfill({ json: { source: 'synthetic', selection: '*', season: null, seasons: { first: 2023, last: 2024 }, computedAt: new Date().toISOString(), assets } }));
    const worker = page.waitForEvent('worker');
    await page.goto(url);
    expect((await worker).url()).toMatch(/\/ui\/layout-worker\.js$/);
    await page.waitForFunction((n) => document.querySelectorAll('#nodes .node').length === n, assets.length, { timeout: 30_000 });
    expect(await page.locator('#edges path').count()).toBe(assets.reduce((n, a) => n + a.deps.length, 0));
    expectAttached(await geometry(page), 'a graph laid out in the worker');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('searches an asset, focuses its upstream, opens its partitions and materializes a range after the plan and a confirmation', async () => {
    const { browser, url, token } = served;
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The address with the UI token in its fragment, as cbbd serve prints it: the page keeps it and drops it.
    await page.goto(`${url}?season=2024#token=${token}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(page.url()).toBe(`${url}?season=2024`);

    // "/" focuses the search; arrows and Enter pick a match.
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('plays');
    await page.waitForSelector('#search-results li');
    const hits = await page.locator('#search-results li').allTextContents();
    expect(hits).toContain('raw/plays');
    for (let i = 0; i < hits.indexOf('raw/plays'); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel h2 .title:text-is("raw/plays")');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key)).toBe('raw/plays');
    // The keyboard walks the graph: ← to an upstream of raw/plays, → back to something downstream of that one.
    await page.keyboard.press('ArrowLeft');
    const upstreamOfPlays = ((await (await fetch(`${url}api/assets`)).json()) as { assets: { key: string; deps: string[] }[] }).assets.find((a) => a.key === 'raw/plays')!.deps;
    const reached = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key);
    expect(upstreamOfPlays).toContain(reached);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#panel h2 .title:text-is("${reached}")`);
    await page.locator(`.node[data-key="raw/plays"]`).click({ force: true });
    await page.waitForSelector('#panel h2 .title:text-is("raw/plays")');

    await page.click('#panel-upstream');
    const upstream = ((await (await fetch(`${url}api/assets?selection=${encodeURIComponent('+raw/plays')}`)).json()) as { assets: { key: string }[] }).assets.map((a) => a.key).sort();
    expect(upstream.length).toBeGreaterThan(1);
    await page.waitForFunction((n) => document.querySelectorAll('#nodes .node').length === n, upstream.length);
    expect((await page.$$eval('#nodes .node', (ns) => ns.map((n) => (n as HTMLElement).dataset.key))).sort()).toEqual(upstream);
    expect(await page.inputValue('#selection')).toBe('+raw/plays');
    expectAttached(await geometry(page), 'focused on the upstream', 1);

    // The heatmap: seasons down, game days across, labelled; hover says state, reason, last run, rows.
    await page.waitForSelector('#heatmap[data-loaded="true"]');
    const fresh = page.locator('#heatmap .hm[data-state="fresh"]');
    expect(await fresh.count()).toBe(13);
    expect(await page.locator('#heatmap th[scope="row"]').first().textContent()).toBe('2024');
    expect(await page.locator('#heatmap th.day').first().textContent()).toMatch(/^\d\d-\d\d$/);
    await fresh.first().hover();
    expect(await page.locator('#hm-tip').textContent()).toMatch(/^2024\|2023-11-\d\d: fresh · last run r\S+ · \d+ rows$/);
    await page.selectOption('#hm-filter', 'fresh');
    expect(await page.locator('#heatmap [role="grid"] .hm:not(.filtered)').count()).toBe(13);
    await page.selectOption('#hm-filter', '');
    await page.locator('#panel').screenshot({ path: join(SHOTS, 'partitions-heatmap.png') });

    // A range of five missing game days: the plan first, then a confirmation naming the numbers (threshold 3).
    const missing = page.locator('#heatmap .hm[data-state="missing"]');
    expect(await missing.count()).toBeGreaterThan(5);
    await missing.nth(0).click();
    await missing.nth(4).click({ modifiers: ['Shift'] });
    expect(await page.locator('#hm-range').textContent()).toMatch(/\(5 partition\(s\)\)$/);
    await page.click('#hm-materialize');
    await page.waitForSelector('#plan-dialog[open]');
    expect(await page.locator('#plan-summary').textContent()).toMatch(/^\d+ partition\(s\) of \d+ asset\(s\); about \d+ API call\(s\)/);
    const confirmation = await page.locator('#plan-confirmation').textContent();
    expect(confirmation).toMatch(/This run needs a confirmation: \d+ partitions, over the 3 a run may build without confirmation/);
    expect(await page.locator('#plan-run').isDisabled()).toBe(true);
    await page.locator('#plan-dialog').screenshot({ path: join(SHOTS, 'plan-confirmation.png') });
    await page.check('#plan-confirm');
    await page.click('#plan-run');
    await page.waitForFunction(() => /^Run r\S+ started\.$/.test(document.querySelector('#message')?.textContent ?? ''));
    const runId = /Run (r\S+) started/.exec((await page.locator('#message').textContent())!)![1]!;

    // The run page updates as the run goes, to its end.
    await page.goto(`${url}?season=2024#/runs/${runId}`);
    await page.waitForSelector(`#run-detail[data-run="${runId}"]`);
    await page.waitForSelector('#run-detail[data-status="succeeded"]', { timeout: 60_000 });
    expect(await page.locator('#run-timeline .tl-row').count()).toBeGreaterThan(0);
    expect(await page.locator('#run-log .ev[data-type="run_finished"]').count()).toBe(1);
    const all = await page.locator('#run-log .ev').count();
    await page.selectOption('#log-level', 'info');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('#run-log .ev')].every((e) => e.dataset.level === 'info'));
    expect(await page.locator('#run-log .ev').count()).toBeLessThanOrEqual(all);
    await page.selectOption('#log-level', '');
    await page.waitForFunction((n) => document.querySelectorAll('#run-log .ev').length >= n, all);
    expect((await geometry(page)).broken, 'the run page').toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'run-page.png'), fullPage: true });
    await page.goto(`${url}#/runs`);
    await page.waitForSelector(`#runs-table tr[data-run="${runId}"]`);
    expect(await page.locator(`#runs-table tr[data-run="${runId}"] td`).nth(3).textContent()).toMatch(/^2024/);
    await page.screenshot({ path: join(SHOTS, 'runs-list.png') });
    expect(errors).toEqual([]);
  }, 120_000);

  it('turns a schedule off from the page, and cbbd schedule --list agrees', async () => {
    const { browser, url, token, env } = served;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } });
    // Opened without the token (a bookmark, say): the first change is refused, and the page asks for it once.
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept(token);
    });
    await page.goto(`${url}#/schedules`);
    await page.waitForSelector('#schedules tr[data-schedule="nightly"][data-enabled="true"]');
    await page.click('#schedules tr[data-schedule="nightly"] button[data-action="toggle"]');
    await page.waitForSelector('#schedules tr[data-schedule="nightly"][data-enabled="false"]');
    expect(asked).toEqual([expect.stringMatching(/UI token/)]);
    const listed = JSON.parse(cli(env, 'schedule', '--list', '--json')) as { schedules: { name: string; enabled: boolean; switchedBy?: string }[] };
    expect(listed.schedules.find((s) => s.name === 'nightly')).toMatchObject({ enabled: false, switchedBy: 'the page' });
    expect(listed.schedules.find((s) => s.name === 'weekly-validate')?.enabled).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'schedules.png') });
    await page.click('#schedules tr[data-schedule="nightly"] button[data-action="toggle"]');
    await page.waitForSelector('#schedules tr[data-schedule="nightly"][data-enabled="true"]');
    expect(asked).toHaveLength(1); // kept for the tab
    expect((JSON.parse(cli(env, 'schedule', '--list', '--json')) as { schedules: { name: string; enabled: boolean }[] }).schedules.find((s) => s.name === 'nightly')?.enabled).toBe(true);
  }, 60_000);
});

describe.skipIf(!available)('cancelling runs', () => {
  const served = servedProject('cancel-page', 'test/fixtures/heavy-work.ts', heavyWork, (env) => cli(env, 'materialize', 'raw/teams'));
  const out = join(served.dir, 'out');

  it('cancels a run from its page: nothing committed, the run cancelled, and "Re-run failed" starts its failed step again', async () => {
    const { browser, url, address, env } = served;
    const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } });
    // The address cbbd serve printed carries the UI token (a fragment); the page keeps it for the tab, drops it from
    // the address bar, and starts the run with it, asking nothing.
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/);
    const asked: string[] = [];
    page.on('dialog', (dialog) => void dialog.dismiss().then(() => asked.push(dialog.message())));
    await page.goto(address);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate(() => [location.href, location.hash])).toEqual([url, '']);
    await page.fill('#selection', 'gold/solver_like');
    await page.click('#materialize');
    await page.waitForSelector('#plan-dialog[open] #plan-run:not([disabled])');
    await page.click('#plan-run');
    await page.waitForFunction(() => /^Run r\S+ started\.$/.test(document.querySelector('#message')?.textContent ?? ''));
    const runId = /Run (r\S+) started/.exec((await page.locator('#message').textContent())!)![1]!;
    expect(asked).toEqual([]);
    await page.goto(`${url}#/runs/${runId}`);
    await page.waitForSelector('#run-detail[data-status="running"] #run-cancel:not([disabled])');
    await page.click('#run-cancel');
    await page.waitForSelector('#run-detail[data-status="cancelled"]', { timeout: 20_000 });
    expect(await page.locator('#run-log .ev[data-type="cancel_requested"]').count()).toBe(1);
    expect(await page.locator('#run-failures td').first().textContent()).toBe('gold/solver_like');
    expect(existsSync(join(out, 'gold__solver_like.json'))).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'run-cancelled.png'), fullPage: true });

    // Re-run failed: the failed step runs again (and is cancelled again by the CLI, from another process).
    await page.click('#run-rerun');
    await page.waitForFunction((old) => location.hash.startsWith('#/runs/') && !location.hash.endsWith(old as string), runId);
    const rerun = runIdInAddress(page);
    await page.waitForSelector(`#run-detail[data-run="${rerun}"][data-status="running"]`);
    const cancelled = spawnSync(process.execPath, [BIN, 'runs', 'cancel', rerun, '--wait'], { env, encoding: 'utf8' });
    expect(cancelled.status).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`Cancel requested for run ${rerun}[\\s\\S]*Run ${rerun} cancelled\\.`));
    await page.waitForSelector(`#run-detail[data-run="${rerun}"][data-status="cancelled"]`, { timeout: 20_000 });
    expect(await page.locator('#run-cancel-note').textContent()).toMatch(/cbbd runs cancel \(pid \d+/);
    expect(existsSync(join(out, 'gold__solver_like.json'))).toBe(false);
  }, 90_000);

  it('cbbd runs cancel stops a cbbd materialize in another process, which exits with nothing half-committed', async () => {
    const { env } = served;
    const materialize = spawn(process.execPath, [BIN, 'materialize', 'gold/solver_like'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    materialize.stderr!.on('data', (d) => (err += d));
    await new Promise<void>((ok) => {
      const check = setInterval(() => {
        if (/heavy work started/.test(err)) {
          clearInterval(check);
          ok();
        }
      }, 50);
    });
    const runs = JSON.parse(cli(env, 'runs', '--json')) as { id: string; status: string }[];
    const running = runs.find((r) => r.status === 'running')!;
    const exited = new Promise<number | null>((ok) => materialize.once('exit', ok));
    const started = Date.now();
    expect(cli(env, 'runs', 'cancel', running.id)).toMatch(/^Cancel requested for run r/);
    await exited;
    // The asset would have run for 60 s: the cancel stopped it within the poll and a slice of work.
    expect(Date.now() - started).toBeLessThan(20_000);
    const after = JSON.parse(cli(env, 'runs', '--json')) as { id: string; status: string }[];
    expect(after.find((r) => r.id === running.id)?.status).toBe('cancelled');
    expect(existsSync(join(out, 'gold__solver_like.json'))).toBe(false);
    // Cancelling it again says it is not running.
    expect(cli(env, 'runs', 'cancel', running.id)).toMatch(/is not running \(it was cancelled\)/);
  }, 90_000);
});

describe.skipIf(!available)('a backfill on the page', () => {
  const served = servedProject('backfill-page', 'test/fixtures/heavy-work.ts', heavyWork, (env) => cli(env, 'runs'));
  const out = join(served.dir, 'out');

  it('shows a backfill season by season with its progress, and cancelling its season stops the backfill', async () => {
    const { browser, url, address, env } = served;
    const backfill = spawn(process.execPath, [BIN, 'backfill', '--seasons', '2023-2024'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    backfill.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((ok) => backfill.once('exit', ok));
    await new Promise<void>((ok) => {
      const check = setInterval(() => {
        if (/heavy work started: CPU/.test(err)) {
          clearInterval(check);
          ok();
        }
      }, 100);
    });
    const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(address); // with the UI token, which the cancel below needs
    await page.goto(`${url}#/schedules`);
    const row = page.locator('#backfills tr[data-season="2024"][data-status="running"]');
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toMatch(/^ \d+ of \d+$/);
    expect(await page.locator('#backfills .backfill p.muted').first().textContent()).toMatch(/^pid \d+ on .+: 0 of 1 season\(s\) done, season 2024 running$/);
    await page.locator('#backfills').screenshot({ path: join(SHOTS, 'backfills.png') });
    await row.locator('button[data-action="cancel"]').click();
    await exited;
    await page.waitForSelector('#backfills tr[data-season="2024"][data-status="cancelled"]', { timeout: 20_000 });
    // The backfill stopped: 2023 never started, and the heavy partition was never committed.
    expect(await page.locator('#backfills tr[data-season="2023"]').count()).toBe(0);
    expect(existsSync(join(out, 'gold__solver_like.json'))).toBe(false);
  }, 120_000);
});

function runIdInAddress(page: Page): string {
  return new URL(page.url()).hash.replace('#/runs/', '');
}
