/**
 * Scratch folders in the OS temp folder (a Parquet conversion, a table writer's work, inputs downloaded from S3, a
 * query's catalog, DuckDB's spill): each is named `cbbd-<kind>-<pid>-<random>`, so one left by a process that was
 * killed (its `finally` never ran) is known by its pid and removed by the next command that writes, instead of piling
 * up in /tmp. The pid is that of this host: the OS temp folder is this host's too.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../core/process-alive.ts';

const SCRATCH = /^cbbd-([a-z]+)-(\d+)-[0-9a-f]{12}$/;

/** A new scratch folder's path (not created). */
export function scratchPath(kind: string): string {
  return join(tmpdir(), `cbbd-${kind}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** Create a new scratch folder and return its path. */
export async function makeScratchDir(kind: string): Promise<string> {
  const path = scratchPath(kind);
  await mkdir(path, { recursive: true });
  return path;
}

/** Remove the scratch folders of processes that are gone; returns how many. Never fails the command that asks. */
export async function sweepScratchDirs(): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const pid = Number(SCRATCH.exec(name)?.[2]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    try {
      await rm(join(tmpdir(), name), { recursive: true, force: true });
      removed++;
    } catch {
      // Another command sweeping at the same moment, or a folder we may not remove: not ours to insist on.
    }
  }
  return removed;
}
