/**
 * Bad input on the command line: every command, given a malformed selection, season, date, JSON parameter or option,
 * or run with a bad config.yaml, exits 2 with a one-line error that says how to fix it, never a stack trace and
 * never a partial run. Real processes, two at a time (the machine has two cores).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve('bin/cbbd.js');
const SMALL = resolve('test/fixtures/small-graph.ts');
const REAL = resolve('assets/index.ts');
const spawnLimit = pLimit(2);

// Folders shared by concurrent tests: removed once the file is done, not after each test.
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(assets: string, extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'cbbd-bad-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.yaml'), `assets: ${assets}\nseasons: { first: 2023, last: 2024 }\n${extra}`);
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_TEST_OUT: join(dir, 'out') };
  for (const name of ['CBBD_API_KEY', 'BEARER_TOKEN', 'CBBD_API_BASE_URL', 'CBBD_UI_TOKEN']) delete env[name];
  return { dir, env };
}

function cbbd(env: NodeJS.ProcessEnv, args: readonly string[]) {
  return spawnLimit(() => new Promise<{ code: number | null; stderr: string; stdout: string }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  }));
}

/** The lines a user reads: stderr without the first line naming the source. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l && !l.startsWith('Source: '));
}

function expectUsageError(result: { code: number | null; stderr: string; stdout: string }, message: RegExp) {
  const lines = errorLines(result.stderr);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/\n\s+at \S+ \(|unexpected error/);
  expect(lines[0], result.stderr).toMatch(message);
  // One line from cbbd; from commander its line, perhaps a "did you mean", and a one-line hint.
  if (lines[0]!.startsWith('error: ')) {
    expect(lines.length, result.stderr).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/--help/);
  } else expect(lines, result.stderr).toHaveLength(1);
}

const available = new Set(
  (await new Promise<string>((done) => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => done(out));
  })).split('\n').map((l) => /^ {2}([a-z]+) /.exec(l)?.[1]).filter((c): c is string => Boolean(c)),
);

// [what, argv, the first line's expected wording]; each run against the small graph unless the table says otherwise.
const CASES: [string, string[], RegExp][] = [
  ['a season that is not a year', ['plan', '*', '--season', 'abc'], /^cbbd: "abc" is not a season: use a four-digit year such as 2024/],
  ['a season before the configured range', ['plan', '*', '--season', '1800'], /^cbbd: Season 1800 is outside the configured range 2023-2024 \(seasons in config\.yaml\)\.$/],
  ['a fractional season', ['materialize', '*', '--season', '2024.5'], /is not a season/],
  ['a season range that runs backwards', ['plan', '*', '--seasons', '2024-2020'], /^cbbd: --seasons 2024-2020 runs backwards: put the earlier season first\.$/],
  ['a season range that is one season', ['materialize', '*', '--seasons', '2024'], /is not a range: use FROM-TO/],
  ['a date that does not exist', ['plan', '*', '--date', '2024-02-30'], /^cbbd: "2024-02-30" is not a real date: use YYYY-MM-DD/],
  ['a month 13', ['materialize', '*', '--date', '2024-13-01'], /is not a real date/],
  ['a date out of every season', ['plan', '*', '--date', '2024-07-01'], /is not inside any configured season/],
  ['a date with a NUL escape', ['plan', '*', '--date', '2024-01-0%00'], /is not a real date/],
  ['from after to', ['materialize', '*', '--from', '2024-01-10', '--to', '2024-01-01'], /--from 2024-01-10 is after --to 2024-01-01/],
  ['two season filters', ['plan', '*', '--season', '2024', '--seasons', '2023-2024'], /Use only one of --season, --seasons and --date/],
  ['a misspelt asset', ['plan', 'gold/team_power_ranking'], /Did you mean "gold\/team_power_rankings"\?$/],
  ['a path as a selection', ['materialize', '../../etc/passwd'], /^cbbd: Unknown asset "\.\.\/\.\.\/etc\/passwd" in the selection\. `cbbd status` lists every asset\.$/],
  ['an empty selection term', ['plan', 'raw/games,,silver/*'], /has an empty term/],
  ['a "+" with no key', ['status', '+'], /has "\+" but no asset key: write \+key/],
  ['a glob matching nothing', ['status', 'platinum/*'], /matches no asset/],
  ['no selection', ['materialize'], /^error: missing required argument 'selection'/],
  ['a concurrency of 0', ['materialize', '*', '--concurrency', '0'], /--concurrency 0 is not a whole number >= 1/],
  ['an unknown option', ['plan', '--seasn', '2024'], /^error: unknown option '--seasn'/],
  ['an option without its value', ['plan', '--season'], /argument missing/],
  ['an unknown command', ['materialise', '*'], /^error: unknown command 'materialise'/],
  ['an argument quota does not take', ['quota', 'now'], /too many arguments/],
  ['an empty query', ['query', ''], /The query is empty/],
  ['two statements', ['query', 'select 1; select 2'], /runs exactly one statement/],
  ['a query format', ['query', 'select 1', '--format', 'xml'], /--format xml: use table, csv or json/],
  ['a dead-letter subcommand that does not exist', ['deadletter', 'purge'], /too many arguments/],
  ['a port that is not a number', ['serve', '--port', 'http'], /--port http is not a port number/],
  ['a host name to bind', ['serve', '--host', 'evil.example'], /--host evil\.example is not an IP address/],
  ['a simulator scale', ['sim', '--scale', 'huge'], /--scale huge is not a scale: use demo or full/],
  ['a negative quota', ['sim', '--quota', '-1'], /--quota -1 is not a whole number/],
  ['a port past 65535', ['sim', '--port', '70000'], /--port 70000 is not a port number/],
];

/** Commands that landed with the operations issue: tested once they exist. */
const NEWER: [string, string, string[], RegExp][] = [
  ['backfill', 'a backward range', ['backfill', '--seasons', '2024-2020'], /runs backwards/],
  ['backfill', 'a season that is not a year', ['backfill', '--season', 'last'], /is not a season/],
  ['fetch', 'parameters that are not JSON', ['fetch', '/games', '--params', '{"season": 2024'], /--params/],
  ['fetch', 'parameters that are a list', ['fetch', '/games', '--params', '[2024]'], /--params/],
  ['fetch', 'an endpoint that does not exist', ['fetch', '/../../etc/passwd'], /endpoint|path/i],
  ['runs', 'a limit that is not a number', ['runs', '--limit', 'many'], /--limit/],
  ['validate', 'a misspelt asset', ['validate', 'gold/team_power_ranking'], /Did you mean/],
  ['schedule', 'an unknown option', ['schedule', '--every', '5m'], /^error: unknown option '--every'/],
];

describe('bad input on the command line', () => {
  const small = project(SMALL);
  it.concurrent.each(CASES)('%s: exits 2 with one line', async (_what, args, message) => {
    expectUsageError(await cbbd(small.env, args), message);
  });

  it.concurrent.each(NEWER)('%s, %s: exits 2 with one line', async (command, _what, args, message) => {
    if (!available.has(command)) return; // not landed yet
    expectUsageError(await cbbd(small.env, args), message);
  });

  const real = project(REAL);
  it.concurrent.each([
    ['a limit of 0', ['show', 'gold/team_power_rankings', '--limit', '0'], /limit "0" is not a number of rows from 1 to 1000/],
    ['a limit that is not a number', ['show', 'silver/fct_games', '--limit', 'ten'], /limit "ten" is not a number of rows/],
    ['a season that is not a year', ['show', 'silver/fct_games', '--season', 'abc'], /is not a season/],
    ['a date that does not exist', ['show', 'silver/fct_games', '--date', '2024-02-30'], /is not a real date/],
    ['a raw asset', ['show', 'raw/games'], /bronze\/games/],
    ['a traversal as an asset', ['show', 'silver/../raw/games'], /Unknown asset/],
  ] as [string, string[], RegExp][])('cbbd show with %s: exits 2 with one line', async (_what, args, message) => {
    expectUsageError(await cbbd(real.env, args), message);
  });

  // A command of the project (its module's `extensions`): there in the real project, unknown in the small graph.
  it.concurrent.each([
    ['a season that is not a year', ['gaps', '--season', 'abc'], /is not a season/],
    ['a limit that is not a number', ['gaps', '--limit', 'many'], /--limit many is not a whole number/],
  ] as [string, string[], RegExp][])('cbbd gaps with %s: exits 2 with one line', async (_what, args, message) => {
    expectUsageError(await cbbd(real.env, args), message);
  });
  it('a project command in a project without it: an unknown command', async () => {
    expectUsageError(await cbbd(small.env, ['gaps']), /^error: unknown command 'gaps'/);
  });

  it.concurrent.each([
    ['YAML that does not parse', 'seasons: [\n', /config\.yaml: not valid YAML: .* at line 2, column 1$/],
    ['an unknown key', 'nonsense: 1\n', /config\.yaml: \(top level\): Unrecognized key: "nonsense"/],
    ['a season that is text', 'seasons: { first: abc }\n', /config\.yaml: seasons\.first: .*expected number/],
    ['seasons in the wrong order', 'seasons: { first: 2025, last: 2020 }\n', /seasons\.first: first must not be after last/],
    ['a storage driver that does not exist', 'drivers: { storage: ftp }\n', /drivers\.storage: Invalid option: expected one of "local"\|"s3"/],
    ['a quota reserve that is a word', 'source: { quotaReserve: lots }\n', /source\.quotaReserve: expected a number of calls/],
    ['a negative concurrency', 'materialize: { concurrency: -3 }\n', /materialize\.concurrency: Too small/],
    ['a season window day that does not exist', 'seasons: { windowStart: "13-45" }\n', /seasons\.windowStart: expected MM-DD/],
    ['a base URL that is not a URL', 'source: { baseUrl: "not a url" }\n', /source\.baseUrl/],
    ['binary garbage', '\u0000\u0001\u00ff', /config\.yaml: /],
  ])('a config.yaml with %s: exits 2 naming the file and field', async (_what, text, message) => {
    const { dir, env } = project(SMALL);
    writeFileSync(join(dir, 'config.yaml'), text);
    for (const args of [['status'], ['sim', '--port', '0']]) expectUsageError(await cbbd(env, args), message);
  });

  it('a config file that does not exist, and an assets module that does not exist', async () => {
    expectUsageError(await cbbd({ ...small.env, CBBD_CONFIG: '/nonexistent/config.yaml' }, ['plan']), /the configuration file does not exist/);
    expectUsageError(await cbbd(small.env, ['--assets', '/nonexistent/assets.ts', 'plan']), /The assets module \/nonexistent\/assets\.ts does not exist/);
  });
});
