/** Local-folder storage driver: the S3 key layout under a directory (default `./lakehouse`). */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { processAlive } from '../../core/process-alive.ts';
import { StorageError } from '../../core/errors.ts';
import { assertSafeKey, STAGING_MAX_AGE_MS, type ObjectStorage, type StoredObject } from './storage.ts';

export const DRIVER_NAME = 'local';

/**
 * Staging names carry the writer's pid and host (`tmp/4242-1a2b3c4d5e6f-builder`), so a sweep can tell a crashed
 * writer's leftovers from a live one's: a pid means something only on its own host (a lakehouse folder may be shared
 * by several machines or containers).
 */
const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';
const stagingName = () => `tmp/${process.pid}-${randomBytes(6).toString('hex')}-${HOST}`;
const STAGING = /^(\d+)-[0-9a-f]{12}(?:-(.+))?$/;

/** Whether a staging entry may belong to a writer still at work: its pid is alive here, or it is another host's. */
function mayBeLive(entry: string, modifiedMs: number, now: number): boolean {
  if (now - modifiedMs >= STAGING_MAX_AGE_MS) return false;
  const m = STAGING.exec(entry);
  if (!m) return false;
  const host = m[2] ?? HOST;
  return host !== HOST || processAlive(Number(m[1]));
}

/** The file in a partition's staging that names its target, so a sweep can put a moved-aside partition back. */
const JOURNAL = 'target';

/**
 * A writer that died between moving a partition's old folder aside and renaming the new one in left the partition
 * missing: put the old folder back (the run log still describes it; the new one was never recorded). When the new
 * folder did get in, the old one is only garbage. Another sweep may race this one: losing the race is fine.
 */
async function restoreAside(root: string, work: string): Promise<void> {
  const prefix = await readFile(join(work, JOURNAL), 'utf8').catch(() => undefined);
  if (prefix === undefined) return;
  let target: string;
  try {
    target = join(root, assertSafeKey(prefix));
  } catch {
    return; // not a journal this driver wrote
  }
  const aside = join(work, 'old');
  if (!(await exists(aside)) || (await exists(target))) return;
  await mkdir(dirname(target), { recursive: true });
  await rename(aside, target).catch(() => undefined);
}

const exists = (file: string) => stat(file).then(() => true, () => false);

export function localStorage(root: string): ObjectStorage {
  const path = (key: string) => join(root, assertSafeKey(key));
  const fail = (action: string, key: string, error: unknown): never => {
    throw new StorageError(`[storage:local] ${action} ${key}: ${(error as Error).message}`, { cause: error });
  };
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
      const tmp = path('tmp');
      const entries = await readdir(tmp).catch(() => [] as string[]);
      let removed = 0;
      for (const entry of entries) {
        const modified = (await stat(join(tmp, entry)).catch(() => undefined))?.mtimeMs ?? 0;
        if (mayBeLive(entry, modified, now)) continue;
        await restoreAside(root, join(tmp, entry));
        await rm(join(tmp, entry), { recursive: true, force: true });
        removed++;
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
