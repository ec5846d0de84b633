/**
 * The lakehouse end to end, from a clean folder: `cbbd materialize 'silver/*' --season 2024` against the in-process
 * simulator (demo scale) fills raw, bronze and silver; `cbbd query` answers over the DuckDB catalog; every silver
 * table has rows and its natural key is unique across the table; a second run changes nothing and writes no file.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SILVER_TABLES } from '../../assets/silver/tables.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');

function cbbd(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(dir: string): Map<string, number> {
  return new Map(readdirSync(dir, { recursive: true }).map(String).filter((f) => !statSync(join(dir, f)).isDirectory()).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
}

describe('the local lakehouse', () => {
  it('materializes every silver table for a season, queryable, keys unique, and a second run writes nothing', () => {
    const dir = tempDir('cbbd-lake-');
    writeFileSync(join(dir, 'config.yaml'), `assets: ${resolve('assets/index.ts')}\nseasons: { first: 2024, last: 2024 }\nlakehouse: { root: ${join(dir, 'lakehouse')} }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml') };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;

    const run = cbbd(env, 'materialize', 'silver/*', '--season', '2024');
    expect(run.stdout).toMatch(/succeeded in .*, 0 failed, 0 skipped/);
    expect(run.code).toBe(0);

    const count = cbbd(env, 'query', 'select count(*) as n from silver.fct_plays', '--format', 'json');
    expect(count.code).toBe(0);
    expect(Number((JSON.parse(count.stdout) as { n: string }[])[0]!.n)).toBeGreaterThan(10_000);

    const checks = SILVER_TABLES.map((t) => {
      const key = t.key.map((k) => `"${k}"`).join(', ');
      return `select '${t.name}' as t, count(*) as n, (select count(*) from (select ${key} from silver.${t.name} group by ${key} having count(*) > 1)) as dup from silver.${t.name}`;
    }).join(' union all ');
    const result = cbbd(env, 'query', checks, '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { t: string; n: string; dup: string }[];
    expect(rows).toHaveLength(23);
    for (const r of rows) {
      expect(Number(r.n), `${r.t} has rows`).toBeGreaterThan(0);
      expect(Number(r.dup), `${r.t} keys are unique`).toBe(0);
    }
    // Game facts live in date folders by game date.
    expect(readdirSync(join(dir, 'lakehouse/silver/fct_games/season=2024')).every((d) => /^date=2023-1[12]-\d\d$|^date=2024-0[1-4]-\d\d$/.test(d))).toBe(true);

    const before = files(join(dir, 'lakehouse'));
    const again = cbbd(env, 'materialize', 'silver/*', '--season', '2024');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to materialize');
    expect(files(join(dir, 'lakehouse'))).toEqual(before);

    expect(cbbd(env, 'query', 'drop table silver.fct_games').stderr).toContain('read-only');
  }, 300_000);
});
