/**
 * Dead letters end to end: the real assets against the in-process simulator, which sends a truncated body on every
 * attempt; the request is kept in deadletter/ (not written as data), listed, and replayed once the API behaves.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');

function cbbd(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A project in `dir` with two configurations: bad.yaml, whose simulator truncates the next two answers (one request
 * and its retry: a dead letter), the one `env` names; and good.yaml, the same without the fault, for the replay.
 */
function deadLetterProject(dir: string): NodeJS.ProcessEnv {
  const base = `assets: ${resolve('assets/index.ts')}\nseasons: { first: 2024, last: 2024 }\nlakehouse: { root: ${join(dir, 'lakehouse')} }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n` +
    'materialize: { retries: 0 }\nsource: { retries: 1 }\n';
  writeFileSync(join(dir, 'bad.yaml'), `${base}simulator: { faults: { sequence: [truncated, truncated] } }\n`);
  writeFileSync(join(dir, 'good.yaml'), base);
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'bad.yaml') };
  delete env.CBBD_API_KEY;
  delete env.BEARER_TOKEN;
  return env;
}

describe('cbbd deadletter', () => {
  it('keeps an unusable response out of the lakehouse, lists it, and replays it', () => {
    const dir = tempDir('cbbd-deadletter-');
    const env = deadLetterProject(dir);

    const failed = cbbd(env, 'materialize', 'raw/conferences');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('body is not valid JSON');
    expect(failed.stdout).toContain('cbbd deadletter replay');
    expect(existsSync(join(dir, 'lakehouse/raw/conferences'))).toBe(false);

    const listed = cbbd(env, 'deadletter', '--json');
    expect(listed.code).toBe(0);
    const letters = JSON.parse(listed.stdout) as { key: string; letter: { path: string; reason: string; attempts: number; asset: string; partitions: string[]; body: string } }[];
    expect(letters).toHaveLength(1);
    expect(letters[0]!.key).toMatch(/^deadletter\/conferences\/[0-9a-f]{16}\.json$/);
    expect(letters[0]!.letter).toMatchObject({ path: '/conferences', attempts: 2, asset: 'raw/conferences', partitions: ['-'] });
    expect(letters[0]!.letter.reason).toMatch(/^body is not valid JSON/);
    expect(letters[0]!.letter.body.length).toBeGreaterThan(0);
    expect(listed.stdout).not.toContain('simulator-local-key');

    const replayed = cbbd({ ...env, CBBD_CONFIG: join(dir, 'good.yaml') }, 'deadletter', 'replay');
    expect(replayed.stdout).toContain('Replayed: GET /conferences for raw/conferences');
    expect(replayed.code).toBe(0);
    expect(readdirSync(join(dir, 'lakehouse/raw/conferences')).length).toBe(1);
    expect(cbbd(env, 'deadletter').stdout).toContain('No dead letters');
  });

  it("a replay also builds an unpartitioned table held back beside a season's (bronze/conferences beside raw/rankings 2024)", () => {
    const dir = tempDir('cbbd-deadletter-held-');
    const base = `assets: ${resolve('assets/index.ts')}\nseasons: { first: 2024, last: 2024 }\nlakehouse: { root: ${join(dir, 'lakehouse')} }\nrunLog: { path: ${join(dir, 'runlog.sqlite')} }\n` +
      'materialize: { retries: 0 }\nsource: { retries: 1 }\n';
    // Every attempt of both requests (two each) gets a truncated body.
    writeFileSync(join(dir, 'bad.yaml'), `${base}simulator: { faults: { sequence: [truncated, truncated, truncated, truncated] } }\n`);
    writeFileSync(join(dir, 'good.yaml'), base);
    const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'bad.yaml') };
    delete env.CBBD_API_KEY;
    delete env.BEARER_TOKEN;

    const failed = cbbd(env, 'materialize', 'raw/conferences+,raw/rankings,bronze/rankings', '--season', '2024');
    expect(failed.code).toBe(1);
    const letters = JSON.parse(cbbd(env, 'deadletter', '--json').stdout) as { letter: { asset: string; partitions: string[] } }[];
    expect(letters.map((l) => `${l.letter.asset} ${l.letter.partitions.join()}`).sort()).toEqual(['raw/conferences -', 'raw/rankings 2024']);

    const replayed = cbbd({ ...env, CBBD_CONFIG: join(dir, 'good.yaml') }, 'deadletter', 'replay');
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    for (const table of ['bronze/conferences', 'silver/dim_conferences', 'bronze/rankings']) {
      expect(existsSync(join(dir, 'lakehouse', table)), `${table} built by the replay`).toBe(true);
    }
  });

  it("lists only letters: bronze's quarantine is not one, and a malformed letter is skipped with a line, not a stack", () => {
    const dir = tempDir('cbbd-deadletter-bad-');
    const env = deadLetterProject(dir);
    expect(cbbd(env, 'materialize', 'raw/conferences').code).toBe(1); // one real letter
    const deadletter = join(dir, 'lakehouse', 'deadletter');
    // What bronze keeps of records it quarantined, beside the letters: not a letter.
    mkdirSync(join(deadletter, 'quarantine/bronze/games/season=2024'), { recursive: true });
    writeFileSync(join(deadletter, 'quarantine/bronze/games/season=2024/records.json'), JSON.stringify([{ reason: 'id is not an integer', record: { id: 'x' } }]));
    // Named like letters, but not: one that is not JSON, one whose fields are wrong.
    mkdirSync(join(deadletter, 'games'));
    writeFileSync(join(deadletter, 'games/0123456789abcdef.json'), '{"path": 5, "params": {}}');
    mkdirSync(join(deadletter, 'teams'));
    writeFileSync(join(deadletter, 'teams/fedcba9876543210.json'), '{ not json');

    const listed = cbbd(env, 'deadletter');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('1 dead letter(s)');
    expect(listed.stdout).toContain('GET /conferences');
    expect(listed.stdout + listed.stderr).not.toMatch(/GET undefined|quarantine|\n\s+at /);
    expect(listed.stderr).toContain('Skipped deadletter/games/0123456789abcdef.json: not a dead letter (path: Invalid input: expected string, received number); left as it is.');
    expect(listed.stderr).toContain('Skipped deadletter/teams/fedcba9876543210.json: not JSON; left as it is.');
    const json = cbbd(env, 'deadletter', '--json');
    expect((JSON.parse(json.stdout) as { key: string }[]).map((l) => l.key)).toEqual([expect.stringMatching(/^deadletter\/conferences\/[0-9a-f]{16}\.json$/)]);

    const replayed = cbbd({ ...env, CBBD_CONFIG: join(dir, 'good.yaml') }, 'deadletter', 'replay');
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('Replayed: GET /conferences for raw/conferences');
    expect(replayed.stdout).not.toContain('Kept');
    // What is not a letter is left where it was, for a person to look at.
    expect(existsSync(join(deadletter, 'quarantine/bronze/games/season=2024/records.json'))).toBe(true);
    expect(existsSync(join(deadletter, 'games/0123456789abcdef.json'))).toBe(true);
  });
});
