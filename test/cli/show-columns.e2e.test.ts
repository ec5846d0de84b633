/**
 * `cbbd show` and `cbbd query` as a person reads them: in an 80-column terminal, key and name columns first and only
 * as many as fit, with a note of those left out; `--columns` picks them; DuckDB's hints kept whole in a query error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGoldLakehouse } from '../fixtures/gold-preview.ts';
import { runInTerminal } from './_terminal.ts';

const BIN = resolve('bin/cbbd.js');
const dir = mkdtempSync(join(tmpdir(), 'cbbd-show-cols-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let env: NodeJS.ProcessEnv;

function cbbd(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('show and query for a person', () => {
  beforeAll(async () => {
    await writeGoldLakehouse(join(dir, 'lakehouse'));
    writeFileSync(join(dir, 'config.yaml'), [
      `assets: ${resolve('test/fixtures/gold-preview.ts')}`, 'seasons: { first: 2023, last: 2024 }',
      `lakehouse: { root: ${join(dir, 'lakehouse')} }`, `runLog: { path: ${join(dir, 'runlog.sqlite')} }`, `checkpoints: { path: ${join(dir, 'checkpoints.sqlite')} }`,
    ].join('\n'));
    env = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    for (const knob of ['CBBD_API_KEY', 'BEARER_TOKEN', 'CBBD_API_BASE_URL']) delete env[knob];
  }, 60_000);

  it('fits an 80-column terminal: key columns, then names, then what fits, and says which were left out', async () => {
    const session = runInTerminal(['show', 'gold/team_adjusted_efficiencies', '--season', '2024', '--limit', '3'], { cols: 80, env });
    expect(await session.exited).toBe(0);
    const screen = session.screen();
    const header = screen.findIndex((l) => l.trimStart().startsWith('teamId'));
    expect(header, screen.join('\n')).toBeGreaterThan(0);
    expect(screen[header]!.trim().split(/\s+/).slice(0, 4)).toEqual(['teamId', 'season', 'rating_date', 'team']);
    // No table line wider than the terminal (a wrapped line would be joined back longer than 80).
    for (const line of screen.slice(header, header + 5)) expect(line.length).toBeLessThanOrEqual(80);
    const note = screen.at(-1)!;
    expect(note).toMatch(/^\(\d+ more column\(s\) not shown to fit 80 columns: .*adj_margin.*; --columns a,b,c picks them, --format csv prints every one\)$/);

    // Piped, every column as before.
    const piped = cbbd('show', 'gold/team_adjusted_efficiencies', '--season', '2024', '--limit', '3');
    expect(piped.stdout).toContain('sos_de');
  }, 60_000);

  it('--columns prints those, in that order; a misspelt one gets "did you mean"', () => {
    const r = cbbd('show', 'gold/team_adjusted_efficiencies', '--season', '2024', '--limit', '2', '--columns', 'team,adj_oe');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[2]!.trim().split(/\s+/)).toEqual(['team', 'adj_oe']);
    const bad = cbbd('show', 'gold/team_adjusted_efficiencies', '--columns', 'team,adj_o');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cbbd: The table has no column "adj_o". Did you mean "adj_oe"?');
  }, 60_000);

  it('query keeps DuckDB\'s hints, on one line', () => {
    const r = cbbd('query', 'select adj_o from gold.team_adjusted_efficiencies');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^cbbd: query failed: Binder Error: Referenced column "adj_o" not found in FROM clause! Candidate bindings: .*"adj_oe"/);
    const table = cbbd('query', 'select 1 from gold.team_adjusted_efficiency');
    expect(table.stderr.trim().split('\n').at(-1)).toMatch(/^cbbd: query failed: Catalog Error: Table with name team_adjusted_efficiency does not exist! Did you mean "(gold\.)?team_adjusted_efficiencies"\?/);
  }, 60_000);

  it('prints control characters from the data escaped, in a table and in CSV', () => {
    const sql = "select 'Hostile' || chr(27) || '[2J U' as team";
    for (const format of ['table', 'csv']) {
      const r = cbbd('query', sql, '--format', format);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Hostile\\x1b[2J U');
      expect(r.stdout).not.toContain('\u001b');
    }
    expect(JSON.parse(cbbd('query', sql, '--format', 'json').stdout)).toEqual([{ team: 'Hostile\u001b[2J U' }]);
  }, 60_000);
});
