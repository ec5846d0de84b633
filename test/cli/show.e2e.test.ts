/**
 * `cbbd show` end to end: real processes over a lakehouse of real Parquet files in the real layout (the gold fixture),
 * read through the read-only DuckDB query path.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS, writeGoldLakehouse } from '../fixtures/gold-preview.ts';

const BIN = resolve('bin/cbbd.js');
let env: NodeJS.ProcessEnv;
// One lakehouse for every test of the file (helpers' tempDir is removed after each test).
const dir = mkdtempSync(join(tmpdir(), 'cbbd-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cbbd(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What a user sees of a refused command: exit 2 and one line after the source line, never a stack. */
function refused(args: string[], message: RegExp) {
  const r = cbbd(...args);
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[1]).toMatch(message);
  expect(r.stdout).toBe('');
}

describe('cbbd show', () => {
  beforeAll(async () => {
    await writeGoldLakehouse(join(dir, 'lakehouse'));
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${resolve('test/fixtures/gold-preview.ts')}`,
      'seasons: { first: 2023, last: 2024 }',
      `lakehouse: { root: ${join(dir, 'lakehouse')} }`,
      `runLog: { path: ${join(dir, 'runlog.sqlite')} }`,
      `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
    ].join('\n'));
    env = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;
    delete env.CBBD_API_BASE_URL;
  }, 60_000);

  it('prints the top 25 of gold/team_power_rankings by composite_rank, the latest season by default, numbers rounded', () => {
    const r = cbbd('show', 'gold/team_power_rankings');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('gold/team_power_rankings (season 2024): 25 of 30 rows, by composite_rank');
    expect(lines[2]).toMatch(/^teamId\s+team\s+conference\s+adj_net_rating\s+srs_rating\s+composite_score\s+composite_rank\s+season$/);
    const rows = lines.slice(4);
    expect(rows).toHaveLength(25);
    // The files hold the rows shuffled: the order is the declared one, 1 to 25.
    expect(rows.map((l) => Number(l.trim().split(/\s{2,}/)[6]))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(rows[0]).toMatch(/^\s*1000\s+Aldermoor\s+Northern\s+24\.00\s+22\.75\s+100\.0\s+1\s+2024$/);
    expect(rows[1]).toContain('96.7'); // 96.666…, rounded for the terminal
  });

  it('gives exact values as CSV and JSON, with --season, --date and --limit', () => {
    const csv = cbbd('show', 'gold/team_power_rankings', '--season', '2023', '--limit', '3', '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.trimEnd().split('\n')).toEqual([
      'teamId,team,conference,adj_net_rating,srs_rating,composite_score,composite_rank,season',
      '1000,Aldermoor,Northern,24,22.75,99.5,1,2023',
      '1001,Brightwater,Coastal,22.5,21.25,96.16666666666667,2,2023',
      '1002,Cindervale,Prairie,21,19.75,92.83333333333333,3,2023',
    ]);
    const json = cbbd('show', 'gold/team_adjusted_efficiencies', '--date', '2024-01-15', '--limit', '40', '--format', 'json');
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(TEAMS.length);
    expect(new Set(rows.map((row) => row.date))).toEqual(new Set(['2024-01-15']));
    expect(rows[0]).toMatchObject({ teamId: '1000', rating_date: '2024-01-15', team: 'Aldermoor', season: 2024, date: '2024-01-15' });
  });

  it.each([
    [['show', 'gold/team_power_ranking'], /^cbbd: Unknown asset "gold\/team_power_ranking"\. Did you mean "gold\/team_power_rankings"\?$/],
    [['show', 'gold/team_adjusted_efficiencies_no_garbage', '--season', '2024'], /^cbbd: gold\/team_adjusted_efficiencies_no_garbage has no data for season 2024: run `cbbd materialize gold\/team_adjusted_efficiencies_no_garbage --season 2024` first\.$/],
    [['show', 'gold/team_adjusted_efficiencies', '--date', '2024-01-16'], /^cbbd: gold\/team_adjusted_efficiencies has no data for 2024-01-16: run `cbbd materialize gold\/team_adjusted_efficiencies --date 2024-01-16` first\.$/],
    [['show', 'raw/games'], /^cbbd: raw\/games is raw JSON as the API returned it, not a table; cbbd show reads bronze, silver and gold tables\.$/],
    [['show', 'gold/team_power_rankings', '--season', '2031'], /^cbbd: Season 2031 is outside the configured range 2023-2024/],
    [['show', 'gold/team_power_rankings', '--season', "2024'; drop"], /^cbbd: "2024'; drop" is not a season/],
    [['show', 'gold/team_power_rankings', '--date', '2024-01-15'], /^cbbd: gold\/team_power_rankings is partitioned by season only: use --season, not --date\.$/],
    [['show', 'gold/team_adjusted_efficiencies', '--date', '2024-02-30'], /^cbbd: "2024-02-30" is not a real date/],
    [['show', 'gold/team_adjusted_efficiencies', '--season', '2023', '--date', '2024-01-15'], /^cbbd: 2024-01-15 is not inside season 2023's window/],
    [['show', 'gold/team_power_rankings', '--limit', '0'], /^cbbd: limit "0" is not a number of rows from 1 to 1000/],
    [['show', 'gold/team_power_rankings', '--limit', '5;'], /^cbbd: limit "5;" is not a number of rows/],
    [['show', 'gold/team_power_rankings', '--format', 'xml'], /^cbbd: --format xml: use table, csv or json\.$/],
  ])('cbbd %j exits 2 with one line', (args, message) => refused(args, message));
});
