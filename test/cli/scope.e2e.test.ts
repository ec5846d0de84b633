/**
 * `cbbd plan` and `cbbd status` without a season cover the seasons that have data plus the season in progress, and
 * say so on their first line; `status --season` narrows to one season.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');

function cbbd(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('default scope of plan and status', () => {
  it('covers the seasons with data and the season in progress, says so first, and status --season narrows it', () => {
    const dir = tempDir('cbbd-scope-');
    // Seasons 2020-2024 configured; on this clock the season in progress is capped at 2024.
    writeFileSync(join(dir, 'config.yaml'), `assets: ${resolve('test/fixtures/small-graph.ts')}\nseasons: { first: 2020, last: 2024 }\nmaterialize: { concurrency: 2, retries: 0 }\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_TEST_OUT: join(dir, 'out'), CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_NOW: '2024-01-20T12:00:00Z' };
    for (const knob of ['CBBD_API_KEY', 'CBBD_API_BASE_URL', 'CBBD_TEST_FAIL', 'CBBD_TEST_SLEEP_MS']) delete env[knob];

    const fresh = cbbd(env, 'plan');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout.split('\n')[0]).toBe('Seasons 2024: 2024, the season in progress (no season has data yet); --seasons 2020-2024 covers every configured season.');
    expect(fresh.stdout.split('\n')[1]).toMatch(/^Plan for "\*" \(season 2024\): /);

    expect(cbbd(env, 'materialize', '*', '--season', '2022').code).toBe(0);
    const plan = cbbd(env, 'plan');
    expect(plan.stdout.split('\n')[0]).toBe('Seasons 2022-2024: the seasons with data (2022) and 2024, the season in progress; --seasons 2020-2024 covers every configured season.');

    const status = cbbd(env, 'status', '--json');
    const rows = JSON.parse(status.stdout) as { asset: string; partitions: number; fresh: number }[];
    // Game days of 2022..2024 only (the fixture's calendar has none in 2022 and 2023's four days): not 2020 or 2021.
    expect(rows.find((r) => r.asset === 'raw/schedule')).toMatchObject({ partitions: 3 });
    const one = JSON.parse(cbbd(env, 'status', '--season', '2022', '--json').stdout) as { asset: string; partitions: number; fresh: number }[];
    expect(one.find((r) => r.asset === 'raw/schedule')).toMatchObject({ partitions: 1, fresh: 1 });
    expect(cbbd(env, 'status').stdout.split('\n')[0]).toMatch(/^Seasons 2022-2024: /);
  }, 120_000);
});
