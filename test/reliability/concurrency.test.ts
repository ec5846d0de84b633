/**
 * Concurrency: while one `cbbd materialize` writes a season, a second one over the same partitions is refused with a
 * message naming the holder, a run asked for from the page (`POST /api/materialize` to `cbbd serve`) is refused the
 * same way (409), and `cbbd serve` keeps answering `/api/assets`. The p95 of those answers is a figure of
 * `npm run chaos`, not an assertion here.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { killHard, lab, runCbbd, startCbbd } from './_chaos-kit.ts';

const SELECTION = '+gold/market_lines_analysis';

describe('two runs over the same partitions', () => {
  it('one runs; the other, from the CLI or the page, is refused naming the holder; serve keeps answering', { timeout: 150_000 }, async () => {
    const l = lab(tempDir('cbbd-concurrency-'));
    const env = { ...l.env(l.config('config.yaml')), CBBD_UI_TOKEN: 'concurrency-test-ui-token' };
    const port = 4000 + Math.floor(Math.random() * 2000);
    const serve = startCbbd(env, ['serve', '--port', String(port), '--no-schedules']);
    const base = `http://127.0.0.1:${port}`;
    try {
      await until(async () => (await fetch(`${base}/api/assets`).catch(() => undefined))?.ok === true);
      const first = startCbbd(env, ['materialize', SELECTION, '--season', '2024']);
      await until(async () => first.output().includes('"run_started"'));

      const second = await runCbbd(env, ['materialize', SELECTION, '--season', '2024']);
      expect(second.code).toBe(75); // EX_TEMPFAIL: refused, try again later
      expect(second.stdout + second.stderr).toMatch(new RegExp(`^cbbd refused: \\S+ \\S+ is being materialized by run r[0-9-]+[0-9a-f]+ \\(pid ${first.child.pid} on .+, selection "\\${SELECTION}"`, "m"));

      const page = await fetch(`${base}/api/materialize`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${env.CBBD_UI_TOKEN}` }, body: JSON.stringify({ selection: SELECTION, season: 2024 }) });
      expect(page.status).toBe(409);
      expect(((await page.json()) as { error: string }).error).toContain(`pid ${first.child.pid}`);

      const answers: number[] = [];
      while (first.child.exitCode === null && answers.length < 20) {
        answers.push((await fetch(`${base}/api/assets`)).status);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(answers.every((s) => s === 200)).toBe(true);
      const done = await first.done;
      expect(done.code, done.stdout + done.stderr).toBe(0);
    } finally {
      await killHard(serve);
    }
  });
});

async function until(ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
}
