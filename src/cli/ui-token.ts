/**
 * The UI token of `cbbd serve`: what every state-changing request (and, beyond loopback, every API read) must carry,
 * on loopback too (anyone on the machine can reach 127.0.0.1). `CBBD_UI_TOKEN` when set, at least MIN_TOKEN_LENGTH
 * characters. Otherwise a random one kept in a file only this user can read (`ui-token` beside the run log), made on
 * the first start. The page learns it from the address serve prints (`#token=`, a fragment: never sent to the server
 * nor logged by a proxy): on the first start always; on later starts only on loopback with a terminal for output
 * (not a log file others may read). CBBD_UI_TOKEN is never printed: whoever set it knows it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';

/** Shorter tokens are refused: a guessable token guards nothing, and short values would not be redacted. */
export const MIN_TOKEN_LENGTH = 16;

export interface UiToken {
  readonly token: string;
  /** What to print as the server starts (the token itself the first time only). */
  readonly notice: string;
  /** Whether the page's address serve prints carries the token (`#token=`), for the page to learn it. */
  readonly inPageAddress: boolean;
}

/**
 * The token a server bound to a loopback address (`loopback`) or beyond it needs, registered as a secret. `terminal`:
 * serve's output is a terminal (a person reads it, not a log file). Throws a UsageError for a token too short, or a
 * token file that others could read or that is not a plain file of this user's.
 */
export function uiToken(options: { readonly env: string | undefined; readonly file: string; readonly loopback: boolean; readonly terminal?: boolean }): UiToken {
  const given = options.env?.trim() || undefined;
  if (given !== undefined) {
    if (given.length < MIN_TOKEN_LENGTH) {
      throw new UsageError(`CBBD_UI_TOKEN is ${given.length} character(s); use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 16), or unset it for a random one kept in ${options.file}.`);
    }
    registerSecret(given);
    return { token: given, notice: 'UI token: CBBD_UI_TOKEN (the page asks for it once per tab).', inPageAddress: false };
  }
  const kept = readTokenFile(options.file);
  if (kept !== undefined) {
    registerSecret(kept);
    // Again in the address only for a person at a terminal on loopback: beyond loopback, or into a file, it was once.
    const shown = options.loopback && options.terminal === true;
    return {
      token: kept, inPageAddress: shown,
      notice: `UI token: the one in ${options.file} (${shown ? 'the address below carries it' : 'the page asks for it once per tab'}; CBBD_UI_TOKEN overrides it).`,
    };
  }
  const token = randomBytes(24).toString('base64url');
  writeTokenFile(options.file, token);
  registerSecret(token);
  return {
    token, inPageAddress: true,
    notice: `UI token (made now, kept in ${options.file}, readable by you only): ${token}\n` +
      'Open the page by the address below, which carries it; scripts send it as Authorization: Bearer <token>.',
  };
}

/** The token kept in `file`, or undefined when there is none yet. */
function readTokenFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read the UI token in ${file} (${code === 'ELOOP' ? 'it is a symbolic link' : code}): remove it and start again for a new one, or set CBBD_UI_TOKEN.`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.uid !== process.getuid?.() || (stats.mode & 0o077) !== 0) {
      throw new UsageError(`${file} holds the UI token but ${stats.isFile() ? `others may read it (mode ${(stats.mode & 0o777).toString(8)})` : 'is not a file'}: remove it and start again for a new one, or set CBBD_UI_TOKEN.`);
    }
    const buffer = Buffer.alloc(256);
    const token = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8').trim();
    if (token.length < MIN_TOKEN_LENGTH) throw new UsageError(`${file} holds a UI token shorter than ${MIN_TOKEN_LENGTH} characters: remove it and start again for a new one.`);
    return token;
  } finally {
    closeSync(fd);
  }
}

/** Create the token file, 0600, failing rather than writing through anything already there. */
function writeTokenFile(file: string, token: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}
