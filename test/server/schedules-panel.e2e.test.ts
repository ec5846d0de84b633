/**
 * The schedules panel in real headless Chromium against `cbbd serve` running its scheduler: a schedule every ten
 * seconds (running `cbbd status`, quick and read-only) shows its cron, next tick and last tick once it has run; a
 * disabled one says so; the line above names the process that runs them. Screenshot in test-artifacts/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BIN = resolve('bin/cbbd.js');
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs Debian's chromium package.`);

let server: ChildProcess | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((done) => server!.once('exit', done));
    server.kill('SIGTERM');
    await exited;
  }
});

describe.skipIf(!available)('the schedules panel in Chromium', () => {
  it('shows each schedule with its cron, next tick, last tick and command, and who runs them', async () => {
    const dir = tempDir('cbbd-schedules-page-');
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${resolve('test/fixtures/small-graph.ts')}`,
      'seasons: { first: 2023, last: 2024 }',
      'schedules:',
      '  every-10s: { cron: "*/10 * * * * *", timezone: UTC, command: [status] }',
      '  sundays: { cron: "0 12 * * 0", timezone: America/New_York, command: [validate], enabled: false }',
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // What the server and its ticks logged, for the message when no tick ends.
    let logged = '';
    server.stderr!.on('data', (d) => (logged = `${logged}${d}`.slice(-4000)));
    // The address carries the UI token (`#token=`) on a project's first start; "Run now" needs it.
    const [url, token] = await new Promise<[string, string | undefined]>((ok, fail) => {
      let out = '';
      server!.stdout!.on('data', (d) => {
        out += d;
        const m = /Lineage page on (http:\/\/\S+\/)(?:#token=(\S+))? \(Ctrl-C/.exec(out);
        if (m) ok([m[1]!, m[2]]);
      });
      server!.once('exit', (code) => fail(new Error(`cbbd serve exited ${code}`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const page = await browser.newPage();
    await page.goto(`${url}#token=${token}`);
    // The panel refreshes every 30 s; reload until the first tick has ended (a tick is a `cbbd status` process, which
    // takes seconds alone and tens of seconds at the end of a loaded CI run).
    const deadline = Date.now() + 120_000;
    for (;;) {
      await page.goto(`${url}#/schedules`);
      const row = page.locator('#schedules tr[data-schedule="every-10s"]');
      await row.waitFor();
      if ((await row.getAttribute('data-outcome')) === 'ran') break;
      if (Date.now() > deadline) throw new Error(`no tick ran: ${await row.innerText()}\nthe server's log:\n${logged}`);
      await page.waitForTimeout(1_000);
    }
    const cells = await page.locator('#schedules tr[data-schedule="every-10s"] td').allInnerTexts();
    expect(cells[0]).toBe('every-10s');
    expect(cells[1]).toBe('On Run now');
    expect(cells[2]).toBe('*/10 * * * * * (UTC)');
    expect(cells[3]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(cells[4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC ran/);
    expect(cells[5]).toBe('cbbd status');
    expect(await page.locator('#schedules tr[data-schedule="sundays"] td').allInnerTexts()).toEqual(['sundays', 'Off Run now', '0 12 * * 0 (America/New_York)', 'disabled', 'none yet', 'cbbd validate']);
    // The tick history lists the tick that ran.
    expect(await page.locator('#tick-history tr[data-outcome="ran"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#schedules p.muted').innerText()).toMatch(new RegExp(`^Run by cbbd serve \\(pid ${server.pid} on .+\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.$`));
    mkdirSync(resolve('test-artifacts'), { recursive: true });
    await page.locator('#schedules').screenshot({ path: resolve('test-artifacts', 'schedules-panel.png') });

    // "Run now" ticks a schedule at once, even one that is off; refused (and said so) while another tick runs.
    const started = Date.now() + 30_000;
    for (;;) {
      await page.click('#schedules tr[data-schedule="sundays"] button[data-action="run-now"]');
      await page.waitForFunction(() => /^Schedule sundays: a tick started now|is running; try again/.test(document.querySelector('#message')?.textContent ?? ''));
      if (/a tick started now/.test(await page.locator('#message').innerText())) break;
      if (Date.now() > started) throw new Error(`run now refused: ${await page.locator('#message').innerText()}`);
      await page.waitForTimeout(1_000);
    }
    const ticked = page.locator('#tick-history tr', { has: page.locator('td:first-child', { hasText: /^sundays$/ }) });
    for (const end = Date.now() + 60_000; !(await ticked.count()) || (await ticked.first().getAttribute('data-outcome')) === 'running';) {
      if (Date.now() > end) throw new Error('the run-now tick never ended');
      await page.waitForTimeout(1_000);
      await page.goto(`${url}#/schedules`);
      await page.locator('#schedules tr[data-schedule="sundays"]').waitFor();
    }
    expect(await ticked.first().getAttribute('data-outcome')).toMatch(/^(ran|failed)$/);
  }, 240_000);
});
