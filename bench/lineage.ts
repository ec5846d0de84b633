/**
 * Lineage-page benchmark: the bench graph (102 assets) over 17 seasons with a run log of one million
 * materializations, served by the real app; prints the response time of /api/assets (first, then warm) and the
 * page's time to interactive in headless Chromium (navigation start to the graph drawn and clickable).
 * Run: npm run bench -- lineage
 */
import { existsSync, rmSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { createServerApp } from '../src/server/app.ts';
import { seed } from './planner.ts';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function lineageBench(): Promise<void> {
  const now = new Date('2026-02-15T12:00:00Z');
  const f = await seed(17, 1_000_000, now);
  console.log(`lineage benchmark: ${f.graph.order.length} assets, ${f.partitions.toLocaleString()} partitions, ${f.materializations.toLocaleString()} materializations`);
  const { app, status } = createServerApp({ graph: f.graph, runLog: f.runLog, window: f.window, rollingDays: 3, now: () => now, token: 'bench-ui-token-00000' });
  const t0 = performance.now();
  status.snapshot('*', undefined);
  console.log(`  start-up: state of every asset computed in ${(performance.now() - t0).toFixed(0)} ms (cached until the run log changes)`);
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const timed = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${base}${path}`);
    await res.arrayBuffer();
    return performance.now() - t;
  };
  const warm: number[] = [];
  for (let i = 0; i < 50; i++) warm.push(await timed('/api/assets'));
  console.log(`  GET /api/assets (102 assets, 17 seasons): p50 ${percentile(warm, 50).toFixed(1)} ms, p95 ${percentile(warm, 95).toFixed(1)} ms over 50 requests`);
  const seasonFirst = await timed('/api/assets?season=2024');
  const seasonWarm: number[] = [];
  for (let i = 0; i < 20; i++) seasonWarm.push(await timed('/api/assets?season=2024'));
  console.log(`  GET /api/assets?season=2024: first ${seasonFirst.toFixed(0)} ms (plans that season), then p50 ${percentile(seasonWarm, 50).toFixed(1)} ms`);
  const grid: number[] = [];
  for (let i = 0; i < 20; i++) grid.push(await timed('/api/assets/silver/fct_3/partitions?season=2020'));
  console.log(`  GET one season page of a partition grid: p50 ${percentile(grid, 50).toFixed(1)} ms`);

  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.log(`  time to interactive: SKIPPED, no Chromium at ${executablePath}`);
  } else {
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const tti: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${base}/`);
      await page.waitForSelector('body[data-ready="true"]');
      // Interactive: the graph is drawn (edges too) and a click opens a panel.
      await page.waitForFunction(() => document.querySelectorAll('#edges path').length > 0);
      tti.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    await browser.close();
    console.log(`  time to interactive of the lineage page: median ${percentile(tti, 50).toFixed(0)} ms (runs ${tti.map((t) => t.toFixed(0)).join(' / ')} ms)`);
  }
  server.close();
  await f.runLog.close();
  rmSync(f.dir, { recursive: true, force: true });
}
