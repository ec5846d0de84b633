/**
 * Local-folder storage driver: the S3 key layout under a directory (default `./lakehouse`), created readable by this
 * user only.
 *
 * Writes are staged under `tmp/` and renamed into place. A writer killed mid-way leaves its staging there, and the
 * next command that writes sweeps it (`sweepStaging`). The sweep removes nothing but staging names of writers that
 * are gone, judged by the one rule of `core/process-alive.ts`; it refuses a `tmp/` that is a link and a root that is
 * `/` or holds folders a lakehouse does not have (`lakehouseRootProblem`), and it never follows a link inside what it
 * removes or restores (`remove-tree.ts`).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, parse, relative, sep } from 'node:path';
import { LAYERS } from '../../core/asset.ts';
import { ownStamp, STAMP_PATTERN, stampOf, stampText, writerGone, type ProcessStamp } from '../../core/process-alive.ts';
import { StorageError } from '../../core/errors.ts';
import { openFolder, removeTree } from '../remove-tree.ts';
import { assertSafeKey, STAGING_MAX_AGE_MS, type ObjectStorage, type StoredObject } from './storage.ts';

export const DRIVER_NAME = 'local';

/**
 * A staging entry's name under `tmp/`: the writer's process stamp (`<pid>-<started>-<where>`) and a random part, so a
 * sweep can tell a crashed writer's leftovers from a live one's (a lakehouse folder may be shared by several machines
 * or containers: a pid means something only where it was taken).
 */
export function stagingEntry(stamp: ProcessStamp = ownStamp()): string {
  return `${stampText(stamp)}-${randomBytes(6).toString('hex')}`;
}
const stagingName = () => `tmp/${stagingEntry()}`;
const STAGING = new RegExp(`^${STAMP_PATTERN}-[0-9a-f]{12}$`);
/** Written by versions before the process stamp (`<pid>-<random>[-<host>]`): judged by their age alone. */
const OLD_STAGING = /^\d+-[0-9a-f]{12}(?:-[A-Za-z0-9._-]+)?$/;

/**
 * Whether a staging entry was left by a write that died: its writer is gone (`writerGone`: of this host and pid
 * namespace, its process no longer running), or it is older than any write takes (a writer elsewhere, one of an
 * older version, or a live one whose write failed). A name that is not a staging name is never a leftover: it is
 * not ours.
 */
export function stagingLeftover(entry: string, modifiedMs: number, now: number): boolean {
  if (!STAGING.test(entry) && !OLD_STAGING.test(entry)) return false;
  const m = STAGING.exec(entry);
  return (m !== null && writerGone(stampOf(m[1]!, m[2]!, m[3]!))) || now - modifiedMs >= STAGING_MAX_AGE_MS;
}

/** The top-level names a lakehouse holds: the layers, staging, dead letters and run summaries. */
const LAKEHOUSE_NAMES = new Set<string>([...LAYERS, 'tmp', 'deadletter', 'meta']);

/**
 * Why `root` is not a folder whose `tmp/` cbbd may sweep, or undefined: it is the file system's root (its tmp/ is the
 * machine's temp folder), or it holds something a lakehouse does not (a `lakehouse.root` pointed at a folder in use,
 * whose tmp/ is someone else's). Hidden entries (`.DS_Store`) are allowed.
 */
export async function lakehouseRootProblem(root: string): Promise<string | undefined> {
  const real = await realpath(root).catch(() => undefined);
  if (real === undefined) return undefined; // nothing there yet: nothing to sweep
  if (parse(real).root === real) return `${root} is the file system's root, not a lakehouse folder`;
  const unrelated = (await readdir(real)).filter((name) => !LAKEHOUSE_NAMES.has(name) && !name.startsWith('.')).sort();
  if (unrelated.length) {
    const shown = unrelated.slice(0, 5).join(', ') + (unrelated.length > 5 ? `, and ${unrelated.length - 5} more` : '');
    return `${root} holds ${shown}, which no lakehouse has (it holds only ${[...LAKEHOUSE_NAMES].join(', ')})`;
  }
  return undefined;
}

/** The file in a partition's staging that names its target, so a sweep can put a moved-aside partition back. */
const JOURNAL = 'target';
/** A journal names a partition of a layer, nothing else (never tmp/, dead letters or meta). */
const JOURNAL_TARGET = new RegExp(`^(${LAYERS.join('|')})/[A-Za-z0-9_=./-]+$`);

/** A file's first bytes, opened without following a link; undefined when it is not a regular file. */
async function readSmallFile(path: string, max = 4096): Promise<string | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buffer = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buffer, 0, max, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A writer that died between moving a partition's old folder aside and renaming the new one in left the partition
 * missing: put the old folder back (the run log still describes it; the new one was never recorded). When the new
 * folder did get in, the old one is only garbage. Another sweep may race this one: losing the race is fine.
 * The staging folder and its `old` are opened without following links, and what lands at the target is checked to be
 * the very folder opened: a link planted in tmp/ never moves an outside folder into the lakehouse.
 */
async function restoreAside(root: string, tmp: string, entry: string): Promise<void> {
  const work = await openFolder(join(tmp, entry));
  if (!work) return; // a link or a file: nothing of ours to restore
  try {
    if (work.stats.uid !== process.getuid?.()) return;
    const prefix = (await readSmallFile(join(work.path, JOURNAL)))?.trim();
    if (prefix === undefined || !JOURNAL_TARGET.test(prefix)) return;
    let target: string;
    try {
      target = join(root, assertSafeKey(prefix));
    } catch {
      return; // not a journal this driver wrote
    }
    const old = await openFolder(join(work.path, 'old'));
    if (!old) return;
    try {
      if (await lstat(target).then(() => true, () => false)) return;
      await mkdir(dirname(target), { recursive: true });
      if (!(await rename(join(work.path, 'old'), target).then(() => true, () => false))) return;
      // Swapped for a link between the open and the rename: that is not the folder checked, and goes back.
      const landed = await lstat(target).catch(() => undefined);
      if (landed && (!landed.isDirectory() || landed.ino !== old.stats.ino || landed.dev !== old.stats.dev)) {
        await (landed.isDirectory() ? rename(target, join(work.path, 'old')) : unlink(target)).catch(() => undefined);
      }
    } finally {
      await old.close();
    }
  } finally {
    await work.close();
  }
}

export function localStorage(root: string): ObjectStorage {
  const path = (key: string) => join(root, assertSafeKey(key));
  const fail = (action: string, key: string, error: unknown): never => {
    throw new StorageError(`[storage:local] ${action} ${key}: ${(error as Error).message}`, { cause: error });
  };
  // The lakehouse holds the run's data and dead letters (request paths, bodies): made for this user's eyes only.
  let made: Promise<unknown> | undefined;
  const makeRoot = () => (made ??= mkdir(root, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    made = undefined;
    throw error;
  }));
  return {
    driverName: DRIVER_NAME,
    location: root,
    async get(key) {
      try {
        return await readFile(path(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return fail('GET', key, error);
      }
    },
    async list(prefix) {
      const base = path(prefix.replace(/\/$/, ''));
      try {
        const entries = await readdir(base, { recursive: true, withFileTypes: true });
        return entries
          .filter((e) => e.isFile())
          .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
          .sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        return fail('LIST', prefix, error);
      }
    },
    localPath: (key) => path(key),
    async put(key, body) {
      const file = path(key);
      const staging = path(stagingName());
      try {
        await makeRoot();
        await mkdir(dirname(staging), { recursive: true });
        await writeFile(staging, body);
        await mkdir(dirname(file), { recursive: true });
        await rename(staging, file);
      } catch (error) {
        await rm(staging, { force: true });
        fail('PUT', key, error);
      }
    },
    async delete(key) {
      try {
        await rm(path(key), { force: true });
      } catch (error) {
        fail('DELETE', key, error);
      }
    },
    async sweepStaging(now = Date.now()) {
      const problem = await lakehouseRootProblem(root);
      if (problem) return fail('SWEEP', 'tmp/', new Error(`${problem}. Nothing was swept: point lakehouse.root at a folder of its own.`));
      const tmp = path('tmp');
      const tmpStats = await lstat(tmp).catch(() => undefined);
      if (!tmpStats) return 0;
      if (!tmpStats.isDirectory()) {
        return fail('SWEEP', 'tmp/', new Error(`${tmp} is ${tmpStats.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; the staging folder must be a folder of the lakehouse itself. Nothing was swept: remove it (cbbd makes the folder again).`));
      }
      const uid = process.getuid?.();
      let removed = 0;
      for (const entry of await readdir(tmp)) {
        const stats = await lstat(join(tmp, entry)).catch(() => undefined);
        // A staging entry is a folder or a file this user wrote; a link or another user's entry is not ours.
        if (!stats || stats.isSymbolicLink() || stats.uid !== uid || !stagingLeftover(entry, stats.mtimeMs, now)) continue;
        const ours = (s: { uid: number; isSymbolicLink(): boolean }) => s.uid === uid && !s.isSymbolicLink();
        try {
          if (stats.isDirectory()) await restoreAside(root, tmp, entry);
          if (await removeTree(tmp, entry, ours)) removed++;
        } catch (error) {
          return fail('SWEEP', `tmp/${entry}`, error);
        }
      }
      return removed;
    },
    async replacePartition(prefix, objects: readonly StoredObject[]) {
      const target = path(prefix.replace(/\/$/, ''));
      const work = path(stagingName());
      const fresh = join(work, 'new');
      const aside = join(work, 'old');
      let movedAside = false;
      try {
        await makeRoot();
        // The journal comes first: whoever finds this staging after a crash knows where its old partition belongs.
        await mkdir(fresh, { recursive: true });
        await writeFile(join(work, JOURNAL), prefix.replace(/\/$/, ''));
        for (const o of objects) {
          const file = join(fresh, assertSafeKey(o.name));
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, o.body);
        }
        await mkdir(dirname(target), { recursive: true });
        // Swap directories: a reader sees the old partition or the new one, never a mix of the two. The old one is
        // moved aside, not deleted, until the new one is in place: if the second rename fails it goes back, and if
        // the process dies between the two renames the next sweep puts it back (`restoreAside`).
        movedAside = await rename(target, aside).then(() => true, (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        });
        await rename(fresh, target);
      } catch (error) {
        // The old partition goes back; if even that fails, the staging (and the old folder in it, with its journal)
        // is left for the next sweep to restore, never deleted with it.
        const restored = !movedAside || (await rename(aside, target).then(() => true, () => false));
        if (restored) await rm(work, { recursive: true, force: true });
        return fail('PUT', prefix, error);
      }
      await rm(work, { recursive: true, force: true });
    },
  };
}
