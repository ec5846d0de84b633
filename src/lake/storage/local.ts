/** Local-folder storage driver: the S3 key layout under a directory (default `./lakehouse`). */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { StorageError } from '../../core/errors.ts';
import { assertSafeKey, STAGING_MAX_AGE_MS, type ObjectStorage, type StoredObject } from './storage.ts';

export const DRIVER_NAME = 'local';

/** Staging names start with the writer's pid, so a sweep can tell a crashed writer's leftovers from a live one's. */
const stagingName = () => `tmp/${process.pid}-${randomBytes(6).toString('hex')}`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
        const pid = Number(/^(\d+)-/.exec(entry)?.[1] ?? NaN);
        const modified = (await stat(join(tmp, entry)).catch(() => undefined))?.mtimeMs ?? 0;
        if (Number.isInteger(pid) && processAlive(pid) && now - modified < STAGING_MAX_AGE_MS) continue;
        await rm(join(tmp, entry), { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
    async replacePartition(prefix, objects: readonly StoredObject[]) {
      const target = path(prefix.replace(/\/$/, ''));
      const staging = path(stagingName());
      const trash = `${staging}.old`;
      try {
        for (const o of objects) {
          const file = join(staging, assertSafeKey(o.name));
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, o.body);
        }
        await mkdir(staging, { recursive: true });
        await mkdir(dirname(target), { recursive: true });
        // Swap directories: a reader sees the old partition or the new one, never a mix of the two.
        await rename(target, trash).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        await rename(staging, target);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        fail('PUT', prefix, error);
      } finally {
        await rm(trash, { recursive: true, force: true });
      }
    },
  };
}
