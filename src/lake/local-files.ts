/**
 * DuckDB reads files by path: on a local lakehouse the objects are read in place; from S3 they are downloaded to a
 * temporary folder first, removed when the work is done.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermanentError } from '../core/errors.ts';
import type { ObjectStorage } from './storage/storage.ts';

export async function withLocalFiles<T>(storage: ObjectStorage, keys: readonly string[], work: (paths: string[]) => Promise<T>): Promise<T> {
  if (storage.localPath) return work(keys.map((k) => storage.localPath!(k)!));
  const dir = join(tmpdir(), `cbbd-files-${randomBytes(6).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  try {
    const paths: string[] = [];
    for (const [i, key] of keys.entries()) {
      const body = await storage.get(key);
      if (!body) throw new PermanentError(`${key} is missing: materialize its asset again.`);
      // Keep the name's ending: DuckDB detects gzip from `.gz`.
      const path = join(dir, `${String(i).padStart(5, '0')}-${key.split('/').at(-1)}`);
      await writeFile(path, body);
      paths.push(path);
    }
    return await work(paths);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
