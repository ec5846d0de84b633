/**
 * The season in progress follows the calendar: `seasons.last: current` (the default) ends the range at it, so the
 * nightly's `--season current` moves to the new season on its own, and a fixed `last` that caps it is said on the
 * first line of every command, never silently.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { defaultSchedules } from '../../src/config/schedules.ts';
import { seasonWindow } from '../../src/config/season-range.ts';
import { tempDir } from '../helpers.ts';

const seasons = { first: 2010, last: 'current' as const, windowStart: '11-01', windowEnd: '04-30' };

describe('seasonWindow', () => {
  it.each([
    ['2026-12-06T08:00:00Z', 2027, 'December: the season that ends in April 2027 is under way'],
    ['2026-07-04T00:00:00Z', 2026, 'summer: the last season whose window has ended'],
    ['2027-03-01T00:00:00Z', 2027, 'March'],
  ])('with last: current, at %s the range ends at %i (%s)', (now, last) => {
    const { window, notice } = seasonWindow(seasons, new Date(now));
    expect(window.lastSeason).toBe(last);
    expect(notice).toBeUndefined();
  });

  it('keeps a fixed last, and says when it caps the season in progress', () => {
    const capped = seasonWindow({ ...seasons, last: 2026 }, new Date('2026-12-06T08:00:00Z'));
    expect(capped.window.lastSeason).toBe(2026);
    expect(capped.notice).toMatch(/seasons.last is 2026 in config.yaml, so "current" means 2026, not 2027, the season in progress on 2026-12-06/);
    expect(seasonWindow({ ...seasons, last: 2030 }, new Date('2026-12-06T08:00:00Z')).notice).toBeUndefined();
  });

  it('is what config.yaml means without a seasons.last', () => {
    const file = join(tempDir(), 'config.yaml');
    writeFileSync(file, 'seasons: { first: 2020 }\n');
    expect(loadConfig(file, {}).seasons.last).toBe('current');
    writeFileSync(file, 'seasons: { first: 2020, last: soon }\n');
    expect(() => loadConfig(file, {})).toThrow(/seasons.last.*"current" \(the season in progress\) or a year/s);
  });
});

describe('on 2026-12-06, as the nightly runs', () => {
  const config = (extra = '') => {
    const dir = tempDir('cbbd-season-');
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `assets: ${resolve('assets/index.ts')}\nlakehouse: { root: ${join(dir, 'lake')} }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n${extra}`);
    return file;
  };
  const cbbd = (file: string, args: readonly string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: file, CBBD_NOW: '2026-12-06T08:00:00Z' };
    delete env.CBBD_API_KEY;
    const r = spawnSync(process.execPath, [resolve('bin/cbbd.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, lines: `${r.stderr}${r.stdout}`.split('\n') };
  };

  it("plans season 2027 for '*' --season current, and so does the default nightly schedule's command", () => {
    const file = config();
    const plan = cbbd(file, ['plan', '*', '--season', 'current']);
    expect(plan.code).toBe(0);
    expect(plan.lines.find((l) => l.startsWith('Plan for'))).toMatch(/^Plan for "\*" \(season 2027\)/);
    // The nightly's own arguments, planned instead of run.
    const nightly = defaultSchedules().nightly!.command;
    expect(nightly.slice(0, 4)).toEqual(['materialize', '*', '--season', 'current']);
    const planned = cbbd(file, ['plan', ...nightly.slice(1)]);
    expect(planned.lines.find((l) => l.startsWith('Plan for'))).toMatch(/\(season 2027\)/);
  });

  it('says on the first line when a fixed seasons.last caps the season in progress', () => {
    const plan = cbbd(config('seasons: { last: 2026 }\n'), ['plan', 'raw/teams', '--season', 'current']);
    expect(plan.code).toBe(0);
    expect(plan.lines[0]).toMatch(/^cbbd note: seasons.last is 2026 in config.yaml, so "current" means 2026, not 2027/);
    expect(plan.lines.find((l) => l.startsWith('Plan for'))).toMatch(/\(season 2026\)/);
  });
});
