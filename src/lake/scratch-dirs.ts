/**
 * Scratch folders in the OS temp folder (a Parquet conversion, a table writer's work, inputs downloaded from S3, a
 * query's catalog, DuckDB's spill): each is named `cbbd-<kind>-<pid>-<started>-<where>-<random>` (the process stamp
 * of `core/process-alive.ts`), so one left by a process that was killed (its `finally` never ran) is known and
 * removed by the next command that writes, instead of piling up in /tmp.
 *
 * The temp folder is shared with every user of the machine, and anyone can make a folder with such a name. So a
 * sweep removes a folder only when all of these hold: its name says its writer is gone (`writerGone`: this host and
 * pid namespace, the pid not running or running a process started at another time), it is a real folder (not a
 * link), it belongs to this user and its mode is exactly 0700 (nobody else can have put or changed anything inside);
 * and the removal never follows a link, at any depth (`remove-tree.ts`).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAMP_PATTERN, stampOf, stampText, writerGone } from '../core/process-alive.ts';
import { removeTree } from './remove-tree.ts';

const SCRATCH = new RegExp(`^cbbd-([a-z]+)-${STAMP_PATTERN}-[0-9a-f]{12}$`);

/** A new scratch folder's path (not created). */
export function scratchPath(kind: string): string {
  return join(tmpdir(), `cbbd-${kind}-${stampText()}-${randomBytes(6).toString('hex')}`);
}

/** Create a new scratch folder, readable by this user only (mode 0700 whatever the umask), and return its path. */
export async function makeScratchDir(kind: string): Promise<string> {
  const path = scratchPath(kind);
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
  return path;
}

/** `makeScratchDir` for code that cannot wait (a DuckDB instance's spill folder, made before DuckDB opens). */
export function makeScratchDirSync(kind: string): string {
  const path = scratchPath(kind);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

/** What a sweep may remove: a folder of this user that nobody else can enter. */
function ownPrivateFolder(stats: { isDirectory(): boolean; uid: number; mode: number }): boolean {
  return stats.isDirectory() && stats.uid === process.getuid?.() && (stats.mode & 0o777) === 0o700;
}

/** Remove the scratch folders of processes that are gone; returns how many. Never fails the command that asks. */
export async function sweepScratchDirs(): Promise<number> {
  let removed = 0;
  const temp = tmpdir();
  for (const name of await readdir(temp).catch(() => [] as string[])) {
    const match = SCRATCH.exec(name);
    if (!match || !writerGone(stampOf(match[2]!, match[3]!, match[4]!))) continue;
    try {
      if (await removeTree(temp, name, ownPrivateFolder)) removed++;
    } catch {
      // Another command sweeping at the same moment, or a folder we may not remove: not ours to insist on.
    }
  }
  return removed;
}
