/**
 * The UI token of `cbbd serve`, as a user meets it: without CBBD_UI_TOKEN the server makes a random one, keeps it in
 * a file only this user can read and prints it in the page's address (`#token=`) on the first start; on loopback every
 * change needs it (reads do not), beyond loopback every API read too, and there it is shown on the first start only;
 * a CBBD_UI_TOKEN under 16 characters is refused; the token never reaches the log. And the run log a first command
 * makes is for this user's eyes only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { redactSecrets } from '../../src/core/redact.ts';
import { MIN_TOKEN_LENGTH, uiToken } from '../../src/cli/ui-token.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve('bin/cbbd.js');
const FIXTURE = resolve('test/fixtures/small-graph.ts');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function project(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('cbbd-token-');
  writeFileSync(join(dir, 'config.yaml'), `assets: ${FIXTURE}\nseasons: { first: 2023, last: 2024 }\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, CBBD_TEST_OUT: join(dir, 'out'), CBBD_CONFIG: join(dir, 'config.yaml'), CBBD_API_KEY: 'cbbd-test-key-9f8e7d6c5b4a' };
  delete env.CBBD_UI_TOKEN;
  return { dir, env };
}

/** `cbbd serve` on all addresses (or `host`), until it says where it listens; its output so far. */
async function serve(env: NodeJS.ProcessEnv, host = '0.0.0.0'): Promise<{ url: string; stdout: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', host, '--port', '0', '--no-schedules'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = new RegExp(`Lineage page on http://${host.replaceAll('.', '\\.')}:(\\d+)/\\S* \\(Ctrl-C`).exec(stdout);
      if (m) done(`http://127.0.0.1:${m[1]}`);
    });
    child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { url, stdout, stderr: () => stderr };
}

describe('the UI token of cbbd serve', () => {
  it('beyond loopback without CBBD_UI_TOKEN: a random one, kept 0600, shown once, asked of every API read', { timeout: 60_000 }, async () => {
    const { dir, env } = project();
    const first = await serve(env);
    const m = /UI token \(made now, kept in (\S+), readable by you only\): (\S+)/.exec(first.stdout);
    expect(m, first.stdout).not.toBeNull();
    const [, file, token] = m!;
    expect(first.stdout).toMatch(new RegExp(`^Lineage page on http://0\\.0\\.0\\.0:\\d+/#token=${token} \\(Ctrl-C stops it\\)$`, 'm'));
    expect(file).toBe(join(dir, '.cbbd', 'ui-token'));
    expect(token!.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(readFileSync(file!, 'utf8').trim()).toBe(token);
    expect((await fetch(`${first.url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${first.url}/api/runs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // The run log and its folder, made by this first command, are this user's only.
    expect(statSync(join(dir, '.cbbd')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '.cbbd', 'runlog.sqlite')).mode & 0o777).toBe(0o600);
    children.pop()!.kill('SIGKILL');

    const second = await serve(env);
    expect(second.stdout).toContain(`UI token: the one in ${file}`);
    expect(second.stdout + second.stderr()).not.toContain(token);
    expect((await fetch(`${second.url}/api/runs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('uses a CBBD_UI_TOKEN of 16 characters or more, never printed, and makes no file', { timeout: 60_000 }, async () => {
    const { dir, env } = project();
    const server = await serve({ ...env, CBBD_UI_TOKEN: 'sixteen-chars-ok' });
    expect(server.stdout).toContain('UI token: CBBD_UI_TOKEN');
    expect(server.stdout).not.toContain('sixteen-chars-ok');
    expect((await fetch(`${server.url}/api/runs`, { headers: { authorization: 'Bearer sixteen-chars-ok' } })).status).toBe(200);
    expect(existsSync(join(dir, '.cbbd', 'ui-token'))).toBe(false);
  });

  it('on loopback too: no change without the token (reads need none), the token in the printed address', { timeout: 60_000 }, async () => {
    const { dir, env } = project();
    const first = await serve(env, '127.0.0.1');
    const address = /^Lineage page on (http:\/\/127\.0\.0\.1:\d+\/)#token=([\w-]{32}) \(Ctrl-C stops it\)$/m.exec(first.stdout);
    expect(address, first.stdout).not.toBeNull();
    const token = address![2]!;
    const file = join(dir, '.cbbd', 'ui-token');
    expect(first.stdout).toContain(`UI token (made now, kept in ${file}, readable by you only): ${token}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    let base = first.url;
    const post = (path: string, body: unknown, authorization?: string) => fetch(`${base}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) }, body: JSON.stringify(body),
    });
    // Anyone on the machine could otherwise start runs and spend the month's quota, or switch the schedules.
    const run = { selection: 'raw/*', season: 2024 };
    for (const authorization of [undefined, '', 'Bearer ', `Bearer ${token.slice(1)}`]) {
      const refused = await post('/api/runs', run, authorization);
      expect(refused.status, String(authorization)).toBe(401);
      expect(((await refused.json()) as { error: string }).error).toMatch(/requires its UI token/);
      expect((await post('/api/materialize', run, authorization)).status).toBe(401);
      expect((await post('/api/schedules/nightly/enabled', { enabled: false }, authorization)).status).toBe(401);
    }
    expect((await fetch(`${first.url}/api/runs`)).status).toBe(200);
    expect(((await (await fetch(`${first.url}/api/runs`)).json()) as { runs: unknown[] }).runs).toEqual([]);
    const started = await post('/api/runs', run, `Bearer ${token}`);
    expect(started.status, await started.clone().text()).toBe(202);
    expect(((await started.json()) as { runId: string }).runId).toMatch(/^r\d{8}-\d{6}-[0-9a-f]+$/);
    expect(first.stderr()).not.toContain(token); // the log never has it
    children.pop()!.kill('SIGKILL');

    // A later start whose output is no terminal (a log file, here a pipe): the same token, not printed again.
    const second = await serve(env, '127.0.0.1');
    expect(second.stdout).toContain(`UI token: the one in ${file} (the page asks for it once per tab`);
    expect(second.stdout).toMatch(/^Lineage page on http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C stops it\)$/m);
    expect(second.stdout + second.stderr()).not.toContain(token);
    base = second.url;
    expect((await post('/api/runs', run)).status).toBe(401);
    expect((await post('/api/runs/r20260101-000000-abcdef/cancel', {})).status).toBe(401);
    expect((await post('/api/runs/r20260101-000000-abcdef/cancel', {}, `Bearer ${token}`)).status).not.toBe(401);
  });
});

describe('uiToken', () => {
  const file = () => join(tempDir('cbbd-token-file-'), 'state', 'ui-token');

  it.each([['x', 1], ['12345', 5], ['fifteen-chars-x', 15]])('refuses CBBD_UI_TOKEN %j (%i characters), on loopback too', (env, length) => {
    for (const loopback of [true, false]) {
      expect(() => uiToken({ env, file: file(), loopback })).toThrow(UsageError);
      expect(() => uiToken({ env, file: file(), loopback })).toThrow(`CBBD_UI_TOKEN is ${length} character(s); use at least ${MIN_TOKEN_LENGTH}`);
    }
  });

  it('makes one on loopback too, in the page\'s address on the first start and, on a terminal, at later ones', () => {
    const path = file();
    const made = uiToken({ env: undefined, file: path, loopback: true });
    expect(made.token).toMatch(/^[\w-]{32}$/);
    expect(made.inPageAddress).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(uiToken({ env: '  ', file: path, loopback: true, terminal: true })).toMatchObject({ token: made.token, inPageAddress: true });
    expect(uiToken({ env: undefined, file: path, loopback: true, terminal: false })).toMatchObject({ token: made.token, inPageAddress: false });
    // Beyond loopback a server's output is a service's log more often than not: shown once, when made.
    expect(uiToken({ env: undefined, file: path, loopback: false, terminal: true })).toMatchObject({ token: made.token, inPageAddress: false });
    // CBBD_UI_TOKEN is never printed: whoever set it knows it.
    expect(uiToken({ env: 'a-token-of-16-ch', file: path, loopback: true, terminal: true })).toMatchObject({ token: 'a-token-of-16-ch', inPageAddress: false });
  });

  it('redacts every token it hands out', () => {
    const given = uiToken({ env: 'a-token-of-16-ch', file: file(), loopback: true })!;
    expect(redactSecrets(`Bearer-less: ${given.token}`)).toBe('Bearer-less: [REDACTED]');
    const made = uiToken({ env: undefined, file: file(), loopback: false })!;
    expect(redactSecrets(`token=${made.token}`)).toBe('token=[REDACTED]');
  });

  it('refuses a token file that others may read, that is a link, or that is too short', () => {
    const path = file();
    const made = uiToken({ env: undefined, file: path, loopback: false })!;
    expect(uiToken({ env: undefined, file: path, loopback: false })!.token).toBe(made.token);
    chmodSync(path, 0o644);
    expect(() => uiToken({ env: undefined, file: path, loopback: false })).toThrow(/others may read it \(mode 644\): remove it and start again/);
    unlinkSync(path);
    const elsewhere = join(tempDir('cbbd-token-elsewhere-'), 'token');
    writeFileSync(elsewhere, 'a-long-enough-token-planted-by-someone', { mode: 0o600 });
    symlinkSync(elsewhere, path);
    expect(() => uiToken({ env: undefined, file: path, loopback: false })).toThrow(/it is a symbolic link/);
    unlinkSync(path);
    writeFileSync(path, 'short\n', { mode: 0o600 });
    expect(() => uiToken({ env: undefined, file: path, loopback: false })).toThrow(/shorter than 16 characters/);
  });
});
