/**
 * Scratch folders in the OS temp folder (a Parquet conversion, a table writer's work, inputs downloaded from S3, a
 * query's catalog, DuckDB's spill): each is named `cbbd-<kind>-<pid>-<where>-<random>`, so one left by a process that
 * was killed (its `finally` never ran) is known by its pid and removed by the next command that writes, instead of
 * piling up in /tmp. `<where>` is a hash of the host and pid namespace: a /tmp shared with a container or another
 * host holds folders whose pids mean other processes, and those are never swept (at worst left, never removed live).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownPidNamespace, processAlive } from '../core/process-alive.ts';

const SCRATCH = /^cbbd-([a-z]+)-(\d+)-([0-9a-f]{8})-[0-9a-f]{12}$/;

/** Where pids mean what they mean here: this host and pid namespace, hashed short. */
const HERE = createHash('sha256').update(`${hostname()} ${ownPidNamespace() ?? ''}`).digest('hex').slice(0, 8);

/** A new scratch folder's path (not created). */
export function scratchPath(kind: string): string {
  return join(tmpdir(), `cbbd-${kind}-${process.pid}-${HERE}-${randomBytes(6).toString('hex')}`);
}

/** Create a new scratch folder, readable by this user only, and return its path. */
export async function makeScratchDir(kind: string): Promise<string> {
  const path = scratchPath(kind);
  await mkdir(path, { recursive: true, mode: 0o700 });
  return path;
}

/** Remove the scratch folders of processes that are gone; returns how many. Never fails the command that asks. */
export async function sweepScratchDirs(): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const match = SCRATCH.exec(name);
    const pid = Number(match?.[2]);
    if (!pid || match![3] !== HERE || pid === process.pid || processAlive(pid)) continue;
    try {
      await rm(join(tmpdir(), name), { recursive: true, force: true });
      removed++;
    } catch {
      // Another command sweeping at the same moment, or a folder we may not remove: not ours to insist on.
    }
  }
  return removed;
}
