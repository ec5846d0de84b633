/**
 * The UI token of `cbbd serve`, as a user meets it: beyond loopback without CBBD_UI_TOKEN the server makes a random
 * one, keeps it in a file only this user can read, shows it on the first start only, and asks every API read for
 * it; a CBBD_UI_TOKEN under 16 characters is refused; the token never reaches the log. And the run log a first
 * command makes is for this user's eyes only.
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

/** `cbbd serve` on all addresses, until it says where it listens; its output so far. */
async function serve(env: NodeJS.ProcessEnv): Promise<{ url: string; stdout: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--no-schedules'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Lineage page on http:\/\/0\.0\.0\.0:(\d+)\//.exec(stdout);
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
    const m = /UI token \(made now, shown this once, kept in (\S+), readable by you only\): (\S+)/.exec(first.stdout);
    expect(m, first.stdout).not.toBeNull();
    const [, file, token] = m!;
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
});

describe('uiToken', () => {
  const file = () => join(tempDir('cbbd-token-file-'), 'state', 'ui-token');

  it.each([['x', 1], ['12345', 5], ['fifteen-chars-x', 15]])('refuses CBBD_UI_TOKEN %j (%i characters), on loopback too', (env, length) => {
    for (const loopback of [true, false]) {
      expect(() => uiToken({ env, file: file(), loopback })).toThrow(UsageError);
      expect(() => uiToken({ env, file: file(), loopback })).toThrow(`CBBD_UI_TOKEN is ${length} character(s); use at least ${MIN_TOKEN_LENGTH}`);
    }
  });

  it('has none on loopback without CBBD_UI_TOKEN, and redacts every token it hands out', () => {
    expect(uiToken({ env: undefined, file: file(), loopback: true })).toBeUndefined();
    expect(uiToken({ env: '  ', file: file(), loopback: true })).toBeUndefined();
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
