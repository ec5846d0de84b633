/**
 * Common mistakes get a hint with the fix: an unquoted `*` the shell expanded, an asset key typed without its layer,
 * a run id typed in part.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');

function project() {
  const dir = tempDir('cbbd-mistakes-');
  writeFileSync(join(dir, 'config.yaml'), `assets: ${resolve('test/fixtures/small-graph.ts')}\nseasons: { first: 2023, last: 2024 }\nmaterialize: { concurrency: 2, retries: 0 }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_TEST_OUT: join(dir, 'out'), CBBD_CONFIG: join(dir, 'config.yaml') };
  for (const knob of ['CBBD_API_KEY', 'CBBD_API_BASE_URL', 'CBBD_TEST_FAIL', 'CBBD_TEST_SLEEP_MS']) delete env[knob];
  const cbbd = (args: string[], cwd = dir) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, cwd, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, cbbd };
}

describe('hints for common mistakes', () => {
  it('an unquoted * expanded by the shell: says so, with the command quoted', () => {
    const { dir, cbbd } = project();
    const here = join(dir, 'work');
    mkdirSync(here);
    for (const name of ['README.md', 'assets', 'package.json']) writeFileSync(join(here, name), '');
    // What `cbbd materialize * --season 2024` becomes in a folder holding these three names.
    const r = cbbd(['materialize', 'README.md', 'assets', 'package.json', '--season', '2024'], here);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cbbd: the shell expanded an unquoted * into the 3 files and folders here (README.md, assets, package.json). Quote it: cbbd materialize '*' --season 2024");
  }, 60_000);

  it('an asset key without its layer gets the key with it; a run id in part names the run', () => {
    const { cbbd } = project();
    const r = cbbd(['plan', 'team_power_rankings']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown asset "team_power_rankings" in the selection. Did you mean "gold/team_power_rankings"?');

    expect(cbbd(['materialize', 'raw/teams']).code).toBe(0);
    const id = (JSON.parse(cbbd(['runs', '--json']).stdout) as { id: string }[])[0]!.id;
    const bySuffix = cbbd(['runs', 'show', id.slice(-6)]);
    expect(bySuffix.code, bySuffix.stderr).toBe(0);
    expect(bySuffix.stdout).toMatch(new RegExp(`^Run ${id}: succeeded`));
    expect(cbbd(['runs', 'show', id.slice(0, 15)]).stdout).toMatch(new RegExp(`^Run ${id}: succeeded`));
  }, 60_000);
});
