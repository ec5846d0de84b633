/**
 * Start-up checks of the local paths in the configuration, so a wrong one fails at once with exit 2 and the field
 * to fix, instead of a stack trace (or a process spinning on a `/proc` file) when it is first used.
 */
import { closeSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.ts';

const SQLITE_HEADER = 'SQLite format 3\0';
/** Kernel file systems: their files look empty and regular, and SQLite can spin on them forever. */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function under(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** Where a path really leads (symbolic links followed), as far as it exists: a link into /proc is /proc. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

/** A SQLite database file that may not exist yet: its folder, if present, is a folder; the file, if present, is SQLite. */
export function checkSqlitePath(field: string, path: string, configFile: string): void {
  const at = `${configFile}: ${field}`;
  if (PSEUDO_FILESYSTEMS.some((f) => under(path, f) || under(realPath(path), f))) {
    throw new ConfigError(`${at}: ${path} is on a kernel file system, not a place for a database; use a file under the project, e.g. ./.cbbd/runlog.sqlite.`);
  }
  const parent = statOrUndefined(dirname(path));
  if (parent && !parent.isDirectory()) throw new ConfigError(`${at}: ${dirname(path)} is a file, not a folder; point ${field} at a file in a folder.`);
  const file = statOrUndefined(path);
  if (!file) return;
  if (!file.isFile()) throw new ConfigError(`${at}: ${path} is not a regular file; point ${field} at a SQLite file (it is created if missing).`);
  if (file.size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new ConfigError(`${at}: ${path} exists but is not a SQLite database; move it away or point ${field} at another file (it is created if missing).`);
  }
}

/** The local lakehouse root: a folder, or nothing yet. */
export function checkFolderPath(field: string, path: string, configFile: string): void {
  const stats = statOrUndefined(path);
  if (stats && !stats.isDirectory()) throw new ConfigError(`${configFile}: ${field}: ${path} is a file, not a folder; point ${field} at a folder (it is created if missing).`);
  if (PSEUDO_FILESYSTEMS.some((f) => under(path, f) || under(realPath(path), f))) throw new ConfigError(`${configFile}: ${field}: ${path} is on a kernel file system; use a folder such as ./lakehouse.`);
}
