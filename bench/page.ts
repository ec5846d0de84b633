/**
 * The lineage page's speed in headless Chromium (Debian's package), against the real app serving the project's own
 * asset graph: the graph laid out (dagre) and drawn, for the project (target < 500 ms) and for a synthetic graph of
 * 1,000 assets (target < 2 s), and the longest task on the page while a run streams events (target: none over
 * 100 ms), on the lineage view and on the run's page. Figures from the page's own performance marks
 * (`ui/graph-view.js`) and a long-task observer.
 * Run: npm run bench -- page
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromium, type Page } from 'playwright-core';
import { createServerApp } from '../src/server/app.ts';
import { benchProject } from './_project.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A lakehouse-shaped graph: `n` assets in four layers, each reading one to four assets of the layers before. */
export function syntheticAssets(n: number): { key: string; layer: string; deps: string[]; state: string; counts: Record<string, number>; description: null; partitioning: string }[] {
  let seed = 7;
  const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const layers = ['raw', 'bronze', 'silver', 'gold'];
  const per = Math.ceil(n / layers.length);
  const keys = layers.map((layer) => Array.from({ length: per }, (_, i) => `${layer}/asset_${String(i).padStart(4, '0')}`));
  const states = ['fresh', 'stale', 'missing', 'failed'];
  return layers.flatMap((layer, li) => keys[li]!.map((key, i) => {
    const deps = li === 0 ? [] : li === 1 ? [keys[0]![i]!] : Array.from(new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const from = random() < 0.3 && i > 0 ? li : li - 1; // some dependencies inside the layer (earlier assets only)
      const pool = from === li ? keys[li]!.slice(0, i) : keys[from]!;
      return pool[Math.floor(random() * pool.length)]!;
    })));
    const state = states[Math.floor(random() * states.length)]!;
    return { key, layer, deps, state, counts: { [state]: 1 }, description: null, partitioning: 'season' };
  }));
}

/** Run in the page before its scripts: every task over 50 ms it runs, from the start. */
function longTasksScript(): void {
  (window as unknown as { longTasks: number[] }).longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
}

async function measures(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => performance.getEntriesByName(n).map((e) => e.duration), name);
}

async function waitForMeasure(page: Page, name: string, count: number): Promise<void> {
  await page.waitForFunction(([n, c]) => performance.getEntriesByName(n as string).length >= (c as number), [name, count] as const, { timeout: 60_000 });
}

export async function pageBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-page-bench-'));
  // The project's real graph and an empty run log; no API call is made (nothing is materialized).
  const project = await benchProject({ url: 'http://127.0.0.1:9/', dir, season: 2024, scale: 'demo' });
  const seasonWindow = { firstSeason: 2024, lastSeason: 2024, start: '11-01', end: '04-30' };
  const { app } = createServerApp({ graph: project.graph, runLog: project.runLog, window: seasonWindow, rollingDays: 3, token: 'bench-ui-token-00000' });
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    console.log(`page benchmark: the project's graph (${project.graph.order.length} assets) and a synthetic one (1,000 assets), Chromium at 1920×1080`);
    const project5: number[][] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.goto(base);
      await waitForMeasure(page, 'cbbd:painted', 1);
      project5.push([(await measures(page, 'cbbd:layout'))[0]!, (await measures(page, 'cbbd:drawn'))[0]!, (await measures(page, 'cbbd:painted'))[0]!]);
      await page.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const row = (label: string, runs: number[][]) => console.log(`  ${label}: layout ${median(runs.map((r) => r[0]!)).toFixed(0)} ms, drawn ${median(runs.map((r) => r[1]!)).toFixed(0)} ms, painted ${median(runs.map((r) => r[2]!)).toFixed(0)} ms (median of ${runs.length} page loads)`);
    row(`project graph, ${project.graph.order.length} assets`, project5);

    const synthetic = syntheticAssets(1_000);
    const edges = synthetic.reduce((n, a) => n + a.deps.length, 0);
    const big: number[][] = [];
    const bigTasks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.addInitScript(longTasksScript);
      await page.route('**/api/assets?*', (route) => route.fulfill({ json: { source: 'synthetic', selection: '*', season: null, seasons: { first: 2024, last: 2024 }, computedAt: new Date().toISOString(), assets: synthetic } }));
      await page.goto(base);
      await waitForMeasure(page, 'cbbd:painted', 1);
      big.push([(await measures(page, 'cbbd:layout'))[0]!, (await measures(page, 'cbbd:drawn'))[0]!, (await measures(page, 'cbbd:painted'))[0]!]);
      bigTasks.push(Math.max(0, ...(await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks))));
      if (i === 0) {
        mkdirSync('test-artifacts', { recursive: true });
        await page.screenshot({ path: 'test-artifacts/page-bench-1000-assets.png' });
      }
      await page.close();
    }
    row(`synthetic graph, 1,000 assets and ${edges.toLocaleString('en-US')} edges`, big);
    console.log(`    (laid out in a worker: the longest task on the page while it loaded, median ${median(bigTasks).toFixed(0)} ms: building and painting the 1,000 nodes)`);

    // A run streaming events: 1,500 events over about 6 s (step started/finished pairs), as a busy run records them.
    for (const view of ['lineage', 'run page'] as const) {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.addInitScript(longTasksScript);
      const runId = project.runLog.startRun({ selection: '*', filter: {}, partitions: [] });
      await page.goto(view === 'lineage' ? base : `${base}#/runs/${runId}`);
      await waitForMeasure(page, 'cbbd:painted', 1);
      await page.waitForTimeout(1_000);
      await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks = []));
      const keys = project.graph.order;
      const t0 = performance.now();
      for (let i = 0; i < 750; i++) {
        const asset = keys[i % keys.length]!;
        project.runLog.recordEvent(runId, 'step_started', { asset, step: `${asset}#${i}` });
        project.runLog.recordEvent(runId, 'step_finished', { asset, step: `${asset}#${i}`, status: i % 50 === 0 ? 'failed' : 'succeeded', succeeded: 1, failed: 0, skipped: 0 }, i % 50 === 0 ? 'error' : 'info');
        if (i % 25 === 0) await new Promise((r) => setTimeout(r, 200));
      }
      await page.waitForTimeout(2_000);
      const streamed = (performance.now() - t0) / 1000;
      project.runLog.finishRun(runId, 'succeeded', { counts: { succeeded: 750, failed: 0, skipped: 0 } });
      const tasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
      console.log(`  ${view} while a run streamed 1,500 events over ${streamed.toFixed(1)} s: ${tasks.length} task(s) over 50 ms, the longest ${tasks.length ? Math.max(...tasks).toFixed(0) : '< 50'} ms`);
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
    await project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
